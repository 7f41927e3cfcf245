package alarm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/devices"
)

// testWindow is a test window of sq-test on Monday 2026-11-30 10:00–10:30,
// for every terminal of the school.
func testWindow(school, _ string, t time.Time) bool {
	return school == "sq-test" && !t.Before(at(11, 30, 10, 0)) && t.Before(at(11, 30, 10, 30))
}

// a2Window is testWindow for terminal a2 only.
func a2Window(school, device string, t time.Time) bool {
	return device == a2 && testWindow(school, device, t)
}

func TestAlarmPanic(t *testing.T) {
	tests := []struct {
		name        string
		windows     alarmtest.Covers
		run         func(h *enginetest.Harness)
		want        []string
		wantTestRes int // alarm_test_overdue resolves (a press counted as a test)
	}{
		{name: "a press fires P0",
			run:  func(h *enginetest.Harness) { h.Event(event(a1, "alarm.panic")) },
			want: []string{"11-30 10:05:00 fire " + a1 + " P0"}},
		{name: "every press fires, none resolves by itself",
			run: func(h *enginetest.Harness) {
				h.Event(event(a1, "alarm.panic"))
				h.Advance(20 * time.Second)
				h.Event(event(a1, "alarm.panic", devices.Value{Name: "button", Type: devices.TypeString, Str: "2"}))
				h.Advance(48 * time.Hour)
			},
			want: []string{"11-30 10:05:00 fire " + a1 + " P0", "11-30 10:05:20 fire " + a1 + " P0"}},
		{name: "a redelivered press (same event id) is not a new press",
			run: func(h *enginetest.Harness) {
				ev := event(a1, "alarm.panic")
				ev.ID = "evt-press-1"
				h.Event(ev)
				h.Advance(20 * time.Second)
				h.Event(ev)
				ev.ID = "evt-press-2"
				h.Advance(20 * time.Second)
				h.Event(ev)
				ev.ID = "evt-press-1"
				h.Event(ev)
			},
			want: []string{"11-30 10:05:00 fire " + a1 + " P0", "11-30 10:05:40 fire " + a1 + " P0"}},
		{name: "no test windows: a press in school hours is real", windows: nil,
			run:  func(h *enginetest.Harness) { h.Event(event(a1, "alarm.panic")) },
			want: []string{"11-30 10:05:00 fire " + a1 + " P0"}},
		{name: "a press in a test window is a test", windows: testWindow,
			run:         func(h *enginetest.Harness) { h.Event(event(a1, "alarm.panic")) },
			wantTestRes: 1},
		{name: "stamped in the window, arriving after it: real", windows: testWindow,
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(11, 30, 10, 31))
				ev := event(a1, "alarm.panic")
				ev.TS = at(11, 30, 10, 29)
				h.Event(ev)
			},
			want: []string{"11-30 10:31:00 fire " + a1 + " P0"}},
		{name: "arriving in the window, stamped before it: real", windows: testWindow,
			run: func(h *enginetest.Harness) {
				ev := event(a1, "alarm.panic")
				ev.TS = at(11, 30, 9, 0)
				h.Event(ev)
			},
			want: []string{"11-30 10:05:00 fire " + a1 + " P0"}},
		{name: "another school's test window does not apply",
			windows: func(s, _ string, t time.Time) bool { return s != "sq-test" },
			run:     func(h *enginetest.Harness) { h.Event(event(a1, "alarm.panic")) },
			want:    []string{"11-30 10:05:00 fire " + a1 + " P0"}},
		{name: "a window for another terminal of the school does not apply", windows: a2Window,
			run:  func(h *enginetest.Harness) { h.Event(event(a1, "alarm.panic")) },
			want: []string{"11-30 10:05:00 fire " + a1 + " P0"}},
		{name: "a second press in the same window is real", windows: testWindow,
			run: func(h *enginetest.Harness) {
				h.Event(event(a1, "alarm.panic"))
				h.AdvanceTo(at(11, 30, 10, 7))
				h.Event(event(a1, "alarm.panic"))
			},
			want: []string{"11-30 10:07:00 fire " + a1 + " P0"}, wantTestRes: 1},
		{name: "a press after the window is real again", windows: testWindow,
			run: func(h *enginetest.Harness) {
				h.Event(event(a1, "alarm.panic"))
				h.AdvanceTo(at(11, 30, 10, 30))
				h.Event(event(a1, "alarm.panic"))
			},
			want: []string{"11-30 10:30:00 fire " + a1 + " P0"}, wantTestRes: 1},
		{name: "a press at night on a holiday still fires P0",
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 2, 2, 0))
				h.Event(event(a1, "alarm.panic"))
			},
			want: []string{"12-02 02:00:00 fire " + a1 + " P0"}},
		{name: "a retained replay is not a press",
			run: func(h *enginetest.Harness) {
				ev := event(a1, "alarm.panic")
				ev.Retained = true
				h.Event(ev)
			}},
		{name: "an unknown terminal is ignored",
			run: func(h *enginetest.Harness) { h.Event(event("not-registered", "alarm.panic")) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &alarm.Module{TestWindows: tc.windows}
			h := newHarness(t, m, testSchool(), at(11, 30, 10, 5))
			h.Start()
			tc.run(h)
			checkTrace(t, h, alerting.AlarmPanic, tc.want)
			if got := len(h.Resolved(alerting.AlarmTestOverdue)); got != tc.wantTestRes {
				t.Errorf("alarm_test_overdue resolves = %d, want %d", got, tc.wantTestRes)
			}
		})
	}
}

