package engine_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
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

// BenchmarkEngineMemory measures the live heap the engine keeps per device:
// a generated registry of about CAMPUSGUARD_MEM_DEVICES devices (default
// 100,000), the engine with every rule module and compliance (as
// alerting/service wires them), one heartbeat per device, the deadlines
// armed and a compliance day evaluated once; then a GC. It reports the
// live heap above the registry's, per device (B/device) and in all
// (engine-B), and the registry's own (registry-B/device). Its figure does
// not depend on the machine's speed; run it once with -benchtime=1x. With
// CAMPUSGUARD_MEM_PROFILE=file it writes the heap profile at that point
// (go tool pprof -sample_index=inuse_space; -memprofilerate 4096 for detail).
func BenchmarkEngineMemory(b *testing.B) {
	n := 100_000
	if v := os.Getenv("CAMPUSGUARD_MEM_DEVICES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("CAMPUSGUARD_MEM_DEVICES=%q: want a positive number", v)
		}
	}
	for i := 0; i < b.N; i++ {
		engineB, regB, devs := engineMemory(b, n)
		b.ReportMetric(float64(engineB)/float64(devs), "B/device")
		b.ReportMetric(float64(engineB), "engine-B")
		b.ReportMetric(float64(regB)/float64(devs), "registry-B/device")
		b.ReportMetric(float64(devs), "devices")
	}
}

// liveHeap returns the bytes of live heap after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// engineMemory builds a registry of about n devices and an engine on it
// and returns the live heap the engine added, the registry's and the
// number of devices.
func engineMemory(b *testing.B, n int) (engineB, regB uint64, devs int) {
	b.StopTimer()
	base := liveHeap()
	// Generated schools have 4-10 devices, about 6 on average.
	reg := devices.Generate(devices.GenerateOptions{Seed: 1, Schools: max(n/6, 1)})
	withReg := liveHeap()
	devs = reg.DeviceCount()

	start := time.Date(2026, 11, 30, 7, 30, 0, 0, devices.Location())
	clk := &fakeClock{t: start}
	store := compliance.NewStore(reg, nil)
	store.Now = clk.Now
	e, err := engine.New(engine.Options{Registry: reg, Clock: clk, Manual: true, StartedAt: start,
		Modules: []engine.Module{alarm.New(), access.New(), guard.New(), kitchen.New(), school.New(), compliance.NewModule(store)},
		Sink:    func(alerting.Condition) {}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	<-e.Started()

	b.StartTimer()
	clk.Set(start.Add(30 * time.Second))
	for i := 0; i < devs; i++ {
		d := reg.DeviceAt(i)
		s := d.School()
		ev := devices.Event{Region: s.Region, School: s.ID, Kind: d.Kind, Device: d.ID, ID: strconv.Itoa(i),
			TS: clk.Now(), Received: clk.Now(), Channel: devices.ChannelHeartbeat, Type: "heartbeat." + string(d.Kind),
			Values: heartbeatValues(d.Kind), Dev: d}
		e.Accept(&ev)
	}
	e.Flush()
	clk.Set(start.Add(time.Minute))
	e.Advance(clk.Now())
	_ = store.DayAt(devices.DateOf(start), clk.Now())
	b.StopTimer()

	engineB = liveHeap() - withReg
	if path := os.Getenv("CAMPUSGUARD_MEM_PROFILE"); path != "" {
		writeHeapProfile(b, path)
	}
	runtime.KeepAlive(e)
	runtime.KeepAlive(store)
	runtime.KeepAlive(reg)
	cancel()
	<-done
	return engineB, withReg - base, devs
}

// writeHeapProfile writes the heap profile (live objects: pprof's
// inuse_space) to path while the engine is still live.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// heartbeatValues are the fields the simulator's heartbeats carry that the
// rules read.
func heartbeatValues(k devices.Kind) []devices.Value {
	switch k {
	case devices.KindAlarm:
		return []devices.Value{{Name: "linked", Type: devices.TypeBool, Bool: true}}
	case devices.KindAccess:
		return []devices.Value{{Name: "state", Type: devices.TypeEnum, Str: "closed"}}
	case devices.KindKitchenCam:
		return []devices.Value{{Name: "online", Type: devices.TypeBool, Bool: true},
			{Name: "streaming", Type: devices.TypeBool, Bool: true}, {Name: "frame_age_s", Type: devices.TypeNumber, Num: 0.5},
			{Name: "occluded", Type: devices.TypeBool, Bool: false}}
	}
	return nil
}
