package lifecycle

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// t0 is a school-day morning in Chengde.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d and returns the new time.
func (c *fakeClock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// recorder keeps every Change it is handed.
type recorder struct {
	mu      sync.Mutex
	changes []Change
}

func (r *recorder) OnChange(c Change) {
	r.mu.Lock()
	r.changes = append(r.changes, c)
	r.mu.Unlock()
}

// take returns the changes since the last take.
func (r *recorder) take() []Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.changes
	r.changes = nil
	return out
}

type env struct {
	t     *testing.T
	clock *fakeClock
	rec   *recorder
	store Store
	m     *Manager
}

// newEnv opens a Manager on a memory store whose grace period ended long
// ago, unless mod changes the options.
func newEnv(t *testing.T, mod func(*Options)) *env {
	t.Helper()
	e := &env{t: t, clock: &fakeClock{t: t0}, rec: &recorder{}, store: NewMemStore()}
	opts := Options{
		Clock:     e.clock,
		StartedAt: t0.Add(-time.Hour),
		OnChange:  e.rec.OnChange,
		Region:    func(string) string { return "130802" },
	}
	if mod != nil {
		mod(&opts)
	}
	if opts.Store == nil {
		opts.Store = e.store
	}
	e.store = opts.Store
	m, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	return e
}

// fire applies a firing condition at the clock's time.
func (e *env) fire(rule alerting.RuleID, school, subject string) {
	e.m.Apply(alerting.Condition{Rule: rule, School: school, Subject: subject, Device: subject, Firing: true, At: e.clock.Now()})
}

func (e *env) clear(rule alerting.RuleID, school, subject string) {
	e.m.Apply(alerting.Condition{Rule: rule, School: school, Subject: subject, At: e.clock.Now()})
}

// advance moves the clock and ticks.
func (e *env) advance(d time.Duration) {
	e.m.Tick(e.clock.Add(d))
}

// one returns the one open alert of (rule, school, subject).
func (e *env) one(rule alerting.RuleID, school, subject string) alerting.Alert {
	e.t.Helper()
	var found []alerting.Alert
	for _, a := range e.m.List(Filter{Rules: []alerting.RuleID{rule}, Schools: []string{school}}) {
		if a.Subject == subject && a.Open() {
			found = append(found, a)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("open alerts of %s/%s/%s: %d, want 1", rule, school, subject, len(found))
	}
	return found[0]
}

// events renders changes as "event rule" strings.
func events(cs []Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Event + " " + string(c.Alert.Rule)
	}
	return out
}

func expectEvents(t *testing.T, got []Change, want ...string) {
	t.Helper()
	g := events(got)
	if len(g) != len(want) {
		t.Fatalf("changes: got %q, want %q", g, want)
	}
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("changes: got %q, want %q", g, want)
		}
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// actor returns a person acting for agency; admin an administrator.
func actor(name string, agency alerting.Audience) alerting.Actor {
	return alerting.Actor{Name: name, Agency: agency}
}
func policeOf(name string) alerting.Actor { return actor(name, alerting.Police) }
func marketOf(name string) alerting.Actor { return actor(name, alerting.Market) }
func schoolOf(name string) alerting.Actor { return actor(name, alerting.SchoolAud) }
func adminOf(name string) alerting.Actor  { return alerting.Actor{Name: name, Admin: true} }
