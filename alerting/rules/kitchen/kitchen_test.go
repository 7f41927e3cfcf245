package kitchen

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

// The test school eats lunch 11:20–13:00, so its kitchen operating window
// is 09:50–13:00 on school days. December 2026: the 7th is a Monday, the
// 5th/6th and 12th/13th are weekends, the 9th (a Wednesday) is a holiday.
const (
	monday   = 7
	saturday = 5
	holiday  = 9
	tick     = 30 * time.Second // the cameras' heartbeat interval
)

var loc = devices.Location()

// at returns day (of December 2026) at h:m local time.
func at(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, loc) }

func date(day int) devices.Date { return devices.Date{Year: 2026, Month: time.December, Day: day} }

func testSchool() *devices.School {
	hb := devices.Duration(tick)
	return &devices.School{
		ID: "t-primary", Name: "测试小学", Region: "130802", Type: devices.SchoolPrimary, Pupils: 500,
		Windows: devices.Windows{Meals: []devices.Window{
			{Name: "lunch", Start: devices.Clock(11, 20), End: devices.Clock(13, 0)},
		}},
		Kitchens: []devices.Kitchen{{ID: "main", Name: "食堂"}},
		Devices: []devices.Device{
			{ID: "alarm-1", Kind: devices.KindAlarm, Location: "门卫室"},
			{ID: "cam-1", Kind: devices.KindKitchenCam, Location: "操作间", Heartbeat: hb},
			{ID: "cam-2", Kind: devices.KindKitchenCam, Location: "备餐间", Heartbeat: hb},
		},
	}
}

// calendar: Monday to Friday except the holiday.
func calendar(t time.Time) bool {
	l := t.In(loc)
	if l.Month() == time.December && l.Day() == holiday {
		return false
	}
	return l.Weekday() != time.Saturday && l.Weekday() != time.Sunday
}

func newHarness(t *testing.T, start time.Time) *enginetest.Harness {
	t.Helper()
	h := enginetest.New(t, New(), testSchool(), start)
	h.Cal = calendar
	h.Start()
	return h
}

func state(h *enginetest.Harness) *State { return h.State().(*State) }

// --- events ---

func bv(name string, b bool) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeBool, Bool: b}
}

func nv(name string, f float64) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeNumber, Num: f}
}

func heartbeat(dev string, vals ...devices.Value) devices.Event {
	return devices.Event{Kind: devices.KindKitchenCam, Device: dev, Channel: devices.ChannelHeartbeat,
		Type: "heartbeat.kitchencam", Values: vals}
}

// good is the heartbeat of a healthy camera.
func good(dev string) devices.Event {
	return heartbeat(dev, bv("online", true), bv("streaming", true), nv("fps", 25), nv("frame_age_s", 0.4), bv("occluded", false))
}

func kstatus(dev string, online, streaming bool, age float64, occluded bool) devices.Event {
	return devices.Event{Kind: devices.KindKitchenCam, Device: dev, Channel: devices.ChannelEvent, Type: "kitchen.status",
		Values: []devices.Value{bv("online", online), bv("streaming", streaming), nv("fps", 25), nv("frame_age_s", age), bv("occluded", occluded)}}
}

func status(dev, s string, retained bool) devices.Event {
	return devices.Event{Kind: devices.KindKitchenCam, Device: dev, Channel: devices.ChannelStatus, Type: "status",
		Values: []devices.Value{{Name: "status", Type: devices.TypeEnum, Str: s}}, Retained: retained}
}

func violation(dev, id, cat string) devices.Event {
	return devices.Event{Kind: devices.KindKitchenCam, Device: dev, Channel: devices.ChannelEvent, Type: "kitchen.violation", ID: id,
		Values: []devices.Value{{Name: "category", Type: devices.TypeEnum, Str: cat}, nv("confidence", 0.93),
			{Name: "snapshot", Type: devices.TypeString, Str: "snap/" + id + ".jpg"}}}
}

// --- driving ---

