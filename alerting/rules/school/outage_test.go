package school_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/rules/access"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/devices"
)

// This file runs the real engine with the alarm, access and school modules
// into a real lifecycle Manager on one fake clock, and counts what would
// be notified (lifecycle.Notifiable) while a school goes dark device by
// device and comes back.

type changes struct {
	mu sync.Mutex
	cs []lifecycle.Change
}

func (r *changes) add(c lifecycle.Change) { r.mu.Lock(); r.cs = append(r.cs, c); r.mu.Unlock() }

// notified returns the notifiable changes since the last call as
// "event rule/subject".
func (r *changes) notified() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.cs {
		if lifecycle.Notifiable(c) {
			out = append(out, c.Event+" "+string(c.Alert.Rule)+"/"+c.Alert.Subject)
		}
	}
	r.cs = nil
	return out
}

// rig is one school with two alarm terminals and a gate controller (all
// heartbeating every 60 s), the engine and the lifecycle.
type rig struct {
	t    *testing.T
	clk  *enginetest.Clock
	eng  *engine.Engine
	m    *lifecycle.Manager
	rec  *changes
	step time.Duration // how the clock is driven: engine ticks of step; 0: one jump per stretch
	tick time.Time     // last lifecycle Tick
}

var outageSchool = devices.School{ID: "cd-0001", Name: "双桥区第一小学", Region: "130802", Type: devices.SchoolPrimary,
	Devices: []devices.Device{
		{ID: "a1", Kind: devices.KindAlarm},
		{ID: "a2", Kind: devices.KindAlarm},
		{ID: "g1", Kind: devices.KindAccess},
	}}

func kindOf(dev string) devices.Kind {
	for _, d := range outageSchool.Devices {
		if d.ID == dev {
			return d.Kind
		}
	}
	return ""
}

