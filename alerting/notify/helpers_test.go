package notify

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// waitTimeout bounds every wait in these tests; nothing sleeps.
const waitTimeout = 60 * time.Second

// panicAlert is a firing panic alert of a Shuangqiao school.
func panicAlert() alerting.Alert {
	started := time.Date(2026, 11, 28, 7, 12, 3, 0, shanghai)
	return alerting.Alert{
		ID:        "alm-20261128-0001",
		Rule:      alerting.AlarmPanic,
		Severity:  alerting.P0,
		State:     alerting.Firing,
		Region:    "130802",
		School:    "cd-shuangqiao-no1",
		Subject:   "alarm-guardroom-1",
		Device:    "alarm-guardroom-1",
		Audience:  []alerting.Audience{alerting.Police, alerting.Education, alerting.SchoolAud},
		StartedAt: started,
		UpdatedAt: started,
		MessageZH: "门卫室一键报警按钮被按下",
		MessageEN: "Panic button pressed in the guard room",
		Count:     1,
		Owner:     alerting.Police,
	}
}

// resolvedAlert is a gate alert with every field of docs/alerts.md set.
func resolvedAlert() alerting.Alert {
	started := time.Date(2026, 11, 28, 22, 40, 0, 0, shanghai)
	acked := started.Add(3 * time.Minute)
	resolved := started.Add(25 * time.Minute)
	return alerting.Alert{
		ID:         "alm-20261128-0042",
		Rule:       alerting.GateForced,
		Severity:   alerting.P1,
		State:      alerting.Resolved,
		Region:     "130802",
		School:     "cd-shuangqiao-no1",
		Subject:    "gate-east",
		Device:     "gate-east",
		Audience:   []alerting.Audience{alerting.Police, alerting.SchoolAud},
		StartedAt:  started,
		UpdatedAt:  resolved,
		ResolvedAt: &resolved,
		MessageZH:  "东门被强行打开",
		MessageEN:  "East gate forced open",
		AckedBy:    "police-130802-duty",
		AckedAt:    &acked,
		Note:       "风吹开，已加固门锁 / blown open by wind, lock fixed",
		Count:      2,
		Owner:      alerting.Police,
		Resolution: "manual",
		ClosedBy:   "police-130802-duty",
	}
}

// alertWith is a minimal alert for routing tests.
func alertWith(id string, sev alerting.Severity, region string, aud ...alerting.Audience) alerting.Alert {
	return alerting.Alert{ID: id, Rule: alerting.GateForced, Severity: sev, State: alerting.Firing,
		Region: region, School: "s1", Audience: aud}
}

// fakeNotifier calls fn (nil: succeed) and reports every call on calls
// and every success on delivered.
type fakeNotifier struct {
	fn        func(ctx context.Context, n Notification) (bool, error)
	calls     chan Notification
	delivered chan Notification
}

func newFake(fn func(ctx context.Context, n Notification) (bool, error)) *fakeNotifier {
	return &fakeNotifier{fn: fn, calls: make(chan Notification, 1000), delivered: make(chan Notification, 1000)}
}

func (f *fakeNotifier) Notify(ctx context.Context, n Notification) (bool, error) {
	f.calls <- n
	var retry bool
	var err error
	if f.fn != nil {
		retry, err = f.fn(ctx, n)
	}
	if err == nil {
		f.delivered <- n
	}
	return retry, err
}

// recv returns the next value of ch, failing the test after waitTimeout.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// recvIDs receives n notifications and returns their alert ids.
func recvIDs(t *testing.T, ch <-chan Notification, n int, what string) []string {
	t.Helper()
	var ids []string
	for range n {
		ids = append(ids, recv(t, ch, what).Alert.ID)
	}
	return ids
}

// fakeWait is an injected backoff wait: it records each delay and returns
// at once. It also carries the test dispatcher's outcomes.
type fakeWait struct {
	mu      sync.Mutex
	delays  []time.Duration
	settled chan outcome
}

func (f *fakeWait) wait(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.delays = append(f.delays, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeWait) get() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.delays...)
}

// outcome is a test dispatcher's final result for one notification,
// reported after it is counted: "receiver/alert-id/result".
type outcome = string

// newTestDispatcher builds a Dispatcher whose backoff waits are recorded,
// not slept, and whose final results are reported on fw.settled.
func newTestDispatcher(t *testing.T, opts Options, routes []Route) (*Dispatcher, *fakeWait) {
	t.Helper()
	d, err := NewDispatcher(opts, routes)
	if err != nil {
		t.Fatal(err)
	}
	fw := &fakeWait{settled: make(chan outcome, 1000)}
	d.wait = fw.wait
	d.rand = func() float64 { return 0.5 }
	d.settled = func(receiver string, n *Notification, result string) {
		fw.settled <- receiver + "/" + n.Alert.ID + "/" + result
	}
	return d, fw
}

// next waits for the test dispatcher's next final result.
func (f *fakeWait) next(t *testing.T) outcome {
	t.Helper()
	return recv(t, f.settled, "a final result")
}

// start runs d until the test ends; the cleanup cancels Run and waits for it.
func start(t *testing.T, d *Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := recv(t, errc, "Run to return"); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// sleep is a real, short wait for the tests that talk to a real broker.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fakeClock is a Clock that moves only when the test moves it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	clk *fakeClock
	at  time.Time
	c   chan time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clk: c, at: c.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

// Set moves the clock to now (never back) and fires the timers due.
func (c *fakeClock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.After(c.now) {
		c.now = now
	}
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.c <- c.now
	}
	c.timers = kept
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	for i, x := range t.clk.timers {
		if x == t {
			t.clk.timers = append(t.clk.timers[:i], t.clk.timers[i+1:]...)
			return true
		}
	}
	return false
}
