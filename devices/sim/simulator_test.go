package sim

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
)

// digest steps a simulator over [from, to) in steps of step and hashes
// everything it emits.
func digest(t *testing.T, opts Options, to time.Time, step time.Duration) ([32]byte, int) {
	t.Helper()
	s := newSim(t, opts)
	h := sha256.New()
	n := 0
	emit := func(topic string, retained bool, payload []byte) {
		h.Write([]byte(topic))
		h.Write(payload)
		n++
	}
	for now := s.Start(); now.Before(to); {
		now = now.Add(step)
		if now.After(to) {
			now = to
		}
		s.Step(now, emit)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, n
}

func TestStepDeterministic(t *testing.T) {
	opts := Options{Seed: 42, Start: at(monday, 6, 0), Rate: 0.5}
	end := at(monday, 14, 0)
	a, n := digest(t, opts, end, time.Minute)
	b, _ := digest(t, opts, end, time.Minute)
	if a != b {
		t.Fatal("same options, different traffic")
	}
	// How often Step is called does not change what it generates.
	c, _ := digest(t, opts, end, 7*time.Second)
	d, _ := digest(t, opts, end, 2*time.Hour)
	if a != c || a != d {
		t.Fatal("traffic depends on the step size")
	}
	opts.Seed = 43
	if e, _ := digest(t, opts, end, time.Minute); e == a {
		t.Fatal("different seeds, same traffic")
	}
	if n < 5000 {
		t.Fatalf("only %d messages from 06:00 to 14:00", n)
	}
}

func TestStartMidDay(t *testing.T) {
	// Starting at 10:00, whoever is on duty is checked in at the start,
	// the gates of a running window are open, and nothing is dated before
	// the start.
	start := at(monday, 7, 30)
	s := newSim(t, Options{Seed: 9, Start: start})
	msgs := collect(t, s, at(monday, 12, 0), time.Minute)
	checkedIn := map[string]bool{}
	opened := map[string]bool{}
	for _, m := range msgs {
		if m.TS.Before(start) {
			t.Fatalf("message before the start: %s", m.Raw)
		}
		if m.TS.Equal(start) && m.typ() == "guard.checkin" {
			checkedIn[m.School+" "+m.str("post")] = true
		}
		if m.TS.Equal(start) && m.typ() == "gate.state" && m.str("state") == "open" {
			opened[m.Device] = true
		}
	}
	for _, school := range []string{"cd-0001", "cd-0002", "cd-0003"} {
		if !checkedIn[school+" guardroom"] {
			t.Errorf("%s: nobody checked in at the guard room at the start", school)
		}
	}
	// 07:30 is inside cd-0001's (06:50-08:20) and cd-0003's (07:20-08:55)
	// gate windows, after cd-0002's (06:40-07:50) start too.
	for _, d := range []string{"cd-0001-gate-1", "cd-0001-gate-2", "cd-0002-gate-1", "cd-0003-gate-1"} {
		if !opened[d] {
			t.Errorf("%s: not opened at the start inside its gate window", d)
		}
	}
	if !checkedIn["cd-0001 main-gate"] {
		t.Error("cd-0001: morning post not staffed at a start inside the peak")
	}
}

func TestLoadRate(t *testing.T) {
	start := at(monday, 2, 0) // nothing but heartbeats at night
	s := newSim(t, Options{Seed: 1, Start: start, Rate: 2000})
	perDevice := map[string]int{}
	n := 0
	s.Step(start.Add(10*time.Second), func(topic string, retained bool, payload []byte) {
		n++
		perDevice[topic[:strings.LastIndexByte(topic, '/')]]++
	})
	devs := s.opts.Registry.DeviceCount()
	// 20,000 load messages plus each device's status and at most one heartbeat.
	if n < 20000+devs || n > 20001+3*devs {
		t.Fatalf("%d messages in 10 s at 2000/s over %d devices", n, devs)
	}
	for d, k := range perDevice {
		if k < 20000/devs || k > 20000/devs+3 {
			t.Errorf("%s: %d messages, want about %d: not uniform", d, k, 20000/devs)
		}
	}
	if got := s.Stats().ByType["access.granted"]; got == 0 {
		t.Error("no granted passages in the load mix")
	}
}

func TestAlarmMonthlyTest(t *testing.T) {
	// One terminal, heartbeats rare, over 40 days from the 1st of a month:
	// exactly one test press in each month, on a school day.
	reg := &devices.Registry{
		Calendars: []devices.Calendar{devices.DefaultCalendar()},
		Schools: []devices.School{{ID: "cd-0001", Region: "130802", Type: devices.SchoolPrimary, Pupils: 50,
			Calendar: devices.DefaultCalendarID,
			Devices:  []devices.Device{{ID: "cd-0001-alarm-1", Kind: devices.KindAlarm}}}},
	}
	reg.Index()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai)
	s, err := New(Options{Registry: reg, Start: start, HeartbeatScale: 0.01, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cal := devices.DefaultCalendar()
	months := map[time.Month]int{}
	for _, m := range collect(t, s, start.AddDate(0, 0, 40), 6*time.Hour) {
		if err := checkPayload(m.Kind, m.Channel, m.Fields); err != nil {
			t.Fatal(err)
		}
		if m.typ() == "alarm.test" {
			months[m.TS.Month()]++
			if !cal.IsSchoolDay(m.TS) || m.TS.Hour() < 9 || m.TS.Hour() >= 16 {
				t.Errorf("test press at %s: want a school day, 09:00-16:00", m.TS)
			}
		}
	}
	if months[time.November] != 1 || months[time.December] > 1 || len(months) > 2 {
		t.Errorf("test presses by month %v, want one in November and at most one in December", months)
	}
}

func TestPanicRate(t *testing.T) {
	s := newSim(t, Options{Seed: 2, PanicRate: 3})
	s.Step(monday.AddDate(0, 0, 4), func(string, bool, []byte) {})
	panics := s.Stats().ByType["alarm.panic"]
	// 3 terminals x 4 days x 3 a day = 36 expected.
	if panics < 15 || panics > 60 {
		t.Errorf("%d panic presses, want about 36", panics)
	}
}

// fakePublisher records what Run publishes; every failEvery-th call fails.
type fakePublisher struct {
	mu        sync.Mutex
	calls     int
	failEvery int
	got       []published
}

type published struct {
	topic    string
	qos      byte
	retained bool
	payload  string
}

func (p *fakePublisher) Publish(_ context.Context, topic string, qos byte, retained bool, payload []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.failEvery > 0 && p.calls%p.failEvery == 0 {
		return errors.New("broker says no")
	}
	p.got = append(p.got, published{topic, qos, retained, string(payload)})
	return nil
}

func TestRun(t *testing.T) {
	wall := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)
	clock := newFakeClock(wall)
	pub := &fakePublisher{failEvery: 100}
	reg := prometheus.NewPedanticRegistry()
	start := at(monday, 7, 30)
	s, err := New(Options{Registry: testRegistry(t), Start: start, Speed: 60, Clock: clock, Seed: 1, Registerer: reg}, pub)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	// 10 wall seconds = 10 virtual minutes of the morning peak.
	for range 1000 {
		<-clock.waiting // Run is idle, waiting for its next tick
		clock.Advance(runTick)
	}
	<-clock.waiting
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}

	pub.mu.Lock()
	defer pub.mu.Unlock()
	st := s.Stats()
	if len(pub.got) < 500 || uint64(pub.calls) != st.Published || st.Errors != uint64(pub.calls/100) {
		t.Fatalf("published %d of %d calls; stats %d published, %d errors", len(pub.got), pub.calls, st.Published, st.Errors)
	}
	lastWall := clock.Now()
	for _, p := range pub.got {
		if p.qos != 1 || p.retained != strings.HasSuffix(p.topic, "/status") {
			t.Fatalf("%s: qos %d retained %v", p.topic, p.qos, p.retained)
		}
		// Speed > 1: timestamps are wall time, never ahead of it.
		ts := p.payload[strings.Index(p.payload, `"ts":"`)+6:]
		tm, err := time.Parse(time.RFC3339, ts[:strings.IndexByte(ts, '"')])
		if err != nil || tm.Before(wall) || tm.After(lastWall) {
			t.Fatalf("ts %v outside wall time %s..%s (%v)", tm, wall, lastWall, err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			series[key] = m.GetCounter().GetValue()
		}
	}
	if len(series) != 4*3+1 {
		t.Errorf("%d metric series, want 13 (4 kinds x 3 channels, errors): %v", len(series), series)
	}
	if v := series["campusguard_sim_published_total channel=event kind=access"]; v == 0 {
		t.Errorf("no access events counted after a morning peak: %v", series)
	}
	if v := series["campusguard_sim_publish_errors_total"]; v != float64(st.Errors) {
		t.Errorf("errors metric %v, stats %d", v, st.Errors)
	}
}

func TestRunNeedsPublisher(t *testing.T) {
	s := newSim(t, Options{})
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("Run without a publisher succeeded")
	}
}

func TestOptionsValidate(t *testing.T) {
	reg := testRegistry(t)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no registry", Options{}, "registry is required"},
		{"negative speed", Options{Registry: reg, Speed: -1}, "speed"},
		{"negative rate", Options{Registry: reg, Rate: -5}, "rate"},
		{"negative heartbeat scale", Options{Registry: reg, HeartbeatScale: -1}, "heartbeat scale"},
		{"negative panic rate", Options{Registry: reg, PanicRate: -1}, "panic rate"},
		{"bad fault", Options{Registry: reg, Faults: []Fault{{Kind: "silent_device"}}}, "faults[0]: fault silent_device needs a device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
