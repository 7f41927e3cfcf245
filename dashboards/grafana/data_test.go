package grafana

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/lineproto"
)

// The simulated world the queries run on.
const (
	simSchools = 20
	simSeed    = 1
	simSpan    = 90 * time.Minute
	simStep    = 10 * time.Second // a message is received at the end of its step: lag 0-10 s
)

// virtualEnd is where the simulation ends on virtual time: a Monday at
// 12:20 Asia/Shanghai, so that the 90 simulated minutes hold visitors at
// the gates, the noon dismissal, guard posts and the lunch kitchen window
// whatever the wall-clock time the test runs at. Every point is then moved
// by a whole number of milliseconds so that the simulation ends at the
// wall-clock "now" and the dashboards' relative ranges see it.
var virtualEnd = time.Date(2026, time.November, 30, 12, 20, 0, 0, devices.Location())

// simData is what loadSimData wrote.
type simData struct {
	lines      []byte         // every line written
	points     map[string]int // points per measurement
	violations int            // kitchen.violation points
	region     string         // a region with every kind of data, for ${region}
}

// fixedClock is the engine's clock; Manual engines only move by Advance.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// loadSimData builds the line protocol of 90 simulated minutes ending at
// now: every device message of a generated 20-school registry, decoded by
// ingest/decode and encoded by ingest/lineproto as campusguard stores it;
// the alert history of a few alerts (alerting.Alert.AppendLineProtocol);
// and today's compliance rows (compliance.Store.LineProtocol, from the
// compliance module fed the same events on the alerting engine).
func loadSimData(t *testing.T, now time.Time) *simData {
	t.Helper()
	reg := devices.Generate(devices.GenerateOptions{Schools: simSchools, Seed: simSeed})
	if err := reg.Validate(); err != nil {
		t.Fatalf("generated registry: %v", err)
	}
	vStart := virtualEnd.Add(-simSpan)
	shift := now.Truncate(time.Millisecond).Sub(virtualEnd) // whole ms: point timestamps keep their shape

	// Faults so that every panel has something to show: a camera off for
	// 40 minutes (offline status, streaming=false), a panic press and a
	// forced gate.
	cam, alarm, gate := firstDevice(reg, devices.KindKitchenCam), firstDevice(reg, devices.KindAlarm), firstDevice(reg, devices.KindAccess)
	s, err := sim.New(sim.Options{
		Registry:  reg,
		Start:     vStart,
		Seed:      simSeed,
		SchoolDay: func(*devices.School, time.Time) bool { return true },
		Faults: []sim.Fault{
			{Kind: sim.FaultKitchenCamOff, Device: cam.ID, From: vStart.Add(20 * time.Minute), To: vStart.Add(60 * time.Minute)},
			{Kind: sim.FaultPanicPress, Device: alarm.ID, From: vStart.Add(30 * time.Minute)},
			{Kind: sim.FaultGateForced, Device: gate.ID, From: vStart.Add(45 * time.Minute)},
		},
	}, nil)
	if err != nil {
		t.Fatalf("sim: %v", err)
	}

	// The compliance module on a manual engine sees the same events on
	// virtual time.
	store := compliance.NewStore(reg, nil)
	eng, err := engine.New(engine.Options{
		Registry:  reg,
		Modules:   []engine.Module{compliance.NewModule(store)},
		Sink:      func(alerting.Condition) {},
		Shards:    2,
		Clock:     fixedClock(vStart),
		Manual:    true,
		StartedAt: vStart,
	})
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	}()
	select {
	case <-eng.Started():
	case err := <-done:
		t.Fatalf("engine stopped: %v", err)
	}

	d := &simData{points: map[string]int{}}
	var received time.Time
	dec := decode.New(reg, decode.Options{Now: func() time.Time { return received }})
	var events []devices.Event
	byRegion := map[string]map[string]bool{} // region → event types seen
	var rejected, late int
	emit := func(topic string, _ bool, payload []byte) {
		ev, err := dec.Decode(topic, payload, received)
		if err != nil {
			rejected++
			if rejected <= 5 {
				t.Errorf("decode %s %s: %v", topic, payload, err)
			}
			return
		}
		events = append(events, ev)
	}
	for vt := vStart; !vt.After(virtualEnd); vt = vt.Add(simStep) {
		received = vt
		events = events[:0]
		s.Step(vt, emit)
		eng.Advance(vt)
		for i := range events {
			ev := &events[i]
			eng.Accept(ev)
			if ev.Type == "kitchen.violation" {
				d.violations++
			}
			ev.TS, ev.Received = ev.TS.Add(shift), ev.Received.Add(shift)
			if late++; late%100 == 0 {
				// One message in a hundred arrives 30 s late (a device
				// replaying its backlog): only such points carry lag_ms.
				ev.Received = ev.Received.Add(30 * time.Second)
			}
			d.lines = lineproto.Append(d.lines, ev)
			d.points[ev.Spec().Measurement]++
			if byRegion[ev.Region] == nil {
				byRegion[ev.Region] = map[string]bool{}
			}
			byRegion[ev.Region][ev.Type] = true
		}
	}
	eng.Flush()
	if rejected > 0 {
		t.Fatalf("%d simulated messages rejected by decode", rejected)
	}

	// The region for ${region}: the one with the most event types.
	best := -1
	for code, types := range byRegion {
		if len(types) > best || len(types) == best && code < d.region {
			best, d.region = len(types), code
		}
	}

	alerts := alertHistory(alarm, gate, cam, virtualEnd, shift)
	d.lines = append(d.lines, alerts...)
	d.points["alert"] = bytes.Count(alerts, []byte("\n"))

	// Today's compliance rows, stamped with virtual local midnight, moved to
	// today's local midnight in wall-clock time (China has no DST, so the
	// shape — one point per series and local day — stays).
	day := devices.DateOf(virtualEnd)
	comp := store.LineProtocol(day, virtualEnd)
	if len(comp) == 0 {
		t.Fatal("compliance store wrote no line")
	}
	vMidnight := strconv.FormatInt(day.In(devices.Location()).UnixNano(), 10)
	today := devices.DateOf(now.In(devices.Location()))
	rMidnight := strconv.FormatInt(today.In(devices.Location()).UnixNano(), 10)
	for _, line := range strings.SplitAfter(string(comp), "\n") {
		if line == "" {
			continue
		}
		body, ts, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " "+vMidnight)
		if !ok || ts != "" {
			t.Fatalf("compliance line not stamped with local midnight %s: %q", vMidnight, line)
		}
		d.lines = append(d.lines, body+" "+rMidnight+"\n"...)
		d.points["compliance"]++
	}

	// At 12:20 no window of the day has ended, so today's rollups carry
	// counts but no rate yet (nothing is judged): yesterday's rows, as the
	// service wrote them after midnight, give the rate panels their last
	// judged figure — every school met every measure but the two that
	// failed (a kitchen camera off 40 min, a forced gate).
	recs := make([]compliance.DayRecord, 0, len(reg.Schools))
	for i := range reg.Schools {
		sch := &reg.Schools[i]
		rec := compliance.DayRecord{School: sch.ID, Region: sch.Region, Date: day.AddDays(-1), Status: map[compliance.Measure]compliance.Status{}}
		for _, m := range compliance.Measures {
			rec.Status[m] = compliance.Met
		}
		if sch.ID == cam.School().ID {
			rec.Status[compliance.BrightKitchen] = compliance.NotMet
		}
		recs = append(recs, rec)
	}
	store.Load(recs)
	yMidnight := strconv.FormatInt(day.AddDays(-1).In(devices.Location()).UnixNano(), 10)
	ryMidnight := strconv.FormatInt(today.AddDays(-1).In(devices.Location()).UnixNano(), 10)
	for _, line := range strings.SplitAfter(string(store.LineProtocol(day.AddDays(-1), virtualEnd)), "\n") {
		if line == "" {
			continue
		}
		body, ts, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " "+yMidnight)
		if !ok || ts != "" {
			t.Fatalf("compliance line not stamped with local midnight %s: %q", yMidnight, line)
		}
		d.lines = append(d.lines, body+" "+ryMidnight+"\n"...)
		d.points["compliance"]++
	}
	return d
}

