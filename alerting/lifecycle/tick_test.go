package lifecycle

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

func TestPanicEscalation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		close func(e *env, id string)
	}{
		{"acked", func(e *env, id string) {
			if _, err := e.m.Ack(id, policeOf("officer-1"), ""); err != nil {
				t.Fatal(err)
			}
		}},
		{"resolved", func(e *env, id string) {
			if _, err := e.m.Close(id, policeOf("officer-1"), "false alarm, pressed by a child"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fire(alerting.AlarmPanic, "s1", "alarm-1")
			panicID := e.one(alerting.AlarmPanic, "s1", "alarm-1").ID
			e.rec.take()

			e.advance(59 * time.Second)
			expectEvents(t, e.rec.take())
			e.advance(time.Second)
			cs := e.rec.take()
			expectEvents(t, cs, "escalated alarm_panic", "fired alarm_unacked")
			if !cs[0].Alert.Escalated {
				t.Fatal("panic alert not marked escalated")
			}
			un := cs[1].Alert
			if un.Severity != alerting.P0 || len(un.Audience) != 1 || un.Audience[0] != alerting.Police ||
				un.Subject != "alarm-1" || un.Device != "alarm-1" || un.Region != "130802" || !un.StartedAt.Equal(t0.Add(time.Minute)) {
				t.Fatalf("alarm_unacked: %+v", un)
			}
			e.advance(time.Second) // escalates once
			expectEvents(t, e.rec.take())

			tc.close(e, panicID)
			cs = e.rec.take()
			if len(cs) != 2 || cs[1].Event != EventResolved || cs[1].Alert.ID != un.ID || cs[1].Alert.Resolution != "auto" {
				t.Fatalf("closing the panic: %q", events(cs))
			}
		})
	}
}

func TestNoEscalationOnceAcked(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	e.advance(30 * time.Second)
	if _, err := e.m.Ack(e.one(alerting.AlarmPanic, "s1", "alarm-1").ID, policeOf("officer-1"), ""); err != nil {
		t.Fatal(err)
	}
	e.rec.take()
	for i := 0; i < 60; i++ { // an hour: no escalation, no reminder
		e.advance(time.Minute)
	}
	expectEvents(t, e.rec.take())
	if a := e.one(alerting.AlarmPanic, "s1", "alarm-1"); a.Escalated {
		t.Fatal("acknowledged panic escalated")
	}
}

func TestP1EscalatesWithoutUnackedAlert(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateForced, "s1", "g1")
	e.rec.take()
	e.advance(10*time.Minute - time.Second)
	expectEvents(t, e.rec.take())
	e.advance(time.Second)
	expectEvents(t, e.rec.take(), "escalated gate_forced")
	// P2 and P3 do not escalate.
	e.fire(alerting.KitchenCamOffline, "s1", "k1")
	e.rec.take()
	e.advance(3 * time.Hour)
	for _, c := range e.rec.take() {
		if c.Event == EventEscalated {
			t.Fatalf("P2 escalated: %+v", c.Alert)
		}
	}
}

func TestRemindersOnSchedule(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateForced, "s1", "g1") // P1: escalate after 10 min, remind every 30 min
	e.rec.take()
	var reminders []time.Duration
	for i := 0; i < 125; i++ {
		e.advance(time.Minute)
		for _, c := range e.rec.take() {
			if c.Event == EventReminder {
				reminders = append(reminders, e.clock.Now().Sub(t0))
			}
		}
	}
	want := []time.Duration{30 * time.Minute, 60 * time.Minute, 90 * time.Minute, 120 * time.Minute}
	if len(reminders) != len(want) {
		t.Fatalf("reminders at %v, want %v", reminders, want)
	}
	for i := range want {
		if reminders[i] != want[i] {
			t.Fatalf("reminders at %v, want %v", reminders, want)
		}
	}
	if _, err := e.m.Ack(e.one(alerting.GateForced, "s1", "g1").ID, policeOf("u"), ""); err != nil {
		t.Fatal(err)
	}
	e.rec.take()
	e.advance(2 * time.Hour)
	expectEvents(t, e.rec.take())
}

func TestKitchenOverdue(t *testing.T) {
	e := newEnv(t, nil)
	due := t0.Add(24 * time.Hour)
	violation := func(firing bool) alerting.Condition {
		return alerting.Condition{Rule: alerting.KitchenViolation, School: "s1", Subject: "cam-1/smoking", Device: "cam-1",
			Severity: alerting.P2, Firing: firing, At: e.clock.Now(), DueAt: &due, MessageEN: "Smoking in the kitchen"}
	}
	onlyOverdue := func() []Change {
		var out []Change
		for _, c := range e.rec.take() {
			if c.Alert.Rule == alerting.KitchenOverdue {
				out = append(out, c)
			}
		}
		return out
	}
	e.m.Apply(violation(true))
	e.advance(24*time.Hour - time.Second)
	expectEvents(t, onlyOverdue())
	e.advance(time.Second)
	cs := onlyOverdue()
	expectEvents(t, cs, "fired kitchen_overdue")
	o := cs[0].Alert
	if o.Subject != "cam-1/smoking" || o.School != "s1" || !o.StartedAt.Equal(due) || o.Severity != alerting.P2 ||
		len(o.Audience) != 2 || o.Audience[0] != alerting.Market || o.Audience[1] != alerting.Education ||
		o.MessageEN != "Kitchen violation not rectified in time: Smoking in the kitchen" {
		t.Fatalf("kitchen_overdue: %+v", o)
	}
	e.advance(time.Minute) // once per violation
	expectEvents(t, onlyOverdue())

	// Resolving the overdue alert by hand does not bring it back.
	if _, err := e.m.Close(o.ID, marketOf("inspector"), "warned the canteen"); err != nil {
		t.Fatal(err)
	}
	onlyOverdue()
	e.advance(time.Hour)
	expectEvents(t, onlyOverdue())

	// A new violation of the same subject (after the first was closed)
	// that goes overdue is resolved with it.
	if _, err := e.m.Close(e.one(alerting.KitchenViolation, "s1", "cam-1/smoking").ID, marketOf("inspector"), "fixed"); err != nil {
		t.Fatal(err)
	}
	due = e.clock.Now().Add(time.Hour)
	e.m.Apply(violation(true))
	e.advance(time.Hour)
	expectEvents(t, onlyOverdue(), "fired kitchen_overdue")
	if _, err := e.m.Close(e.one(alerting.KitchenViolation, "s1", "cam-1/smoking").ID, marketOf("inspector"), "rectified"); err != nil {
		t.Fatal(err)
	}
	cs = onlyOverdue()
	expectEvents(t, cs, "resolved kitchen_overdue")
	if cs[0].Alert.Resolution != "auto" {
		t.Fatalf("overdue resolution %q", cs[0].Alert.Resolution)
	}
}
