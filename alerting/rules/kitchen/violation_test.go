package kitchen

import (
	"strconv"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

func TestViolationTiers(t *testing.T) {
	tests := []struct {
		name     string
		day      int
		category string
		sev      alerting.Severity
		subject  string
		device   string
		due      time.Duration // every tier has a deadline
		zh, en   string
	}{
		{"rodent is tier 1, due in 4 h", monday, "rodent", alerting.P1, "cam-1:rodent:ev-1", "cam-1", 4 * time.Hour,
			"测试小学 食堂 操作间发现老鼠出没（一级违规，须立即处置，2026-12-07 18:00 前整改完毕；AI 置信度 93%）",
			"测试小学: rodent detected by camera cam-1 at 食堂 操作间 (tier 1, act now, rectify by 2026-12-07 18:00; AI confidence 93%)"},
		{"unattended flame is tier 1", monday, "flame_unattended", alerting.P1, "cam-1:flame_unattended:ev-1", "cam-1", 4 * time.Hour, "", ""},
		{"tier 1 on a weekend night still fires", saturday, "rodent", alerting.P1, "cam-1:rodent:ev-1", "cam-1", 4 * time.Hour, "", ""},
		{"smoking is tier 2, due in 24 h", monday, "smoking", alerting.P2, "cam-1:smoking:ev-1", "cam-1", 24 * time.Hour,
			"测试小学 食堂 操作间发现吸烟（二级违规，须于 2026-12-08 14:00 前整改；AI 置信度 93%）",
			"测试小学: smoking detected by camera cam-1 at 食堂 操作间 (tier 2, rectify by 2026-12-08 14:00; AI confidence 93%)"},
		{"open bin is tier 2", monday, "bin_open", alerting.P2, "cam-1:bin_open:ev-1", "cam-1", 24 * time.Hour, "", ""},
		{"phone is tier 2", monday, "phone", alerting.P2, "cam-1:phone:ev-1", "cam-1", 24 * time.Hour, "", ""},
		{"stranger is tier 2", monday, "stranger", alerting.P2, "cam-1:stranger:ev-1", "cam-1", 24 * time.Hour, "", ""},
		{"no hat is tier 3, one alert per category and day, due in 24 h", monday, "no_hat", alerting.P3, "no_hat@2026-12-07", "", 24 * time.Hour,
			"测试小学 后厨未戴厨师帽（三级违规，今日第 1 次，最近一次在食堂 操作间）", ""},
		{"shirtless is tier 3", monday, "shirtless", alerting.P3, "shirtless@2026-12-07", "", 24 * time.Hour, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at(tc.day, 14, 0))
			h.Event(violation("cam-1", "ev-1", tc.category))
			h.Advance(10 * 24 * time.Hour) // silent cameras: only offline alerts come
			fired := h.Fired(alerting.KitchenViolation)
			if len(fired) != 1 || len(h.Resolved(alerting.KitchenViolation)) != 0 {
				t.Fatalf("conditions (violations never resolve by themselves):\n%s", h)
			}
			c := fired[0]
			if c.Rule != alerting.KitchenViolation || !c.Firing || c.Severity != tc.sev || c.Subject != tc.subject || c.Device != tc.device {
				t.Errorf("condition %+v", c)
			}
			if want := at(tc.day, 14, 0).Add(tc.due); c.DueAt == nil || !c.DueAt.Equal(want) {
				t.Errorf("due %v, want %v", c.DueAt, want)
			}
			if tc.zh != "" && c.MessageZH != tc.zh {
				t.Errorf("message %q, want %q", c.MessageZH, tc.zh)
			}
			if tc.en != "" && c.MessageEN != tc.en {
				t.Errorf("message %q, want %q", c.MessageEN, tc.en)
			}
		})
	}
}

// TestViolationDeadlinesConfigurable: each tier takes its own deadline
// from the parameters (a region or school may set them).
func TestViolationDeadlinesConfigurable(t *testing.T) {
	h := newHarness(t, at(monday, 10, 0))
	h.Par.KitchenCloseTier1 = time.Hour
	h.Par.KitchenCloseWithin = 8 * time.Hour
	h.Par.KitchenCloseTier3 = 12 * time.Hour
	for i, cat := range []string{"rodent", "phone", "no_gloves"} {
		h.Event(violation("cam-1", "ev-"+string(rune('a'+i)), cat))
	}
	var due []string
	for _, c := range h.Fired(alerting.KitchenViolation) {
		due = append(due, dueOf(c))
	}
	if want := []string{"12-07 11:00", "12-07 18:00", "12-07 22:00"}; !equal(due, want) {
		t.Fatalf("deadlines %v, want %v", due, want)
	}
}