// script returns what cam-1 sends at instant t (one call per heartbeat tick).
type script func(t time.Time) []devices.Event

// healthy sends a good heartbeat every tick.
func healthy(t time.Time) []devices.Event { return []devices.Event{good("cam-1")} }

// phase sends first at from, inside at every other tick of [from, to),
// and good heartbeats outside.
func phase(from, to time.Time, first, inside []devices.Event) script {
	return func(t time.Time) []devices.Event {
		switch {
		case t.Equal(from) && first != nil:
			return first
		case !t.Before(from) && t.Before(to):
			return inside
		}
		return []devices.Event{good("cam-1")}
	}
}

// run advances h to end, one heartbeat tick at a time: cam-1 follows cam1,
// cam-2 is healthy throughout.
func run(h *enginetest.Harness, end time.Time, cam1 script) {
	for t := h.Now(); t.Before(end); t = t.Add(tick) {
		h.AdvanceTo(t)
		for _, ev := range cam1(t) {
			h.Event(ev)
		}
		h.Event(good("cam-2"))
	}
	h.AdvanceTo(end)
}

func times(cs []alerting.Condition) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.At.In(loc).Format("01-02 15:04:05"))
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNormalDay: a school day with healthy cameras raises nothing, and
// the lunch window is fully online.
func TestNormalDay(t *testing.T) {
	h := newHarness(t, at(monday, 0, 0))
	run(h, at(monday, 11, 0), healthy)
	h.Event(kstatus("cam-1", true, true, 0.3, false))
	h.Event(kstatus("cam-2", true, true, 0.5, false))
	run(h, at(monday+1, 0, 0), healthy)
	if len(h.Conds) != 0 {
		t.Fatalf("normal day raised:\n%s", h)
	}
	stats := state(h).OnlineStats(date(monday), h.Now())
	if len(stats) != 2 {
		t.Fatalf("stats for %d cameras, want 2: %+v", len(stats), stats)
	}
	for _, cd := range stats {
		if len(cd.Windows) != 1 {
			t.Fatalf("%s: %d windows, want 1", cd.Device, len(cd.Windows))
		}
		w := cd.Windows[0]
		if w.Name != "lunch" || !w.Start.Equal(at(monday, 9, 50)) || !w.End.Equal(at(monday, 13, 0)) ||
			w.Watched != 3*time.Hour+10*time.Minute || w.Bad != 0 || w.OnlineRate() != 1 || cd.OutsideBad != 0 {
			t.Errorf("%s: window %+v, outside bad %v", cd.Device, w, cd.OutsideBad)
		}
	}
}

