package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// silence is a toy module: each device must send something every 10
// minutes (alarm_offline), and an alarm.panic fires alarm_panic.
type silence struct{}

type silenceState struct {
	seen   map[string]time.Time
	events []string // device/type in arrival order, to check ordering
}

func (silence) Name() string { return "toy" }
func (silence) Rules() []alerting.RuleID {
	return []alerting.RuleID{alerting.AlarmOffline, alerting.AlarmPanic}
}
func (silence) NewState(s *devices.School) any {
	if len(s.Devices) == 0 {
		return nil
	}
	return &silenceState{seen: map[string]time.Time{}}
}
func (silence) Start(c engine.Ctx, st any) {
	for _, d := range c.School().Devices {
		c.At(c.Now().Add(10*time.Minute), "toy:"+d.ID)
	}
}
func (silence) OnEvent(c engine.Ctx, st any, ev *devices.Event) {
	s := st.(*silenceState)
	s.events = append(s.events, ev.Device+"/"+ev.ID)
	s.seen[ev.Device] = c.Now()
	c.At(c.Now().Add(10*time.Minute), "toy:"+ev.Device)
	c.Resolve(alerting.AlarmOffline, ev.Device)
	if ev.Type == "alarm.panic" {
		c.Fire(alerting.Condition{Rule: alerting.AlarmPanic, Subject: ev.Device, Device: ev.Device})
	}
}
func (silence) OnTimer(c engine.Ctx, st any, key string) {
	dev := key[len("toy:"):]
	sev := alerting.P1
	if c.Starting() {
		sev = alerting.P3 // visible marker for the test
	}
	c.Fire(alerting.Condition{Rule: alerting.AlarmOffline, Subject: dev, Device: dev, Severity: sev})
	c.At(c.Now().Add(10*time.Minute), key) // still silent: report again later
}

type sink struct {
	mu    sync.Mutex
	conds []alerting.Condition
}

func (s *sink) add(c alerting.Condition) { s.mu.Lock(); s.conds = append(s.conds, c); s.mu.Unlock() }
func (s *sink) take() []alerting.Condition {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.conds
	s.conds = nil
	return out
}

func registry(schools, devs int) *devices.Registry {
	r := &devices.Registry{Regions: []devices.Region{{Code: "130802", Name: "双桥区"}}}
	for i := 0; i < schools; i++ {
		s := devices.School{ID: fmt.Sprintf("s%03d", i), Region: "130802", Type: devices.SchoolPrimary}
		for j := 0; j < devs; j++ {
			s.Devices = append(s.Devices, devices.Device{ID: fmt.Sprintf("s%03d-d%d", i, j), Kind: devices.KindAlarm})
		}
		r.Schools = append(r.Schools, s)
	}
	r.Index()
	return r
}

