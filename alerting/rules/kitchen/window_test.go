package kitchen

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

func TestWindowsOn(t *testing.T) {
	boarding := &devices.School{Type: devices.SchoolSecondary, Boarders: 300}
	day := &devices.School{Type: devices.SchoolPrimary}
	custom := &devices.School{Windows: devices.Windows{Meals: []devices.Window{
		{Name: "lunch", Start: devices.Clock(11, 0), End: devices.Clock(12, 0)},
		{Name: "breakfast", Start: devices.Clock(1, 0), End: devices.Clock(7, 30)},
		{Start: devices.Clock(17, 0), End: devices.Clock(18, 0)},
	}}}
	tests := []struct {
		name string
		s    *devices.School
		lead time.Duration
		want []string
	}{
		{"day school: default lunch", day, 90 * time.Minute, []string{"lunch 09:50-13:00"}},
		{"boarding school: three meals", boarding, 90 * time.Minute,
			[]string{"breakfast 05:00-07:40", "lunch 09:50-13:00", "dinner 15:30-18:40"}},
		{"overlapping windows merge", boarding, 4 * time.Hour,
			[]string{"breakfast+lunch+dinner 02:30-18:40"}},
		{"own meals, sorted, clamped at midnight, unnamed", custom, 2 * time.Hour,
			[]string{"breakfast 00:00-07:30", "lunch 09:00-12:00", "17:00 15:00-18:00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, w := range windowsOn(tc.s, tc.lead, date(monday)) {
				got = append(got, w.name+" "+w.start.Format("15:04")+"-"+w.end.Format("15:04"))
			}
			if !equal(got, tc.want) {
				t.Fatalf("windows %v, want %v", got, tc.want)
			}
		})
	}
	if windowZH("breakfast+lunch") != "早餐、午餐" || windowEN("breakfast+lunch") != "breakfast/lunch" {
		t.Errorf("window names %q %q", windowZH("breakfast+lunch"), windowEN("breakfast+lunch"))
	}
}

func TestModule(t *testing.T) {
	m := New()
	if m.Name() != "kitchen" || len(m.Rules()) != 4 {
		t.Fatalf("name %q rules %v", m.Name(), m.Rules())
	}
	for _, r := range m.Rules() {
		if info, ok := alerting.Info(r); !ok || info.Kind != "kitchencam" {
			t.Errorf("rule %s not a kitchencam rule of the catalogue", r)
		}
	}
	noCam := &devices.School{ID: "x", Devices: []devices.Device{{ID: "a", Kind: devices.KindAlarm}}}
	if m.NewState(noCam) != nil {
		t.Errorf("state for a school without kitchen cameras")
	}
	if st := m.NewState(testSchool()); st == nil || len(st.(*State).cams) != 2 {
		t.Errorf("state %+v", st)
	}
}

// TestReload: Start after a registry reload watches a new camera from
// now and resolves the alerts of a removed one.
func TestReload(t *testing.T) {
	h := newHarness(t, at(monday, 9, 0))
	run(h, at(monday, 11, 0), phase(at(monday, 10, 30), at(monday, 12, 0), []devices.Event{status("cam-1", "offline", false)}, nil))
	if len(h.Fired(alerting.KitchenCamOffline)) != 1 {
		t.Fatalf("no offline alert before the reload:\n%s", h)
	}
	sch := testSchool()
	sch.Devices = append(sch.Devices[:1], sch.Devices[2], devices.Device{ID: "cam-3", Kind: devices.KindKitchenCam, Location: "洗消间"})
	h.Sch = sch
	h.Mod.Start(h, h.State())
	if r := h.Resolved(alerting.KitchenCamOffline); len(r) != 1 || r[0].Subject != "cam-1" {
		t.Fatalf("removed camera's alert not resolved:\n%s", h)
	}
	// cam-3 (60 s heartbeat) never speaks: offline at 11:03, alert at 11:13.
	run(h, at(monday, 11, 30), func(time.Time) []devices.Event { return nil })
	var got []string
	for _, c := range h.Fired(alerting.KitchenCamOffline) {
		got = append(got, c.Subject+" "+c.At.In(loc).Format("15:04"))
	}
	if !equal(got, []string{"cam-1 10:40", "cam-3 11:13"}) {
		t.Fatalf("fired %v\n%s", got, h)
	}
	st := state(h).OnlineStats(date(monday), h.Now())
	if len(st) != 3 || st[2].Device != "cam-3" || st[2].Windows[0].Watched != 30*time.Minute || st[2].Windows[0].Bad != 27*time.Minute {
		t.Errorf("stats %+v", st)
	}
}

// TestStartInsideWindow: started inside a window, the module watches the
// rest of it; started on the holiday it waits for the next school day.
func TestStartInsideWindow(t *testing.T) {
	h := newHarness(t, at(monday, 12, 0))
	run(h, at(monday, 13, 30), healthy)
	if st := state(h).OnlineStats(date(monday), h.Now()); st[0].Windows[0].Watched != time.Hour {
		t.Errorf("watched %v, want 1h", st[0].Windows[0].Watched)
	}
	h = enginetest.New(t, New(), testSchool(), at(holiday, 10, 0))
	h.Cal = calendar
	h.Start()
	if !contains(h.Timers(), "2026-12-10T09:50:00+08:00 kitchen:win") {
		t.Errorf("timers %v, want the window of the day after the holiday", h.Timers())
	}
}
