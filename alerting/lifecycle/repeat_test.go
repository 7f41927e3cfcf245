package lifecycle

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// TestRepeatPressFiresAgain: a new press on an open panic is news. On an
// acknowledged panic it fires again (state firing, escalation clock from
// the new press); on a firing one it is announced without delaying the
// escalation. Both go out as a notifiable "repeated".
func TestRepeatPressFiresAgain(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	p := e.one(alerting.AlarmPanic, "s1", "alarm-1")
	e.clock.Add(20 * time.Second)
	if _, err := e.m.Ack(p.ID, policeOf("110-duty"), "officers dispatched"); err != nil {
		t.Fatal(err)
	}
	e.rec.take()

	// Second press, 40 s after the first, while acknowledged.
	e.clock.Add(20 * time.Second)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	cs := e.rec.take()
	expectEvents(t, cs, "repeated alarm_panic")
	if !Notifiable(cs[0]) {
		t.Fatal("repeated is not notifiable")
	}
	r := cs[0].Alert
	if r.ID != p.ID || r.State != alerting.Firing || r.Count != 2 || r.Escalated ||
		!r.UpdatedAt.Equal(t0.Add(40*time.Second)) || !r.StartedAt.Equal(t0) || r.AckedBy != "110-duty" {
		t.Fatalf("repeated panic: %+v", r)
	}

	// The escalation clock restarted at the second press: nothing at
	// 60 s after the first, escalation 60 s after the second.
	e.advance(59 * time.Second)
	expectEvents(t, e.rec.take())
	e.advance(time.Second)
	expectEvents(t, e.rec.take(), "escalated alarm_panic", "fired alarm_unacked")

	// A third press while firing: announced, the alert stays escalated.
	e.clock.Add(5 * time.Second)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	cs = e.rec.take()
	expectEvents(t, cs, "repeated alarm_panic")
	if a := cs[0].Alert; a.State != alerting.Firing || a.Count != 3 || !a.Escalated {
		t.Fatalf("third press: %+v", a)
	}

	// Acknowledging now acknowledges the repeat and ends alarm_unacked.
	ack, err := e.m.Ack(p.ID, policeOf("110-duty-2"), "")
	if err != nil || ack.State != alerting.Acknowledged || ack.AckedBy != "110-duty-2" {
		t.Fatalf("ack of the repeat: %+v %v", ack, err)
	}
	expectEvents(t, e.rec.take(), "acknowledged alarm_panic", "resolved alarm_unacked")
}

// TestRepeatWhileFiringKeepsEscalationClock: a second press before anyone
// acknowledged is announced but does not put escalation off.
func TestRepeatWhileFiringKeepsEscalationClock(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	e.rec.take()
	e.clock.Add(30 * time.Second)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	expectEvents(t, e.rec.take(), "repeated alarm_panic")
	e.advance(30 * time.Second)
	expectEvents(t, e.rec.take(), "escalated alarm_panic", "fired alarm_unacked")
}

// TestRepeatOfOtherRulesIsAnUpdate: only panics fire again; other repeats
// stay quiet updates.
func TestRepeatOfOtherRulesIsAnUpdate(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateForced, "s1", "gate-1")
	e.fire(alerting.GateForced, "s1", "gate-1")
	cs := e.rec.take()
	expectEvents(t, cs, "fired gate_forced", "updated gate_forced")
	if Notifiable(cs[1]) {
		t.Fatal("an update is notifiable")
	}
}

// TestRepeatedPressesHaveDistinctUpdatedAt: consumers of the alert topic
// dedupe on (id, updated_at, event), so every repeated press must carry
// an updated_at of its own, later than the alert's previous change, even
// when the terminal's clock is behind (its presses stamped before the
// acknowledgement) or presses arrive out of order.
func TestRepeatedPressesHaveDistinctUpdatedAt(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	p := e.one(alerting.AlarmPanic, "s1", "alarm-1")
	e.clock.Add(30 * time.Second)
	ack, err := e.m.Ack(p.ID, policeOf("110-duty"), "")
	if err != nil {
		t.Fatal(err)
	}
	e.rec.take()
	prev := ack.UpdatedAt
	for i, stamp := range []time.Duration{10 * time.Second, 20 * time.Second, 15 * time.Second} {
		e.clock.Add(10 * time.Second)
		e.m.Apply(alerting.Condition{Rule: alerting.AlarmPanic, School: "s1", Subject: "alarm-1", Device: "alarm-1",
			Firing: true, At: t0.Add(stamp)}) // the terminal's clock is a minute behind
		cs := e.rec.take()
		expectEvents(t, cs, "repeated alarm_panic")
		if u := cs[0].Alert.UpdatedAt; !u.After(prev) {
			t.Fatalf("press %d: updated_at %s, not after the previous change's %s", i+2, u, prev)
		}
		prev = cs[0].Alert.UpdatedAt
	}
}