func TestAlarmPanicCondition(t *testing.T) {
	h := newHarness(t, nil, testSchool(), at(11, 30, 10, 5))
	h.Start()
	h.Event(event(a1, "alarm.panic"))
	f := h.Fired(alerting.AlarmPanic)
	if len(f) != 1 {
		t.Fatalf("fired %d, want 1", len(f))
	}
	c := f[0]
	if c.Subject != a1 || c.Device != a1 || c.Severity != alerting.P0 || c.School != "sq-test" {
		t.Errorf("condition = %+v", c)
	}
	for _, s := range []string{"双桥区测试小学", "门卫室", "1-3-5"} {
		if !strings.Contains(c.MessageZH, s) || !strings.Contains(c.MessageEN+"双桥区测试小学门卫室", s) {
			t.Errorf("messages lack %q: %q / %q", s, c.MessageZH, c.MessageEN)
		}
	}
}

func TestAlarmLinkDown(t *testing.T) {
	down := func() devices.Event { return event(a1, "alarm.link", boolV("linked", false)) }
	up := func() devices.Event { return event(a1, "alarm.link", boolV("linked", true)) }
	tests := []struct {
		name string
		run  func(h *enginetest.Harness)
		want []string
	}{
		{name: "down for 60 s fires P1",
			run:  func(h *enginetest.Harness) { h.Event(down()); h.Advance(10 * time.Minute) },
			want: []string{"11-30 10:01:00 fire " + a1 + " P1"}},
		{name: "back within 60 s: quiet",
			run: func(h *enginetest.Harness) {
				h.Event(down())
				h.Advance(50 * time.Second)
				h.Event(up())
				h.Advance(10 * time.Minute)
			}},
		{name: "up resolves",
			run: func(h *enginetest.Harness) {
				h.Event(down())
				h.Advance(5 * time.Minute)
				h.Event(up())
				h.Advance(5 * time.Minute)
				h.Event(up())
			},
			want: []string{"11-30 10:01:00 fire " + a1 + " P1", "11-30 10:05:00 resolve " + a1}},
		{name: "heartbeats reporting down: the clock runs from the first",
			run: func(h *enginetest.Harness) {
				for range 5 {
					h.Event(heartbeat(a1, boolV("linked", false)))
					h.Advance(30 * time.Second)
				}
				h.Event(heartbeat(a1, boolV("linked", true)))
			},
			want: []string{"11-30 10:01:00 fire " + a1 + " P1", "11-30 10:02:30 resolve " + a1}},
		{name: "heartbeats without linked change nothing",
			run: func(h *enginetest.Harness) {
				h.Event(down())
				for range 4 {
					h.Advance(30 * time.Second)
					h.Event(heartbeat(a1))
				}
			},
			want: []string{"11-30 10:01:00 fire " + a1 + " P1"}},
		{name: "the first up after start resolves once",
			run: func(h *enginetest.Harness) {
				h.Event(heartbeat(a1, boolV("linked", true)))
				h.Advance(time.Minute)
				h.Event(heartbeat(a1, boolV("linked", true)))
			},
			want: []string{"11-30 10:00:00 resolve " + a1}},
		{name: "a longer AlarmLinkDownAfter",
			run: func(h *enginetest.Harness) {
				h.Par.AlarmLinkDownAfter = 5 * time.Minute
				h.Event(down())
				h.Advance(10 * time.Minute)
			},
			want: []string{"11-30 10:05:00 fire " + a1 + " P1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, testSchool(), at(11, 30, 10, 0))
			h.Start()
			tc.run(h)
			checkTrace(t, h, alerting.AlarmLinkDown, tc.want)
		})
	}
}

