package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/access"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/alerting/rules/guard"
	"github.com/campusguard/campusguard/alerting/rules/kitchen"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/devices"
)

// BenchmarkEngineEvent measures rule evaluation: one event through every
// module of its school (all the rule modules and compliance), for the
// whole demo city (≈1,600 schools, ≈11,000 devices), with a realistic mix
// of heartbeats (80 %), gate passages, guard check-ins and kitchen status.
// Events go through Accept and the shard queues; the timer reports the
// cost per event including the hand-off.
func BenchmarkEngineEvent(b *testing.B) {
	reg := devices.Generate(devices.GenerateOptions{Seed: 1})
	reg.Index()
	var devs []*devices.Device
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			devs = append(devs, &reg.Schools[i].Devices[j])
		}
	}
	start := time.Date(2026, 11, 30, 7, 30, 0, 0, devices.Location())
	clk := &fakeClock{t: start}
	store := compliance.NewStore(reg, nil)
	store.Now = clk.Now
	var conds int
	e, err := engine.New(engine.Options{Registry: reg, Clock: clk, Manual: true, StartedAt: start,
		Modules: []engine.Module{alarm.New(), access.New(), guard.New(), kitchen.New(), school.New(), compliance.NewModule(store)},
		Sink:    func(alerting.Condition) { conds++ }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = e.Run(ctx) }()
	<-e.Started()

	events := make([]devices.Event, 4096)
	for i := range events {
		d := devs[(i*7919)%len(devs)]
		s := d.School()
		ev := devices.Event{Region: s.Region, School: s.ID, Kind: d.Kind, Device: d.ID, ID: fmt.Sprint(i),
			Channel: devices.ChannelHeartbeat, Type: "heartbeat." + string(d.Kind)}
		if i%5 == 0 {
			ev.Channel = devices.ChannelEvent
			switch d.Kind {
			case devices.KindAccess:
				ev.Type = "access.granted"
				ev.Values = []devices.Value{{Name: "direction", Type: devices.TypeEnum, Str: "in"}, {Name: "role", Type: devices.TypeEnum, Str: "student"}}
			case devices.KindGuard:
				ev.Type = "guard.checkin"
				ev.Values = []devices.Value{{Name: "guard", Type: devices.TypeString, Str: "g-x"}, {Name: "post", Type: devices.TypeString, Str: devices.PostGuardroom},
					{Name: "role", Type: devices.TypeEnum, Str: "guard"}}
			case devices.KindKitchenCam:
				ev.Type = "kitchen.status"
				ev.Values = []devices.Value{{Name: "online", Type: devices.TypeBool, Bool: true}, {Name: "streaming", Type: devices.TypeBool, Bool: true}}
			default:
				ev.Type = "alarm.test"
			}
		}
		events[i] = ev
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := &events[i%len(events)]
		ev.TS = clk.Now()
		e.Accept(ev)
		if i%4096 == 4095 {
			clk.Set(clk.Now().Add(time.Second))
		}
	}
	e.Flush()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
