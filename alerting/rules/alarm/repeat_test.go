package alarm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/devices"
)

// TestRepeatPressEndToEnd runs the engine with the alarm module into a
// lifecycle Manager: a new press on an acknowledged panic is a notifiable
// "repeated" change with the panic firing again; a redelivery of a press
// (same event id) changes nothing.
func TestRepeatPressEndToEnd(t *testing.T) {
	start := at(11, 30, 10, 5)
	clk := enginetest.NewClock(start)
	var mu sync.Mutex
	var got []lifecycle.Change
	m, err := lifecycle.Open(lifecycle.Options{Store: lifecycle.NewMemStore(), Clock: clk, StartedAt: start.Add(-time.Hour),
		OnChange: func(c lifecycle.Change) { mu.Lock(); got = append(got, c); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	take := func() []lifecycle.Change {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
	s := testSchool()
	reg := &devices.Registry{Regions: []devices.Region{{Code: "130802", Name: "双桥区"}}, Schools: []devices.School{*s}}
	reg.Index()
	eng, err := engine.New(engine.Options{Registry: reg, Modules: []engine.Module{alarm.New()}, Sink: m.Apply,
		Shards: 1, Clock: clk, Manual: true, StartedAt: start.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	<-eng.Started()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	press := func(id string) []lifecycle.Change {
		ev := event(a1, "alarm.panic")
		ev.ID, ev.Region, ev.School, ev.TS, ev.Received = id, s.Region, s.ID, clk.Now(), clk.Now()
		eng.Accept(&ev)
		eng.Flush()
		return take()
	}

	cs := press("evt-1")
	if len(cs) != 1 || cs[0].Event != lifecycle.EventFired || !lifecycle.Notifiable(cs[0]) {
		t.Fatalf("first press: %+v", cs)
	}
	id := cs[0].Alert.ID
	clk.Add(20 * time.Second)
	if _, err := m.Ack(id, alerting.Actor{Name: "110-duty", Agency: alerting.Police}, "dispatched"); err != nil {
		t.Fatal(err)
	}
	take()

	clk.Add(10 * time.Second)
	if cs := press("evt-1"); len(cs) != 0 {
		t.Fatalf("redelivered press changed the alert: %+v", cs)
	}
	clk.Add(10 * time.Second)
	cs = press("evt-2")
	if len(cs) != 1 || cs[0].Event != lifecycle.EventRepeated || !lifecycle.Notifiable(cs[0]) {
		t.Fatalf("second press: %+v", cs)
	}
	if a := cs[0].Alert; a.ID != id || a.State != alerting.Firing || a.Count != 2 || a.Rule != alerting.AlarmPanic {
		t.Fatalf("second press: %+v", a)
	}
	if cs := press("evt-2"); len(cs) != 0 {
		t.Fatalf("redelivered second press changed the alert: %+v", cs)
	}
	if a, _ := m.Get(id); a.Count != 2 || a.State != alerting.Firing {
		t.Fatalf("after redeliveries: %+v", a)
	}
}