func TestAlarmTrouble(t *testing.T) {
	trouble := func(code string, cleared ...bool) devices.Event {
		ev := event(a1, "alarm.trouble", enumV("code", code))
		if len(cleared) > 0 {
			ev.Values = append(ev.Values, boolV("cleared", cleared[0]))
		}
		return ev
	}
	tests := []struct {
		name string
		run  func(h *enginetest.Harness)
		want []string
	}{
		{name: "tamper fires P1",
			run:  func(h *enginetest.Harness) { h.Event(trouble("tamper")) },
			want: []string{"11-30 10:00:00 fire " + a1 + ":tamper P1"}},
		{name: "each code its own subject; repeats do not fire again",
			run: func(h *enginetest.Harness) {
				h.Event(trouble("mains"))
				h.Advance(time.Minute)
				h.Event(trouble("mains", false))
				h.Event(trouble("battery"))
			},
			want: []string{"11-30 10:00:00 fire " + a1 + ":mains P1", "11-30 10:01:00 fire " + a1 + ":battery P1"}},
		{name: "cleared resolves",
			run: func(h *enginetest.Harness) {
				h.Event(trouble("battery"))
				h.Advance(time.Hour)
				h.Event(trouble("battery", true))
				h.Advance(time.Hour)
				h.Event(trouble("battery"))
			},
			want: []string{"11-30 10:00:00 fire " + a1 + ":battery P1", "11-30 11:00:00 resolve " + a1 + ":battery",
				"11-30 12:00:00 fire " + a1 + ":battery P1"}},
		{name: "no automatic resolve",
			run:  func(h *enginetest.Harness) { h.Event(trouble("tamper")); h.Advance(72 * time.Hour) },
			want: []string{"11-30 10:00:00 fire " + a1 + ":tamper P1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil, testSchool(), at(11, 30, 10, 0))
			h.Start()
			tc.run(h)
			checkTrace(t, h, alerting.AlarmTrouble, tc.want)
			for _, c := range h.Fired(alerting.AlarmTrouble) {
				if c.Device != a1 || !strings.Contains(c.MessageZH, "门卫室") {
					t.Errorf("condition = %+v", c)
				}
			}
		})
	}
}

// coded gives a test event a mode (when not empty) and a vendor code.
func coded(ev devices.Event, mode, code string) devices.Event {
	if mode != "" {
		ev.Values = append(ev.Values, enumV("mode", mode))
	}
	ev.VendorCode = code
	return ev
}