func firstDevice(reg *devices.Registry, kind devices.Kind) *devices.Device {
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			if dv := &reg.Schools[i].Devices[j]; dv.Kind == kind {
				return dv
			}
		}
	}
	panic(fmt.Sprintf("no %s device in the generated registry", kind))
}

// alertHistory renders the changes of a few alerts, as the lifecycle
// writes them, for the faults loadSimData injected: a panic fired,
// acknowledged and resolved; a forced gate fired and acknowledged (open);
// a camera offline fired and resolved; a kitchen violation still firing.
// Times are virtual (end is the virtual end) moved by shift.
func alertHistory(alarm, gate, cam *devices.Device, end time.Time, shift time.Duration) []byte {
	start := end.Add(-simSpan)
	at := func(m int) time.Time { return start.Add(time.Duration(m)*time.Minute + shift) }
	mk := func(rule alerting.RuleID, sev alerting.Severity, dv *devices.Device, startMin int) *alerting.Alert {
		sch := dv.School()
		return &alerting.Alert{
			ID:        fmt.Sprintf("al-%d-%s", at(startMin).UnixMilli(), rule),
			Rule:      rule,
			Severity:  sev,
			State:     alerting.Firing,
			Region:    sch.Region,
			School:    sch.ID,
			Subject:   dv.ID,
			Device:    dv.ID,
			StartedAt: at(startMin),
			UpdatedAt: at(startMin),
			MessageZH: string(rule) + " " + dv.ID,
			MessageEN: string(rule) + " " + dv.ID,
			Count:     1,
		}
	}
	var b []byte
	change := func(a *alerting.Alert, event string, m int) {
		a.UpdatedAt = at(m)
		b = a.AppendLineProtocol(b, event, at(m))
	}
	ack := func(a *alerting.Alert, m int, by string) {
		a.State, a.AckedBy = alerting.Acknowledged, by
		change(a, "acknowledged", m)
	}
	resolve := func(a *alerting.Alert, m int, note string) {
		r := at(m)
		a.State, a.ResolvedAt, a.Note = alerting.Resolved, &r, note
		change(a, "resolved", m)
	}

	press := mk(alerting.AlarmPanic, alerting.P0, alarm, 30)
	change(press, "fired", 30)
	ack(press, 31, "police-duty")
	resolve(press, 50, "误触 / pressed by mistake")

	forced := mk(alerting.GateForced, alerting.P1, gate, 45)
	change(forced, "fired", 45)
	ack(forced, 52, "school-guard")

	camOff := mk(alerting.KitchenCamOffline, alerting.P1, cam, 25)
	change(camOff, "fired", 25)
	change(camOff, "updated", 40)
	resolve(camOff, 61, "")

	viol := mk(alerting.KitchenViolation, alerting.P2, cam, 70)
	viol.Subject = "no_hat"
	change(viol, "fired", 70)
	viol.Count = 2
	change(viol, "updated", 80)
	return b
}
