package sim

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
)

// monday is a Monday, local midnight.
var monday = time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)

func hm(h, m int) devices.ClockTime { return devices.ClockTime(h*60 + m) }

// testRegistry is three schools of different shape:
//   - cd-0001: primary, 800 pupils, default windows, two gates, a main-gate post;
//   - cd-0002: boarding secondary, 1500 pupils (300 boarders), its own peak
//     windows, two posts, two kitchen cameras;
//   - cd-0003: kindergarten, 120 pupils, one guard, no posts listed, 30 s
//     gate heartbeat.
func testRegistry(t testing.TB) *devices.Registry {
	t.Helper()
	guards := func(school string, n int) []devices.Guard {
		gs := make([]devices.Guard, n)
		for i := range gs {
			gs[i] = devices.Guard{ID: school + "-g" + string(rune('1'+i))}
		}
		return gs
	}
	r := &devices.Registry{
		Regions:   []devices.Region{{Code: "130802", Name: "双桥区"}, {Code: "130821", Name: "承德县"}},
		Calendars: []devices.Calendar{devices.DefaultCalendar()},
		Schools: []devices.School{
			{
				ID: "cd-0001", Name: "Primary 1", Region: "130802", Type: devices.SchoolPrimary, Pupils: 800, Calendar: devices.DefaultCalendarID,
				Posts:    []devices.Post{{ID: "guardroom"}, {ID: "main-gate", MinStaff: 2}},
				Kitchens: []devices.Kitchen{{ID: "k1"}},
				Guards:   guards("cd-0001", 4),
				Devices: []devices.Device{
					{ID: "cd-0001-alarm-1", Kind: devices.KindAlarm},
					{ID: "cd-0001-gate-1", Kind: devices.KindAccess, Gate: "south"},
					{ID: "cd-0001-gate-2", Kind: devices.KindAccess, Gate: "north"},
					{ID: "cd-0001-guard-1", Kind: devices.KindGuard, Post: "guardroom"},
					{ID: "cd-0001-guard-2", Kind: devices.KindGuard, Post: "main-gate"},
					{ID: "cd-0001-kitchencam-1", Kind: devices.KindKitchenCam, Kitchen: "k1"},
				},
			},
			{
				ID: "cd-0002", Name: "Secondary 2", Region: "130821", Type: devices.SchoolSecondary, Pupils: 1500, Boarders: 300, Calendar: devices.DefaultCalendarID,
				Windows: devices.Windows{Peaks: []devices.Window{
					{Name: "morning", Start: hm(6, 50), End: hm(7, 40)},
					{Name: "evening", Start: hm(17, 30), End: hm(18, 10)},
				}},
				Posts:    []devices.Post{{ID: "guardroom"}, {ID: "main-gate", MinStaff: 3}, {ID: "north-gate"}},
				Kitchens: []devices.Kitchen{{ID: "k1"}, {ID: "k2"}},
				Guards:   guards("cd-0002", 6),
				Devices: []devices.Device{
					{ID: "cd-0002-alarm-1", Kind: devices.KindAlarm},
					{ID: "cd-0002-gate-1", Kind: devices.KindAccess},
					{ID: "cd-0002-guard-1", Kind: devices.KindGuard, Post: "guardroom"},
					{ID: "cd-0002-guard-2", Kind: devices.KindGuard, Post: "main-gate"},
					{ID: "cd-0002-kitchencam-1", Kind: devices.KindKitchenCam, Kitchen: "k1"},
					{ID: "cd-0002-kitchencam-2", Kind: devices.KindKitchenCam, Kitchen: "k2"},
				},
			},
			{
				ID: "cd-0003", Name: "Kindergarten 3", Region: "130802", Type: devices.SchoolKindergarten, Pupils: 120, Calendar: devices.DefaultCalendarID,
				Kitchens: []devices.Kitchen{{ID: "k1"}},
				Guards:   guards("cd-0003", 1),
				Devices: []devices.Device{
					{ID: "cd-0003-alarm-1", Kind: devices.KindAlarm},
					{ID: "cd-0003-gate-1", Kind: devices.KindAccess, Heartbeat: devices.Duration(30 * time.Second)},
					{ID: "cd-0003-guard-1", Kind: devices.KindGuard},
					{ID: "cd-0003-kitchencam-1", Kind: devices.KindKitchenCam, Kitchen: "k1"},
				},
			},
		},
	}
	r.Index()
	return r
}

// msg is one emitted message, decoded.
type msg struct {
	Topic    string
	Retained bool
	Raw      string
	Fields   map[string]any

	School, Kind, Device, Channel string
	TS                            time.Time
}

func (m *msg) str(k string) string { s, _ := m.Fields[k].(string); return s }
func (m *msg) typ() string         { return m.str("type") }

// collect steps s from its start to until in steps of step, decoding
// every message.
func collect(t testing.TB, s *Simulator, until time.Time, step time.Duration) []msg {
	t.Helper()
	var out []msg
	emit := func(topic string, retained bool, payload []byte) {
		m := msg{Topic: topic, Retained: retained, Raw: string(payload)}
		if err := json.Unmarshal(payload, &m.Fields); err != nil {
			t.Fatalf("payload of %s is not JSON: %v: %s", topic, err, payload)
		}
		parts := strings.Split(topic, "/")
		if len(parts) != 6 || parts[0] != "campus" {
			t.Fatalf("bad topic %q", topic)
		}
		m.School, m.Kind, m.Device, m.Channel = parts[2], parts[3], parts[4], parts[5]
		ts, err := time.Parse(time.RFC3339, m.str("ts"))
		if err != nil {
			t.Fatalf("bad ts in %s: %v", payload, err)
		}
		m.TS = ts
		out = append(out, m)
	}
	for now := s.Start(); now.Before(until); {
		now = now.Add(step)
		if now.After(until) {
			now = until
		}
		s.Step(now, emit)
	}
	return out
}

// newSim builds a simulator over the test registry or fails the test.
func newSim(t testing.TB, opts Options) *Simulator {
	t.Helper()
	if opts.Registry == nil {
		opts.Registry = testRegistry(t)
	}
	if opts.Start.IsZero() {
		opts.Start = monday
	}
	s, err := New(opts, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// fakeClock is a Clock that moves only when the test advances it. waiting
// receives once per After call, so the test knows when Run is idle.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	waiting chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waiting: make(chan struct{}, 1024)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	c.mu.Unlock()
	c.waiting <- struct{}{}
	return ch
}

// Advance moves the clock and fires the timers that became due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func zerologNop() zerolog.Logger { return zerolog.Nop() }