// dueOf renders a condition's deadline ("none" without one).
func dueOf(c alerting.Condition) string {
	if c.DueAt == nil {
		return "none"
	}
	return c.DueAt.In(loc).Format("01-02 15:04")
}

// TestViolationGrouping: detections of one category at one camera within
// the grouping window of the first are one alert (one subject) whose
// deadline runs from the first; another camera, another category or a
// detection after the window start another. Tier 3 stays one alert per
// category and day over every camera.
func TestViolationGrouping(t *testing.T) {
	type det struct {
		min      int // minutes after 10:00
		cam, cat string
	}
	tests := []struct {
		name     string
		window   time.Duration // 0: the default 30 min
		dets     []det
		subjects []string // of each kitchen_violation condition
		due      []string // their deadlines
	}{
		{"re-detections within the window are one alert", 0,
			[]det{{0, "cam-1", "bin_open"}, {5, "cam-1", "bin_open"}, {20, "cam-1", "bin_open"}, {29, "cam-1", "bin_open"}},
			[]string{"cam-1:bin_open:d0", "cam-1:bin_open:d0", "cam-1:bin_open:d0", "cam-1:bin_open:d0"},
			[]string{"12-08 10:00", "12-08 10:00", "12-08 10:00", "12-08 10:00"}},
		{"the window runs from the first detection", 0,
			[]det{{0, "cam-1", "rodent"}, {20, "cam-1", "rodent"}, {30, "cam-1", "rodent"}, {45, "cam-1", "rodent"}},
			[]string{"cam-1:rodent:d0", "cam-1:rodent:d0", "cam-1:rodent:d2", "cam-1:rodent:d2"},
			[]string{"12-07 14:00", "12-07 14:00", "12-07 14:30", "12-07 14:30"}},
		{"another camera is another alert", 0,
			[]det{{0, "cam-1", "smoking"}, {1, "cam-2", "smoking"}, {2, "cam-1", "smoking"}},
			[]string{"cam-1:smoking:d0", "cam-2:smoking:d1", "cam-1:smoking:d0"},
			[]string{"12-08 10:00", "12-08 10:01", "12-08 10:00"}},
		{"another category is another alert", 0,
			[]det{{0, "cam-1", "smoking"}, {1, "cam-1", "phone"}, {2, "cam-1", "smoking"}},
			[]string{"cam-1:smoking:d0", "cam-1:phone:d1", "cam-1:smoking:d0"},
			[]string{"12-08 10:00", "12-08 10:01", "12-08 10:00"}},
		{"a longer window groups a whole meal service", 3 * time.Hour,
			[]det{{0, "cam-1", "phone"}, {90, "cam-1", "phone"}, {179, "cam-1", "phone"}, {180, "cam-1", "phone"}},
			[]string{"cam-1:phone:d0", "cam-1:phone:d0", "cam-1:phone:d0", "cam-1:phone:d3"},
			[]string{"12-08 10:00", "12-08 10:00", "12-08 10:00", "12-08 13:00"}},
		{"tier 3 is the day's summary over every camera", 0,
			[]det{{0, "cam-1", "no_mask"}, {1, "cam-2", "no_mask"}, {90, "cam-1", "no_mask"}},
			[]string{"no_mask@2026-12-07", "no_mask@2026-12-07", "no_mask@2026-12-07"},
			[]string{"12-08 10:00", "12-08 10:01", "12-08 11:30"}}, // the lifecycle keeps the first
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at(monday, 10, 0))
			if tc.window > 0 {
				h.Par.KitchenGroupWindow = tc.window
			}
			for i, d := range tc.dets {
				h.AdvanceTo(at(monday, 10, 0).Add(time.Duration(d.min) * time.Minute))
				h.Event(violation(d.cam, "d"+strconv.Itoa(i), d.cat))
			}
			var subjects, due []string
			for _, c := range h.Fired(alerting.KitchenViolation) {
				subjects = append(subjects, c.Subject)
				due = append(due, dueOf(c))
			}
			if !equal(subjects, tc.subjects) || !equal(due, tc.due) {
				t.Fatalf("subjects %v due %v, want %v due %v", subjects, due, tc.subjects, tc.due)
			}
		})
	}
}

