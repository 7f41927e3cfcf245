package lifecycle

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
)

func TestInhibitionBySchoolOffline(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmOffline, "s1", "a1") // notified before the school went down
	e.fire(alerting.AlarmTrouble, "s1", "a1") // not an offline rule
	e.rec.take()
	e.clock.Add(time.Minute)
	e.fire(alerting.SchoolOffline, "s1", "")
	expectEvents(t, e.rec.take(), "fired school_offline", "inhibited alarm_offline")

	e.fire(alerting.AccessOffline, "s1", "c1")
	e.clock.Add(time.Second)
	e.fire(alerting.KitchenCamOffline, "s1", "k1")
	e.fire(alerting.AccessOffline, "s2", "c1") // another school
	expectEvents(t, e.rec.take(), "inhibited access_offline", "inhibited kitchen_cam_offline", "fired access_offline")
	a1 := e.one(alerting.AlarmOffline, "s1", "a1")
	if !e.m.Inhibited(a1.ID) || a1.Silenced || a1.State != alerting.Firing {
		t.Fatalf("inhibited alert: %+v inhibited=%v", a1, e.m.Inhibited(a1.ID))
	}
	if e.m.Inhibited(e.one(alerting.AccessOffline, "s2", "c1").ID) {
		t.Fatal("other school's alert inhibited")
	}

	// Inhibited alerts neither escalate nor remind.
	e.advance(10 * time.Minute)
	for _, c := range e.rec.take() {
		if c.Alert.School == "s1" && c.Alert.Rule != alerting.SchoolOffline && c.Alert.Rule != alerting.AlarmTrouble {
			t.Fatalf("inhibited alert changed: %s %s", c.Event, c.Alert.Rule)
		}
	}

	// The school is back but some devices are not: they are told now, the
	// one told before the outage too (it is still down).
	e.clear(alerting.SchoolOffline, "s1", "")
	expectEvents(t, e.rec.take(), "resolved school_offline", "fired alarm_offline",
		"fired access_offline", "fired kitchen_cam_offline")
	if e.m.Inhibited(a1.ID) {
		t.Fatal("still inhibited")
	}
}

// hold sends the school module's outage hold for school.
func (e *env) hold(school string, on bool) {
	e.m.Apply(alerting.Condition{Rule: alerting.SchoolOffline, School: school, Hold: true, Firing: on, At: e.clock.Now()})
}

// notifiable renders the notifiable changes of cs.
func notifiable(cs []Change) []string {
	var out []string
	for _, c := range cs {
		if Notifiable(c) {
			out = append(out, c.Event+" "+string(c.Alert.Rule))
		}
	}
	return out
}

func TestOutageHold(t *testing.T) {
	t.Run("hold that ends without an outage announces what it held", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fire(alerting.AccessOffline, "s1", "c1") // told before the hold
		e.rec.take()
		e.clock.Add(time.Second)
		e.hold("s1", true)
		e.fire(alerting.AlarmOffline, "s1", "a1")
		expectEvents(t, e.rec.take(), "inhibited access_offline", "inhibited alarm_offline")
		if a := e.one(alerting.AlarmOffline, "s1", "a1"); !e.m.Inhibited(a.ID) {
			t.Fatal("held alert not inhibited")
		}
		e.hold("s1", true) // no change
		if n := testutil.ToFloat64(e.m.met.outageHolds); n != 1 {
			t.Fatalf("outage_holds = %v, want 1", n)
		}
		e.clock.Add(30 * time.Second)
		e.hold("s1", false)
		if n := testutil.ToFloat64(e.m.met.outageHolds); n != 0 {
			t.Fatalf("outage_holds = %v, want 0", n)
		}
		cs := e.rec.take()
		expectEvents(t, cs, "updated access_offline", "fired alarm_offline")
		if got := notifiable(cs); len(got) != 1 || got[0] != "fired alarm_offline" {
			t.Fatalf("notifiable: %q", got)
		}
	})
	t.Run("outage confirmed, school back, a device still down", func(t *testing.T) {
		e := newEnv(t, nil)
		e.fire(alerting.AccessOffline, "s1", "c1") // down long before the outage
		e.rec.take()
		e.clock.Add(time.Hour)
		e.hold("s1", true)
		e.fire(alerting.AlarmOffline, "s1", "a1")
		e.fire(alerting.AlarmOffline, "s1", "a2")
		e.fire(alerting.SchoolOffline, "s1", "")
		cs := e.rec.take()
		if got := notifiable(cs); len(got) != 1 || got[0] != "fired school_offline" {
			t.Fatalf("notifiable while going dark: %q (all %q)", got, events(cs))
		}
		// Back: school_offline resolves while the hold stays on (devices
		// rebooting); a1 comes back quietly.
		e.clock.Add(10 * time.Minute)
		e.clear(alerting.SchoolOffline, "s1", "")
		e.clock.Add(30 * time.Second)
		e.clear(alerting.AlarmOffline, "s1", "a1")
		cs = e.rec.take()
		expectEvents(t, cs, "resolved school_offline", "resolved alarm_offline")
		if got := notifiable(cs); len(got) != 1 || got[0] != "resolved school_offline" {
			t.Fatalf("notifiable on return: %q", got)
		}
		// Hold off: a2 and c1 are still down and announced, c1 again.
		e.clock.Add(3 * time.Minute)
		e.hold("s1", false)
		cs = e.rec.take()
		expectEvents(t, cs, "fired access_offline", "fired alarm_offline")
		if cs[1].Alert.Subject != "a2" {
			t.Fatalf("announced %+v", cs[1].Alert)
		}
		e.clear(alerting.AlarmOffline, "s1", "a2")
		if got := notifiable(e.rec.take()); len(got) != 1 || got[0] != "resolved alarm_offline" {
			t.Fatalf("a2 back: %q", got)
		}
	})
}
