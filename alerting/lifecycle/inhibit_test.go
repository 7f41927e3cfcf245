package lifecycle

import (
	"testing"
	"time"

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

	// The school is back but some devices are not: they are told now.
	e.clear(alerting.SchoolOffline, "s1", "")
	expectEvents(t, e.rec.take(), "resolved school_offline", "updated alarm_offline",
		"fired access_offline", "fired kitchen_cam_offline")
	if e.m.Inhibited(a1.ID) {
		t.Fatal("still inhibited")
	}
}