// TestViolationGroupMessages: the alert's message counts the detections
// of its group (次数) and keeps the deadline of the first.
func TestViolationGroupMessages(t *testing.T) {
	h := newHarness(t, at(monday, 10, 0))
	h.Event(violation("cam-2", "a", "stranger"))
	h.AdvanceTo(at(monday, 10, 12))
	h.Event(violation("cam-2", "b", "stranger"))
	h.AdvanceTo(at(monday, 10, 25))
	h.Event(violation("cam-2", "c", "stranger"))
	f := h.Fired(alerting.KitchenViolation)
	if len(f) != 3 {
		t.Fatalf("fired %d, want 3", len(f))
	}
	last := f[2]
	wantZH := "测试小学 食堂 备餐间发现陌生人进入 3 次（10:00 起）（二级违规，须于 2026-12-08 10:00 前整改；AI 置信度 93%）"
	wantEN := "测试小学: stranger detected 3 times since 10:00 by camera cam-2 at 食堂 备餐间 (tier 2, rectify by 2026-12-08 10:00; AI confidence 93%)"
	if last.Subject != "cam-2:stranger:a" || last.MessageZH != wantZH || last.MessageEN != wantEN {
		t.Errorf("last condition %s\n%s\n%s\nwant\n%s\n%s", last.Subject, last.MessageZH, last.MessageEN, wantZH, wantEN)
	}
	if f[0].MessageZH != "测试小学 食堂 备餐间发现陌生人进入（二级违规，须于 2026-12-08 10:00 前整改；AI 置信度 93%）" {
		t.Errorf("first message %q", f[0].MessageZH)
	}
}

func TestRepeat(t *testing.T) {
	type ev struct {
		at  time.Time
		cat string
	}
	tests := []struct {
		name    string
		events  []ev
		subject []string // kitchen_repeat fires
		times   []string
	}{
		{"third tier-3 of a category in a day fires",
			[]ev{{at(monday, 10, 0), "no_hat"}, {at(monday, 10, 30), "no_hat"}, {at(monday, 10, 40), "no_mask"},
				{at(monday, 11, 0), "no_hat"}, {at(monday, 11, 30), "no_hat"}},
			[]string{"no_hat@2026-12-07"}, []string{"12-07 11:00:00"}},
		{"other categories don't count",
			[]ev{{at(monday, 10, 0), "no_hat"}, {at(monday, 10, 30), "no_mask"}, {at(monday, 10, 40), "no_gloves"},
				{at(monday, 11, 0), "no_hat"}, {at(monday, 11, 30), "smoking"}},
			nil, nil},
		{"tier-3 counts restart each local day",
			[]ev{{at(monday, 10, 0), "no_hat"}, {at(monday, 23, 50), "no_hat"}, {at(monday+1, 0, 10), "no_hat"},
				{at(monday+1, 8, 0), "no_hat"}},
			nil, nil},
		{"tier-3 repeats on each day fire once a day",
			[]ev{{at(monday, 10, 0), "no_hat"}, {at(monday, 10, 1), "no_hat"}, {at(monday, 10, 2), "no_hat"},
				{at(monday+1, 10, 0), "no_hat"}, {at(monday+1, 10, 1), "no_hat"}, {at(monday+1, 10, 2), "no_hat"}},
			[]string{"no_hat@2026-12-07", "no_hat@2026-12-08"}, []string{"12-07 10:02:00", "12-08 10:02:00"}},
		{"tier-2 repeat within 7 days fires",
			[]ev{{at(monday, 10, 0), "smoking"}, {at(monday+4, 16, 0), "smoking"}},
			[]string{"smoking"}, []string{"12-11 16:00:00"}},
		{"tier-2 repeat at exactly 7 days fires",
			[]ev{{at(monday, 10, 0), "smoking"}, {at(monday+7, 10, 0), "smoking"}},
			[]string{"smoking"}, []string{"12-14 10:00:00"}},
		{"tier-2 repeat after 8 days doesn't",
			[]ev{{at(monday, 10, 0), "smoking"}, {at(monday+8, 10, 0), "smoking"}},
			nil, nil},
		{"tier-2 of another category doesn't",
			[]ev{{at(monday, 10, 0), "smoking"}, {at(monday, 11, 0), "phone"}, {at(monday, 12, 0), "bin_open"}},
			nil, nil},
		{"every tier-2 repeat fires",
			[]ev{{at(monday, 10, 0), "phone"}, {at(monday+2, 10, 0), "phone"}, {at(monday+10, 10, 0), "phone"}, {at(monday+11, 10, 0), "phone"}},
			[]string{"phone", "phone"}, []string{"12-09 10:00:00", "12-18 10:00:00"}},
		{"tier-2 re-detections of one occurrence are no repeat",
			[]ev{{at(monday, 10, 0), "smoking"}, {at(monday, 10, 5), "smoking"}, {at(monday, 10, 20), "smoking"}, {at(monday, 10, 45), "smoking"}},
			nil, nil},
		{"tier-2 again after a pause longer than the grouping window repeats",
			[]ev{{at(monday, 10, 0), "smoking"}, {at(monday, 10, 5), "smoking"}, {at(monday, 10, 35), "smoking"}},
			[]string{"smoking"}, []string{"12-07 10:35:00"}},
		{"tier 1 never repeats",
			[]ev{{at(monday, 10, 0), "rodent"}, {at(monday, 10, 1), "rodent"}, {at(monday, 10, 2), "rodent"}},
			nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.events[0].at)
			for i, e := range tc.events {
				h.AdvanceTo(e.at)
				h.Event(violation("cam-1", "ev-"+string(rune('a'+i)), e.cat))
			}
			fired := h.Fired(alerting.KitchenRepeat)
			var subjects []string
			for _, c := range fired {
				subjects = append(subjects, c.Subject)
				if c.Severity != alerting.P2 || c.DueAt != nil || c.MessageZH == "" || c.MessageEN == "" {
					t.Errorf("condition %+v", c)
				}
			}
			if !equal(subjects, tc.subject) || !equal(times(fired), tc.times) {
				t.Fatalf("repeat fired %v at %v, want %v at %v\n%s", subjects, times(fired), tc.subject, tc.times, h)
			}
			if r := h.Resolved(alerting.KitchenRepeat); len(r) != 0 {
				t.Errorf("kitchen_repeat resolved by itself: %v", times(r))
			}
		})
	}
}