func startEngine(t *testing.T, reg *devices.Registry, clk *fakeClock, params func(string, string) *config.Params) (*engine.Engine, *sink) {
	t.Helper()
	sk := &sink{}
	e, err := engine.New(engine.Options{Registry: reg, Modules: []engine.Module{silence{}}, Sink: sk.add,
		Shards: 3, Clock: clk, Manual: true, Params: params, StartedAt: clk.Now(), Grace: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	<-e.Started()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return e, sk
}

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestExpectedPresenceFromStart(t *testing.T) {
	clk := &fakeClock{t: t0}
	e, sk := startEngine(t, registry(10, 2), clk, nil)
	// One device of s000 talks; everything else is silent since start.
	clk.Set(t0.Add(5 * time.Minute))
	e.Accept(&devices.Event{School: "s000", Device: "s000-d0", ID: "1", Type: "alarm.test"})
	e.Flush()
	clk.Set(t0.Add(10 * time.Minute))
	e.Advance(clk.Now())
	got := sk.take()
	firing := 0
	for _, c := range got {
		if c.Firing && c.Rule == alerting.AlarmOffline {
			firing++
			if c.Device == "s000-d0" {
				t.Errorf("device that spoke at +5m fired at +10m")
			}
			if c.Severity != alerting.P1 {
				t.Errorf("severity %s after the grace period, want P1", c.Severity)
			}
			if !c.At.Equal(t0.Add(10 * time.Minute)) {
				t.Errorf("fired at %s, want the deadline's time", c.At)
			}
		}
	}
	if firing != 19 {
		t.Fatalf("%d offline conditions, want 19 (every silent device):\n%v", firing, got)
	}
	clk.Set(t0.Add(15 * time.Minute))
	e.Advance(clk.Now())
	for _, c := range sk.take() {
		if c.Firing && c.Device == "s000-d0" {
			return
		}
	}
	t.Fatal("device silent since +5m did not fire at +15m")
}

func TestDeadlinesBeforeAnEventFireFirst(t *testing.T) {
	clk := &fakeClock{t: t0}
	e, sk := startEngine(t, registry(1, 1), clk, nil)
	// The clock passes the deadline, but the next thing the engine sees is
	// an event: the lapse must still be reported, before the recovery.
	clk.Set(t0.Add(12 * time.Minute))
	e.Accept(&devices.Event{School: "s000", Device: "s000-d0", ID: "late", Type: "alarm.test"})
	e.Flush()
	got := sk.take()
	if len(got) != 2 || !got[0].Firing || got[1].Firing {
		t.Fatalf("want fire then resolve, got %+v", got)
	}
}

func TestEventsOfOneSchoolInOrder(t *testing.T) {
	clk := &fakeClock{t: t0}
	e, sk := startEngine(t, registry(7, 3), clk, nil)
	var wg sync.WaitGroup
	for s := 0; s < 7; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				e.Accept(&devices.Event{School: fmt.Sprintf("s%03d", s), Device: fmt.Sprintf("s%03d-d%d", s, i%3),
					ID: fmt.Sprint(i), Type: "alarm.panic"})
			}
		}()
	}
	wg.Wait()
	e.Flush()
	last := map[string]int{}
	for _, c := range sk.take() {
		if !c.Firing {
			continue
		}
		n := last[c.School]
		last[c.School] = n + 1
	}
	for s := 0; s < 7; s++ {
		if got := last[fmt.Sprintf("s%03d", s)]; got != 500 {
			t.Errorf("school %d: %d panics, want 500", s, got)
		}
	}
}

func TestParamsDisableAndOverride(t *testing.T) {
	clk := &fakeClock{t: t0}
	p0 := config.Defaults()
	p0.Disabled[alerting.AlarmOffline] = true
	p1 := config.Defaults()
	p1.Severity[alerting.AlarmPanic] = alerting.P1
	e, sk2 := startEngine(t, registry(2, 1), clk, func(_, school string) *config.Params {
		if school == "s000" {
			return &p0
		}
		return &p1
	})
	e.Accept(&devices.Event{School: "s001", Device: "s001-d0", ID: "p", Type: "alarm.panic"})
	clk.Set(t0.Add(time.Hour))
	e.Advance(clk.Now())
	for _, c := range sk2.take() {
		if c.Firing && c.School == "s000" {
			t.Errorf("disabled rule fired: %+v", c)
		}
		if c.Firing && c.Rule == alerting.AlarmPanic && c.Severity != alerting.P1 {
			t.Errorf("panic severity %s, want the override P1", c.Severity)
		}
	}
}

func TestStartingDuringGrace(t *testing.T) {
	clk := &fakeClock{t: t0}
	sk := &sink{}
	e, err := engine.New(engine.Options{Registry: registry(1, 1), Modules: []engine.Module{silence{}}, Sink: sk.add,
		Clock: clk, Manual: true, StartedAt: t0, Grace: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = e.Run(ctx) }()
	<-e.Started()
	e.Advance(t0.Add(10 * time.Minute)) // inside the grace period
	e.Advance(t0.Add(20 * time.Minute)) // after it
	got := sk.take()
	if len(got) != 2 || got[0].Severity != alerting.P3 || got[1].Severity != alerting.P1 {
		t.Fatalf("want Starting() true at +10m and false at +20m, got %+v", got)
	}
}