func TestCamOffline(t *testing.T) {
	offline := []devices.Event{status("cam-1", "offline", false)}
	notStreaming := []devices.Event{heartbeat("cam-1", bv("online", true), bv("streaming", false))}
	frozen := []devices.Event{heartbeat("cam-1", bv("online", true), bv("streaming", true), nv("frame_age_s", 120))}
	slow := []devices.Event{heartbeat("cam-1", bv("online", true), bv("streaming", true), nv("frame_age_s", 45))}
	reportedOff := []devices.Event{kstatus("cam-1", false, false, 0, false)}
	tests := []struct {
		name        string
		day         int
		cam1        script
		fire, clear []string // times of kitchen_cam_offline fires and resolves
	}{
		{"dark 11 min in lunch window fires", monday,
			phase(at(monday, 11, 0), at(monday, 11, 11), offline, nil),
			[]string{"12-07 11:10:00"}, []string{"12-07 11:11:00"}},
		{"dark 9 min in lunch window is quiet", monday,
			phase(at(monday, 11, 0), at(monday, 11, 9), offline, nil), nil, nil},
		{"heartbeats stop: offline after 3 missed, fires 10 min later", monday,
			phase(at(monday, 11, 0), at(monday, 11, 15), nil, nil),
			[]string{"12-07 11:11:00"}, []string{"12-07 11:15:00"}},
		{"camera reports itself offline", monday,
			phase(at(monday, 11, 0), at(monday, 11, 11), reportedOff, nil),
			[]string{"12-07 11:10:00"}, []string{"12-07 11:11:00"}},
		{"not streaming 11 min fires", monday,
			phase(at(monday, 11, 0), at(monday, 11, 11), nil, notStreaming),
			[]string{"12-07 11:10:00"}, []string{"12-07 11:11:00"}},
		{"not streaming 9 min is quiet", monday,
			phase(at(monday, 11, 0), at(monday, 11, 9), nil, notStreaming), nil, nil},
		{"frozen frames 12 min fire", monday,
			phase(at(monday, 11, 0), at(monday, 11, 12), nil, frozen),
			[]string{"12-07 11:10:00"}, []string{"12-07 11:12:00"}},
		{"old but not frozen frames are quiet", monday,
			phase(at(monday, 11, 0), at(monday, 12, 0), nil, slow), nil, nil},
		{"dark outside windows never fires", monday,
			phase(at(monday, 14, 0), at(monday, 16, 0), offline, nil), nil, nil},
		{"dark before the window until 9 min into it is quiet", monday,
			phase(at(monday, 8, 0), at(monday, 9, 59), offline, nil), nil, nil},
		{"dark when the window opens counts from its start", monday,
			phase(at(monday, 8, 0), at(monday, 10, 1), offline, nil),
			[]string{"12-07 10:00:00"}, []string{"12-07 10:01:00"}},
		{"window end resolves a camera still dark", monday,
			phase(at(monday, 12, 45), at(monday, 14, 0), offline, nil),
			[]string{"12-07 12:55:00"}, []string{"12-07 13:00:00"}},
		{"dark across the window end, under 10 min inside, is quiet", monday,
			phase(at(monday, 12, 55), at(monday, 14, 0), offline, nil), nil, nil},
		{"weekend is quiet", saturday,
			phase(at(saturday, 9, 0), at(saturday, 14, 0), offline, nil), nil, nil},
		{"holiday is quiet", holiday,
			phase(at(holiday, 9, 0), at(holiday, 14, 0), offline, nil), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at(tc.day, 0, 0))
			run(h, at(tc.day+1, 0, 0), tc.cam1)
			fired, cleared := h.Fired(alerting.KitchenCamOffline), h.Resolved(alerting.KitchenCamOffline)
			if !equal(times(fired), tc.fire) || !equal(times(cleared), tc.clear) {
				t.Fatalf("fired %v resolved %v, want %v and %v\n%s", times(fired), times(cleared), tc.fire, tc.clear, h)
			}
			for _, c := range append(fired, cleared...) {
				if c.Subject != "cam-1" {
					t.Errorf("subject %q, want cam-1", c.Subject)
				}
			}
			for _, c := range fired {
				if c.Severity != alerting.P2 || c.Device != "cam-1" || c.School != "t-primary" || c.Region != "130802" {
					t.Errorf("condition %+v", c)
				}
				if c.MessageZH == "" || c.MessageEN == "" {
					t.Errorf("empty message: %+v", c)
				}
			}
			if n := len(h.Conds) - len(fired) - len(cleared); n != 0 {
				t.Errorf("%d other conditions:\n%s", n, h)
			}
		})
	}
}

func TestCamOfflineMessage(t *testing.T) {
	h := newHarness(t, at(monday, 0, 0))
	run(h, at(monday, 12, 0), phase(at(monday, 11, 0), at(monday, 11, 30), nil,
		[]devices.Event{heartbeat("cam-1", bv("online", true), bv("streaming", true), nv("frame_age_s", 95))}))
	f := h.Fired(alerting.KitchenCamOffline)
	if len(f) != 1 {
		t.Fatalf("fired %d, want 1\n%s", len(f), h)
	}
	wantZH := "测试小学 食堂 操作间摄像头画面冻结（最新画面 95 秒前，上限 60 秒）已 10 分钟（午餐运营时段 09:50–13:00）"
	wantEN := "测试小学: kitchen camera cam-1 at 食堂 操作间 frozen (last frame 95 s old, limit 60 s) for 10 min (lunch operating window 09:50–13:00)"
	if f[0].MessageZH != wantZH || f[0].MessageEN != wantEN {
		t.Errorf("messages\n%s\n%s\nwant\n%s\n%s", f[0].MessageZH, f[0].MessageEN, wantZH, wantEN)
	}
}