func TestRepeatMessages(t *testing.T) {
	h := newHarness(t, at(monday, 10, 0))
	h.Event(violation("cam-1", "a", "smoking"))
	h.AdvanceTo(at(monday+1, 9, 0))
	h.Event(violation("cam-1", "b", "smoking"))
	f := h.Fired(alerting.KitchenRepeat)
	if len(f) != 1 || f[0].MessageZH != "测试小学 后厨 7 天内再次发现吸烟（上次 2026-12-07 10:00）" {
		t.Fatalf("repeat %+v", f)
	}
	for i := range 3 {
		h.Event(violation("cam-1", "c"+string(rune('0'+i)), "no_gloves"))
	}
	f = h.Fired(alerting.KitchenRepeat)
	if len(f) != 2 || f[1].MessageZH != "测试小学 后厨 2026-12-08 未戴手套已发生 3 次（三级违规反复发生）" ||
		f[1].MessageEN != "测试小学: no gloves 3 times in the kitchen on 2026-12-08 (repeated tier-3 violation)" {
		t.Fatalf("repeat %+v", f)
	}
}

// TestViolationUnknownDevice: a violation from a camera the state does not
// know (registry changed) still fires.
func TestViolationUnknownDevice(t *testing.T) {
	h := newHarness(t, at(monday, 10, 0))
	h.Event(devices.Event{Kind: devices.KindKitchenCam, Device: "cam-9", Channel: devices.ChannelEvent, Type: "kitchen.violation", ID: "x",
		Values: []devices.Value{{Name: "category", Type: devices.TypeEnum, Str: "rodent"}}})
	f := h.Fired(alerting.KitchenViolation)
	if len(f) != 1 || f[0].Subject != "cam-9:rodent:x" || f[0].MessageZH != "测试小学 后厨发现老鼠出没（一级违规，须立即处置，2026-12-07 14:00 前整改完毕）" {
		t.Fatalf("fired %+v", f)
	}
}
