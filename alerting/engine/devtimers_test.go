package engine_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// pulse is a toy module with device deadlines: each alarm device must
// send something every 10 minutes (slot 0, fires alarm_link_down; armed
// for every alarm device at the first Start only), and a panic arms slot 1
// for a minute later, which fires alarm_panic.
type pulse struct{}

func (pulse) Name() string { return "pulse" }
func (pulse) Rules() []alerting.RuleID {
	return []alerting.RuleID{alerting.AlarmOffline, alerting.AlarmPanic}
}
func (pulse) NewState(*devices.School) any { return new(int) }
func (pulse) Start(c engine.Ctx, st any) {
	n := st.(*int)
	if *n++; *n > 1 {
		return
	}
	for i := range c.School().Devices {
		if d := &c.School().Devices[i]; d.Kind == devices.KindAlarm {
			c.AtDevice(c.Now().Add(10*time.Minute), d, 0)
		}
	}
}
func (pulse) OnEvent(c engine.Ctx, _ any, ev *devices.Event) {
	if ev.Dev == nil {
		return
	}
	c.AtDevice(c.Now().Add(10*time.Minute), ev.Dev, 0)
	if ev.Type == "pulse.arm" {
		c.AtDevice(c.Now().Add(time.Minute), ev.Dev, 1)
	}
	if ev.Type == "pulse.cancel" {
		c.CancelDevice(ev.Dev, 1)
	}
}
func (pulse) OnTimer(engine.Ctx, any, string) {}
func (pulse) TimerSlots(k devices.Kind) int {
	if k == devices.KindAlarm {
		return 2
	}
	return 0
}
func (pulse) TimerKey(d *devices.Device, slot int) string {
	return fmt.Sprintf("pulse:%d:%s", slot, d.ID)
}
func (pulse) OnDeviceTimer(c engine.Ctx, _ any, d *devices.Device, slot int) {
	rule := alerting.AlarmLinkDown
	if slot == 1 {
		rule = alerting.AlarmPanic
	}
	if c.Now().Location() != t0.Location() {
		rule = alerting.AlarmTrouble // the test fails on the rule: wrong zone
	}
	c.Fire(alerting.Condition{Rule: rule, Subject: d.ID, Device: d.ID})
}

// fired lists "rule device@minutes" of the firing conditions, but
// silence's alarm_offline.
func fired(cs []alerting.Condition) []string {
	var out []string
	for _, c := range cs {
		if c.Firing && c.Rule != alerting.AlarmOffline {
			out = append(out, fmt.Sprintf("%s %s@%v", c.Rule, c.Device, c.At.Sub(t0)))
		}
	}
	slices.Sort(out)
	return out
}

// TestDeviceDeadlines checks device deadlines (Ctx.AtDevice) through the
// engine: they fire at their time to their device and slot in the clock's
// zone, move and cancel, and a registry reload carries each one over to
// its device at its new place (devices added before it, another kind
// added, a device removed with a deadline pending), dropping those of
// removed devices and schools.
func TestDeviceDeadlines(t *testing.T) {
	reg := &devices.Registry{Regions: []devices.Region{{Code: "130802", Name: "双桥区"}}}
	alarmDev := func(id string) devices.Device { return devices.Device{ID: id, Kind: devices.KindAlarm} }
	reg.Schools = []devices.School{
		{ID: "s1", Region: "130802", Devices: []devices.Device{alarmDev("a1"), alarmDev("a2"), alarmDev("a3")}},
		{ID: "s2", Region: "130802", Devices: []devices.Device{alarmDev("b1")}},
	}
	reg.Index()
	clk := &fakeClock{t: t0}
	sk := &sink{}
	e, err := engine.New(engine.Options{Registry: reg, Modules: []engine.Module{silence{}, pulse{}}, Sink: sk.add,
		Shards: 2, Clock: clk, Manual: true, StartedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-e.Started()

	ev := func(r *devices.Registry, school, dev, typ string) {
		d, _ := r.Device(dev)
		e.Accept(&devices.Event{School: school, Device: dev, ID: typ, Type: typ, Dev: d})
	}
	clk.Set(t0.Add(5 * time.Minute))
	ev(reg, "s1", "a1", "pulse.arm")    // a1 due +15, panic +6
	ev(reg, "s1", "a2", "pulse.arm")    // a2 due +15, panic +6 (moved from +10 by the event)
	ev(reg, "s1", "a2", "pulse.cancel") // a2's panic cancelled
	ev(reg, "s1", "a3", "alarm.test")   // a3 due +15
	ev(reg, "s2", "b1", "alarm.test")   // b1 due +15
	e.Flush()
	clk.Set(t0.Add(6 * time.Minute))
	e.Advance(clk.Now())
	if got, want := fired(sk.take()), []string{"alarm_panic a1@6m0s"}; !slices.Equal(got, want) {
		t.Fatalf("by +6 min fired %v, want %v", got, want)
	}

	// Reload: s1 gains g0 (another kind) and a0 before its alarms, loses
	// a2; s2 is removed. a1 and a3 keep their +15 deadlines.
	clk.Set(t0.Add(7 * time.Minute))
	ev(reg, "s1", "a2", "pulse.arm") // a2 panic +8, removed before it
	e.Flush()
	next := &devices.Registry{Regions: reg.Regions, Schools: []devices.School{
		{ID: "s1", Region: "130802", Devices: []devices.Device{{ID: "g0", Kind: devices.KindGuard}, alarmDev("a0"),
			alarmDev("a3"), alarmDev("a1")}},
	}}
	next.Index()
	if err := e.Reload(next); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(20 * time.Minute))
	e.Advance(clk.Now())
	// a2's panic and b1's deadline went with their device and school; a0
	// was never armed (pulse arms at the first Start only).
	want := []string{"alarm_link_down a1@15m0s", "alarm_link_down a3@15m0s"}
	if got := fired(sk.take()); !slices.Equal(got, want) {
		t.Fatalf("after the reload fired %v, want %v", got, want)
	}
}
