package lifecycle

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// graceEnv starts the process at t0 with the default 5-minute grace.
func graceEnv(t *testing.T) *env {
	return newEnv(t, func(o *Options) { o.StartedAt = t0 })
}

func TestGraceHoldsOfflineAndReleasesStillFiring(t *testing.T) {
	e := graceEnv(t)
	e.clock.Add(time.Minute)
	e.fire(alerting.AlarmOffline, "s1", "a1")
	e.fire(alerting.KitchenCamOffline, "s1", "k1")
	e.fire(alerting.SchoolOffline, "s2", "")
	e.fire(alerting.GateForced, "s1", "g1") // not an offline rule: at once
	expectEvents(t, e.rec.take(), "fired gate_forced")
	if n := len(e.m.List(Filter{})); n != 1 {
		t.Fatalf("%d alerts during grace, want 1", n)
	}
	e.clock.Add(time.Minute)
	e.fire(alerting.AlarmOffline, "s1", "a1")       // still firing
	e.clear(alerting.KitchenCamOffline, "s1", "k1") // came back: dropped
	e.clear(alerting.SchoolOffline, "s2", "")

	e.advance(3*time.Minute - time.Second)
	expectEvents(t, e.rec.take())
	e.advance(time.Second) // grace over
	cs := e.rec.take()
	expectEvents(t, cs, "fired alarm_offline")
	a := cs[0].Alert
	if !a.StartedAt.Equal(t0.Add(time.Minute)) || a.Count != 2 || a.Region != "130802" {
		t.Fatalf("released alert: %+v", a)
	}
	// Its escalation clock starts when people hear of it.
	e.advance(10*time.Minute - time.Second)
	for _, c := range e.rec.take() {
		if c.Event == EventEscalated && c.Alert.Rule == alerting.AlarmOffline {
			t.Fatal("released alert escalated before 10 minutes")
		}
	}
	e.advance(time.Second)
	found := false
	for _, c := range e.rec.take() {
		found = found || (c.Event == EventEscalated && c.Alert.ID == a.ID)
	}
	if !found {
		t.Fatal("released alert did not escalate after 10 minutes")
	}
}

func TestGraceReleaseOnApply(t *testing.T) {
	e := graceEnv(t)
	e.fire(alerting.AccessOffline, "s1", "c1")
	e.clock.Add(6 * time.Minute) // no Tick in between
	e.fire(alerting.AccessOffline, "s1", "c1")
	cs := e.rec.take()
	expectEvents(t, cs, "fired access_offline")
	if cs[0].Alert.Count != 2 || !cs[0].Alert.StartedAt.Equal(t0) {
		t.Fatalf("released alert: %+v", cs[0].Alert)
	}
	e.advance(time.Second) // nothing left to release
	expectEvents(t, e.rec.take())
}

func TestGraceDoesNotHoldUpdatesOfOpenAlerts(t *testing.T) {
	e := graceEnv(t)
	e.clock.Add(10 * time.Minute)
	e.fire(alerting.AlarmOffline, "s1", "a1")
	e.rec.take()
	// A second grace period (as after a restart) updates what is open.
	e.m.opts.StartedAt = e.clock.Now()
	e.fire(alerting.AlarmOffline, "s1", "a1")
	e.clear(alerting.AlarmOffline, "s1", "a1")
	expectEvents(t, e.rec.take(), "updated alarm_offline", "resolved alarm_offline")
}
