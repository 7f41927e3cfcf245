package alarm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

func TestAlarmOffline(t *testing.T) {
	twoTerminals := testSchool(
		devices.Device{ID: a1, Kind: devices.KindAlarm, Location: "门卫室"},
		devices.Device{ID: a2, Kind: devices.KindAlarm, Heartbeat: devices.Duration(30 * time.Second)},
	)
	tests := []struct {
		name   string
		school *devices.School
		start  time.Time
		run    func(h *enginetest.Harness)
		want   []string
	}{
		{name: "silent from start fires P1 in school hours", start: at(11, 30, 10, 0),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"11-30 10:03:00 fire " + a1 + " P1"}},
		{name: "each terminal by its own interval", school: twoTerminals, start: at(11, 30, 10, 0),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"11-30 10:01:30 fire " + a2 + " P1", "11-30 10:03:00 fire " + a1 + " P1"}},
		{name: "outside school hours P2", start: at(11, 30, 18, 0),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"11-30 18:03:00 fire " + a1 + " P2"}},
		{name: "holiday P2", start: at(12, 2, 10, 0),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"12-02 10:03:00 fire " + a1 + " P2"}},
		{name: "weekend P2", start: at(11, 28, 10, 0),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"11-28 10:03:00 fire " + a1 + " P2"}},
		{name: "heartbeats keep it quiet; the first resolves once", start: at(11, 30, 10, 0),
			run:  func(h *enginetest.Harness) { keepAlive(h, at(11, 30, 12, 0), a1) },
			want: []string{"11-30 10:00:00 resolve " + a1}},
		{name: "three missed heartbeats after the last one", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Advance(2 * time.Minute)
				h.Event(heartbeat(a1))
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:02:00 resolve " + a1, "11-30 10:05:00 fire " + a1 + " P1"}},
		{name: "any event counts as presence", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Advance(2 * time.Minute)
				h.Event(event(a1, "alarm.trouble", enumV("code", "battery")))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:02:00 resolve " + a1}},
		{name: "a heartbeat resolves", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Advance(10 * time.Minute)
				h.Event(heartbeat(a1))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:03:00 fire " + a1 + " P1", "11-30 10:10:00 resolve " + a1}},
		{name: "last will means offline at once", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Event(heartbeat(a1))
				h.Advance(20 * time.Second)
				h.Event(status(a1, "offline", false))
				h.Advance(time.Hour)
				h.Event(status(a1, "online", false))
			},
			want: []string{"11-30 10:00:00 resolve " + a1, "11-30 10:00:20 fire " + a1 + " P1", "11-30 11:00:20 resolve " + a1}},
		{name: "retained offline before any message fires once", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Event(status(a1, "offline", true))
				h.Advance(time.Minute)
				h.Event(status(a1, "offline", true)) // re-subscription replays it
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:00:00 fire " + a1 + " P1"}},
		{name: "retained offline after a live message is stale", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Event(heartbeat(a1))
				h.Event(status(a1, "offline", true))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:00:00 resolve " + a1}},
		{name: "retained online is not presence", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				h.Advance(2 * time.Minute)
				h.Event(status(a1, "online", true))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:03:00 fire " + a1 + " P1"}},
		{name: "retained heartbeat is not presence", start: at(11, 30, 10, 0),
			run: func(h *enginetest.Harness) {
				ev := heartbeat(a1)
				ev.Retained = true
				h.Advance(2 * time.Minute)
				h.Event(ev)
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:03:00 fire " + a1 + " P1"}},
		{name: "offline at night rises to P1 when school hours begin", start: at(11, 30, 5, 0),
			run:  func(h *enginetest.Harness) { h.AdvanceTo(at(11, 30, 12, 0)) },
			want: []string{"11-30 05:03:00 fire " + a1 + " P2", "11-30 06:50:00 fire " + a1 + " P1"}},
		{name: "offline on Friday evening rises on Monday, not on the weekend", start: at(12, 4, 19, 0),
			run:  func(h *enginetest.Harness) { h.AdvanceTo(at(12, 7, 12, 0)) },
			want: []string{"12-04 19:03:00 fire " + a1 + " P2", "12-07 06:50:00 fire " + a1 + " P1"}},
		{name: "back before school hours: no rise", start: at(11, 30, 5, 0),
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(11, 30, 6, 0))
				h.Event(heartbeat(a1))
				keepAlive(h, at(11, 30, 8, 0), a1)
			},
			want: []string{"11-30 05:03:00 fire " + a1 + " P2", "11-30 06:00:00 resolve " + a1}},
		{name: "severity override wins", start: at(11, 30, 18, 0),
			run: func(h *enginetest.Harness) {
				h.Par.Severity = map[alerting.RuleID]alerting.Severity{alerting.AlarmOffline: alerting.P0}
				h.AdvanceTo(at(12, 1, 12, 0))
			},
			want: []string{"11-30 18:03:00 fire " + a1 + " P0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.school
			if s == nil {
				s = testSchool()
			}
			h := newHarness(t, nil, s, tc.start)
			h.Start()
			tc.run(h)
			checkTrace(t, h, alerting.AlarmOffline, tc.want)
		})
	}
}

func TestAlarmOfflineMessage(t *testing.T) {
	h := newHarness(t, nil, testSchool(), at(11, 30, 10, 0))
	h.Start()
	h.Advance(5 * time.Minute)
	f := h.Fired(alerting.AlarmOffline)
	if len(f) != 1 {
		t.Fatalf("fired %d, want 1\n%s", len(f), h)
	}
	c := f[0]
	if c.Device != a1 || c.Subject != a1 || c.School != "sq-test" || c.Region != "130802" {
		t.Errorf("condition = %+v", c)
	}
	for _, s := range []string{"双桥区测试小学", "门卫室", "已离线 3 分钟"} {
		if !strings.Contains(c.MessageZH, s) {
			t.Errorf("MessageZH %q lacks %q", c.MessageZH, s)
		}
	}
	if !strings.Contains(c.MessageEN, "offline for 3 min") {
		t.Errorf("MessageEN = %q", c.MessageEN)
	}
}

// TestReload: a Start after a registry reload picks up a new terminal and
// resolves what a removed one had open.
func TestReload(t *testing.T) {
	h := newHarness(t, nil, testSchool(), at(11, 30, 10, 0))
	h.Start()
	h.Advance(5 * time.Minute) // a1 offline
	h.Sch = testSchool(devices.Device{ID: a2, Kind: devices.KindAlarm})
	h.Mod.Start(h, h.State())
	h.Advance(5 * time.Minute)
	checkTrace(t, h, alerting.AlarmOffline, []string{
		"11-30 10:03:00 fire " + a1 + " P1",
		"11-30 10:05:00 resolve " + a1,
		"11-30 10:08:00 fire " + a2 + " P1",
	})
	for _, k := range h.Timers() {
		if strings.Contains(k, a1) {
			t.Errorf("timer of a removed terminal left: %s", k)
		}
	}
}