// TestCamOfflineRetained: retained status replays update the state but
// create no duplicate condition, and a retained online is not presence.
func TestCamOfflineRetained(t *testing.T) {
	t.Run("retained offline at start fires once", func(t *testing.T) {
		h := newHarness(t, at(monday, 11, 0))
		h.Event(status("cam-1", "offline", true))
		run(h, at(monday, 11, 20), func(time.Time) []devices.Event { return nil })
		h.Event(status("cam-1", "offline", true)) // re-subscription replays the will
		run(h, at(monday, 11, 40), func(time.Time) []devices.Event { return nil })
		if got := times(h.Fired(alerting.KitchenCamOffline)); !equal(got, []string{"12-07 11:10:00"}) {
			t.Fatalf("fired %v\n%s", got, h)
		}
	})
	t.Run("retained online is not presence", func(t *testing.T) {
		h := newHarness(t, at(monday, 10, 0))
		h.Event(status("cam-1", "online", true))
		run(h, at(monday, 11, 0), func(time.Time) []devices.Event { return nil })
		// Watched from start: offline at 10:01:30 (3 × 30 s), alert 10 min later.
		if got := times(h.Fired(alerting.KitchenCamOffline)); !equal(got, []string{"12-07 10:11:30"}) {
			t.Fatalf("fired %v\n%s", got, h)
		}
	})
	t.Run("online status after the will resolves", func(t *testing.T) {
		h := newHarness(t, at(monday, 10, 0))
		run(h, at(monday, 10, 30), phase(at(monday, 10, 0), at(monday, 11, 0), []devices.Event{status("cam-1", "offline", false)}, nil))
		h.Event(status("cam-1", "online", false))
		if got := times(h.Resolved(alerting.KitchenCamOffline)); !equal(got, []string{"12-07 10:30:00"}) {
			t.Fatalf("resolved %v\n%s", got, h)
		}
	})
}

// TestWindowsAcrossWeekend: Friday's window closes, the next opens on
// Monday, with nothing in between.
func TestWindowsAcrossWeekend(t *testing.T) {
	friday := monday - 3
	h := newHarness(t, at(friday, 12, 0))
	if got := h.Timers(); len(got) == 0 || !contains(got, "2026-12-04T13:00:00+08:00 kitchen:win") {
		t.Fatalf("timers %v, want the window end at 13:00", got)
	}
	run(h, at(friday, 13, 0), healthy)
	if !contains(h.Timers(), "2026-12-07T09:50:00+08:00 kitchen:win") {
		t.Fatalf("timers %v, want the next window on Monday 09:50", h.Timers())
	}
	h.Event(kstatus("cam-1", true, true, 0.4, true)) // covered, then silent over the weekend
	h.AdvanceTo(at(monday, 9, 49))
	if len(h.Conds) != 0 {
		t.Fatalf("raised over the weekend:\n%s", h)
	}
	h.AdvanceTo(at(monday, 9, 50))
	if got := times(h.Fired(alerting.KitchenCamOccluded)); !equal(got, []string{"12-07 09:50:00"}) {
		t.Fatalf("occluded fired %v, want at the window start\n%s", got, h)
	}
	// Both cameras fell silent on Friday: dark when the window opens, so
	// the offline alert comes 10 min after its start.
	h.AdvanceTo(at(monday, 10, 0))
	if got := times(h.Fired(alerting.KitchenCamOffline)); !equal(got, []string{"12-07 10:00:00", "12-07 10:00:00"}) {
		t.Fatalf("offline fired %v\n%s", got, h)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