func TestAlarmTestOverdue(t *testing.T) {
	test := func(ok ...bool) devices.Event {
		ev := event(a1, "alarm.test")
		if len(ok) > 0 {
			ev.Values = []devices.Value{boolV("ok", ok[0])}
		}
		return ev
	}
	tests := []struct {
		name   string
		maxAge time.Duration
		start  time.Time
		run    func(h *enginetest.Harness)
		want   []string
	}{
		{name: "default 30 days from start, checked at 09:00 on a school day", start: at(11, 30, 10, 0),
			run:  func(h *enginetest.Harness) { h.AdvanceTo(at(12, 31, 12, 0)) },
			want: []string{"12-31 09:00:00 fire " + a1 + " P2"}},
		{name: "holiday skipped: fires on the next school day", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run:  func(h *enginetest.Harness) { h.AdvanceTo(at(12, 4, 12, 0)) },
			want: []string{"12-03 09:00:00 fire " + a1 + " P2"}},
		{name: "weekend not checked", maxAge: 24 * time.Hour, start: at(12, 3, 10, 0),
			run:  func(h *enginetest.Harness) { h.AdvanceTo(at(12, 7, 12, 0)) },
			want: []string{"12-07 09:00:00 fire " + a1 + " P2"}},
		{name: "a successful test resets the age", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 1, 12, 0))
				h.Event(test(true))
				h.AdvanceTo(at(12, 4, 12, 0))
			},
			want: []string{"12-01 12:00:00 resolve " + a1, "12-04 09:00:00 fire " + a1 + " P2"}},
		{name: "a test without ok counts", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 1, 12, 0))
				h.Event(test())
				h.AdvanceTo(at(12, 3, 12, 0))
			},
			want: []string{"12-01 12:00:00 resolve " + a1}},
		{name: "a failed test does not count", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 1, 12, 0))
				h.Event(test(false))
				h.AdvanceTo(at(12, 3, 12, 0))
			},
			want: []string{"12-03 09:00:00 fire " + a1 + " P2"}},
		{name: "a successful test resolves, and the age starts again", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 3, 10, 0))
				h.Event(test(true))
				h.AdvanceTo(at(12, 8, 12, 0))
			},
			want: []string{"12-03 09:00:00 fire " + a1 + " P2", "12-03 10:00:00 resolve " + a1, "12-07 09:00:00 fire " + a1 + " P2"}},
		{name: "a manual test (E601) counts", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 1, 12, 0))
				h.Event(coded(test(true), "manual", "E601"))
				h.AdvanceTo(at(12, 3, 12, 0))
			},
			want: []string{"12-01 12:00:00 resolve " + a1}},
		{name: "a panel sending only periodic self-tests (E602) goes overdue", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				for d := 0; d < 5; d++ {
					h.AdvanceTo(at(11, 30, 23, 0).AddDate(0, 0, d))
					h.Event(coded(test(true), "periodic", "E602"))
				}
				h.AdvanceTo(at(12, 4, 12, 0))
			},
			want: []string{"12-03 09:00:00 fire " + a1 + " P2"}},
		{name: "a self-test told only by its vendor code E602 does not count", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 1, 12, 0))
				h.Event(coded(test(true), "", "E602"))
				h.AdvanceTo(at(12, 3, 12, 0))
			},
			want: []string{"12-03 09:00:00 fire " + a1 + " P2"}},
		{name: "a press in a registered window counts", maxAge: 48 * time.Hour, start: at(11, 30, 9, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(11, 30, 10, 10))
				h.Event(event(a1, "alarm.panic"))
				h.AdvanceTo(at(12, 3, 12, 0))
			},
			want: []string{"11-30 10:10:00 resolve " + a1, "12-03 09:00:00 fire " + a1 + " P2"}},
		{name: "checked at Start (a registry reload)", maxAge: 48 * time.Hour, start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(12, 2, 11, 0)) // a holiday: no daily check
				h.Mod.Start(h, h.State())
			},
			want: []string{"12-02 11:00:00 fire " + a1 + " P2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, &alarm.Module{TestWindows: testWindow}, testSchool(), tc.start)
			if tc.maxAge > 0 {
				h.Par.AlarmTestMaxAge = tc.maxAge
			}
			h.Start()
			tc.run(h)
			checkTrace(t, h, alerting.AlarmTestOverdue, tc.want)
			for _, c := range h.Fired(alerting.AlarmTestOverdue) {
				if c.Device != a1 || !strings.Contains(c.MessageZH, "未成功测试") {
					t.Errorf("condition = %+v", c)
				}
			}
		})
	}
}

// TestTestsRecorded: every test the module sees is handed to Record with
// its outcome; a real panic is not a test.
func TestTestsRecorded(t *testing.T) {
	var got []string
	m := &alarm.Module{TestWindows: testWindow, Record: func(ev *devices.Event, o alarmtest.Outcome) {
		got = append(got, ev.Type+":"+string(o))
	}}
	h := newHarness(t, m, testSchool(), at(11, 30, 10, 5))
	h.Start()
	h.Event(event(a1, "alarm.panic"))
	h.Event(coded(event(a1, "alarm.test"), "", "E602"))
	h.Event(coded(event(a1, "alarm.test"), "manual", "E601"))
	h.Event(event(a1, "alarm.test", boolV("ok", false)))
	h.AdvanceTo(at(11, 30, 10, 40))
	h.Event(event(a1, "alarm.panic"))
	want := []string{"alarm.panic:window", "alarm.test:periodic", "alarm.test:manual", "alarm.test:failed"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("recorded %q, want %q", got, want)
	}
	if n := len(h.Fired(alerting.AlarmPanic)); n != 1 {
		t.Errorf("alarm_panic fired %d times, want 1 (the press after the window)", n)
	}
}
