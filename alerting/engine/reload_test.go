package engine_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/devices"
)

// conds renders the conditions of rule as "fire|resolve school/subject".
func conds(cs []alerting.Condition, rule alerting.RuleID) []string {
	var out []string
	for _, c := range cs {
		if c.Rule != rule {
			continue
		}
		what := "resolve "
		if c.Firing {
			what = "fire "
		}
		out = append(out, what+c.School+"/"+c.Subject)
	}
	slices.Sort(out)
	return out
}

// TestReloadReachesRules: with the real alarm module, a registry reload
// makes a new school's panic raise alarm_panic, resolves the offline alert
// of a removed terminal and drops the presence deadline of another removed
// one, while the remaining terminals keep being watched.
func TestReloadReachesRules(t *testing.T) {
	clk := &fakeClock{t: t0}
	sk := &sink{}
	old := registry(2, 2) // s000-d0, s000-d1, s001-d0, s001-d1; 60 s heartbeats
	e, err := engine.New(engine.Options{Registry: old, Modules: []engine.Module{alarm.New()}, Sink: sk.add,
		Shards: 2, Clock: clk, Manual: true, StartedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	<-e.Started()

	ev := func(school, dev string, ch devices.Channel, typ, id string) *devices.Event {
		return &devices.Event{ID: id, Region: "130802", School: school, Device: dev, Kind: devices.KindAlarm,
			Channel: ch, Type: typ, TS: clk.Now(), Received: clk.Now()}
	}
	// s001-d0 keeps talking; everything else falls silent: offline at +3 min.
	clk.Set(t0.Add(2 * time.Minute))
	e.Accept(ev("s001", "s001-d0", devices.ChannelHeartbeat, "heartbeat", "hb-1"))
	e.Flush()
	clk.Set(t0.Add(4 * time.Minute))
	e.Advance(clk.Now())
	if got, want := conds(sk.take(), alerting.AlarmOffline), []string{
		"fire s000/s000-d0", "fire s000/s000-d1", "fire s001/s001-d1", "resolve s001/s001-d0",
	}; !slices.Equal(got, want) {
		t.Fatalf("before the reload: %v, want %v", got, want)
	}

	// Before the reload a new school's panic is unknown to the engine.
	e.Accept(ev("s002", "s002-d0", devices.ChannelEvent, "alarm.panic", "p-0"))
	e.Flush()
	if got := conds(sk.take(), alerting.AlarmPanic); len(got) != 0 {
		t.Fatalf("panic of an unregistered school: %v", got)
	}

	// The new registry: s000 loses d1 (offline), s001 loses d0 (online,
	// deadline pending), s002 is new.
	next := registry(3, 2)
	keep := func(s *devices.School, id string) {
		s.Devices = slices.DeleteFunc(s.Devices, func(d devices.Device) bool { return d.ID != id })
	}
	keep(&next.Schools[0], "s000-d0")
	keep(&next.Schools[1], "s001-d1")
	next.Index()
	if err := e.Reload(next); err != nil {
		t.Fatal(err)
	}
	if e.Registry() != next {
		t.Error("Registry() is not the reloaded registry")
	}
	if got, want := conds(sk.take(), alerting.AlarmOffline), []string{"resolve s000/s000-d1"}; !slices.Equal(got, want) {
		t.Errorf("at the reload: %v, want %v", got, want)
	}

	// The new school's panic raises alarm_panic.
	e.Accept(ev("s002", "s002-d0", devices.ChannelEvent, "alarm.panic", "p-1"))
	e.Flush()
	all := sk.take()
	if got, want := conds(all, alerting.AlarmPanic), []string{"fire s002/s002-d0"}; !slices.Equal(got, want) {
		t.Errorf("new school's panic: %v, want %v", got, want)
	}
	// An event of a removed terminal changes nothing.
	e.Accept(ev("s001", "s001-d0", devices.ChannelEvent, "alarm.panic", "p-2"))
	e.Flush()
	if got := conds(sk.take(), alerting.AlarmPanic); len(got) != 0 {
		t.Errorf("removed terminal's panic: %v", got)
	}

	// An hour on: the removed s001-d0's deadline never fires; s002's
	// silent terminals go offline 3 min after the reload, s002-d0 3 min
	// after its press.
	clk.Set(t0.Add(time.Hour))
	e.Advance(clk.Now())
	if got, want := conds(sk.take(), alerting.AlarmOffline), []string{"fire s002/s002-d0", "fire s002/s002-d1"}; !slices.Equal(got, want) {
		t.Errorf("after the reload: %v, want %v", got, want)
	}
}

// TestReloadAfterStop: a reload once Run has ended reports ErrStopped.
func TestReloadAfterStop(t *testing.T) {
	clk := &fakeClock{t: t0}
	e, err := engine.New(engine.Options{Registry: registry(1, 1), Modules: []engine.Module{silence{}},
		Sink: func(alerting.Condition) {}, Clock: clk, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	<-e.Started()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(registry(2, 1)); err != engine.ErrStopped {
		t.Errorf("Reload after stop = %v, want ErrStopped", err)
	}
}