func newRig(t *testing.T, start time.Time, step time.Duration) *rig {
	t.Helper()
	clk := enginetest.NewClock(start)
	rec := &changes{}
	m, err := lifecycle.Open(lifecycle.Options{Store: lifecycle.NewMemStore(), Clock: clk,
		StartedAt: start.Add(-time.Hour), OnChange: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	reg := &devices.Registry{Regions: []devices.Region{{Code: "130802", Name: "双桥区"}},
		Schools: []devices.School{outageSchool}}
	reg.Index()
	eng, err := engine.New(engine.Options{Registry: reg, Sink: m.Apply, Shards: 1, Clock: clk, Manual: true,
		Modules:   []engine.Module{alarm.New(), access.New(), school.New()},
		StartedAt: start.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	<-eng.Started()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return &rig{t: t, clk: clk, eng: eng, m: m, rec: rec, step: step, tick: start}
}

// beat is a heartbeat of dev at time at.
type beat struct {
	at  time.Time
	dev string
}

// run drives the clock to until, delivering the heartbeats (sorted by
// time) on the way: between them the engine advances in steps of r.step
// (or in one jump) and the lifecycle ticks every second.
func (r *rig) run(until time.Time, hbs []beat) {
	sort.SliceStable(hbs, func(i, j int) bool { return hbs[i].at.Before(hbs[j].at) })
	for _, h := range hbs {
		r.advanceTo(h.at)
		r.eng.Accept(&devices.Event{Region: outageSchool.Region, School: outageSchool.ID, Device: h.dev, Kind: kindOf(h.dev),
			Channel: devices.ChannelHeartbeat, Type: "heartbeat", ID: fmt.Sprintf("hb-%s-%d", h.dev, h.at.UnixMilli()),
			TS: h.at, Received: h.at})
		r.eng.Flush()
	}
	r.advanceTo(until)
}

func (r *rig) advanceTo(t time.Time) {
	now := r.clk.Now()
	for now.Before(t) {
		next := t
		if r.step > 0 && now.Add(r.step).Before(t) {
			next = now.Add(r.step)
		}
		now = next
		r.clk.Set(now)
		r.eng.Advance(now)
		if now.Sub(r.tick) >= time.Second {
			r.tick = now
			r.m.Tick(now)
		}
	}
	r.clk.Set(t)
	r.eng.Advance(t)
}

// permutations returns every order of xs.
func permutations(xs []string) [][]string {
	if len(xs) <= 1 {
		return [][]string{append([]string(nil), xs...)}
	}
	var out [][]string
	for i := range xs {
		rest := append(append([]string(nil), xs[:i]...), xs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{xs[i]}, p...))
		}
	}
	return out
}

// TestSchoolGoingDarkNotifiesOnce: whatever the order and timing of the
// devices' offline deadlines, a school going dark device by device is one
// notification (school_offline fired). Coming back: school_offline
// resolved; the device alerts held meanwhile end quietly, and a device
// that does not come back with the school is announced once its presence
// window after the return has passed.
func TestSchoolGoingDarkNotifiesOnce(t *testing.T) {
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, devices.Location()) // a school-day morning
	const interval = time.Minute
	timings := []struct {
		name    string
		offsets []time.Duration // the last heartbeat of the 1st, 2nd, 3rd device of the order, after the first
	}{
		{"deadlines equal", []time.Duration{0, 0, 0}},
		{"deadlines 1 ms apart", []time.Duration{0, time.Millisecond, 2 * time.Millisecond}},
		{"deadlines within one tick", []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond}},
		{"deadlines spread across ticks", []time.Duration{0, 1300 * time.Millisecond, 7 * time.Second}},
		{"deadlines spread over most of an interval", []time.Duration{0, 29 * time.Second, 59 * time.Second}},
		{"two together, one later", []time.Duration{0, 0, 45 * time.Second}},
	}
	drives := []struct {
		name string
		step time.Duration
	}{{"ticks 250ms", 250 * time.Millisecond}, {"ticks 1s", time.Second}, {"one jump", 0}}
	for _, tm := range timings {
		for _, dr := range drives {
			for _, order := range permutations([]string{"a1", "a2", "g1"}) {
				for _, back := range []string{"all back", "first stays down"} {
					name := fmt.Sprintf("%s/%s/%v/%s", tm.name, dr.name, order, back)
					t.Run(name, func(t *testing.T) {
						r := newRig(t, start, dr.step)
						// Two minutes of normal heartbeats, then each device's
						// last one at T + its offset.
						last := start.Add(2 * time.Minute)
						var hbs []beat
						for i, dev := range order {
							for at := last.Add(tm.offsets[i]); !at.Before(start); at = at.Add(-interval) {
								hbs = append(hbs, beat{at, dev})
							}
						}
						dark := last.Add(8 * time.Minute)
						r.run(dark, hbs)
						if got := r.rec.notified(); len(got) != 1 || got[0] != "fired school_offline/" {
							t.Fatalf("notified while going dark: %q, want only school_offline fired", got)
						}

						// The school comes back: devices speak again 1 s apart
						// (in the same order) and keep heartbeating; with
						// "first stays down" order[0] never does.
						hbs = nil
						for i, dev := range order {
							if back == "first stays down" && i == 0 {
								continue
							}
							for at := dark.Add(time.Duration(i) * time.Second); at.Before(dark.Add(10 * time.Minute)); at = at.Add(interval) {
								hbs = append(hbs, beat{at, dev})
							}
						}
						split := dark.Add(3*time.Minute - time.Second)
						var early, late []beat
						for _, h := range hbs {
							if h.at.Before(split) {
								early = append(early, h)
							} else {
								late = append(late, h)
							}
						}
						r.run(split, early)
						if got := r.rec.notified(); len(got) != 1 || got[0] != "resolved school_offline/" {
							t.Fatalf("notified as the school comes back: %q, want only school_offline resolved", got)
						}
						r.run(dark.Add(10*time.Minute), late)
						var want []string
						if back == "first stays down" {
							rule := alerting.AlarmOffline
							if kindOf(order[0]) == devices.KindAccess {
								rule = alerting.AccessOffline
							}
							want = []string{"fired " + string(rule) + "/" + order[0]}
						}
						if got := r.rec.notified(); fmt.Sprint(got) != fmt.Sprint(want) {
							t.Fatalf("notified once the devices had their window to come back: %q, want %q", got, want)
						}
					})
				}
			}
		}
	}
}
