package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
)

func note(id string) Notification {
	return Notification{Alert: alertWith(id, alerting.P1, "130802", alerting.Police), Event: EventFired}
}

// expectOutcomes waits for the dispatcher's next final results, in order.
func expectOutcomes(t *testing.T, fw *fakeWait, want ...outcome) {
	t.Helper()
	for _, w := range want {
		if got := fw.next(t); got != w {
			t.Fatalf("outcome %s, want %s", got, w)
		}
	}
}

func counter(t *testing.T, d *Dispatcher, receiver, result string) float64 {
	t.Helper()
	return testutil.ToFloat64(d.m.sent.WithLabelValues(receiver, result))
}

// TestSlowReceiverDoesNotDelayOthers: a receiver blocked in Notify holds
// only its own queue.
func TestSlowReceiverDoesNotDelayOthers(t *testing.T) {
	release := make(chan struct{})
	slow := newFake(func(ctx context.Context, _ Notification) (bool, error) {
		select {
		case <-release:
			return false, nil
		case <-ctx.Done():
			return true, ctx.Err()
		}
	})
	fast := newFake(nil)
	d, _ := newTestDispatcher(t, Options{}, []Route{{Name: "slow", Notifier: slow}, {Name: "fast", Notifier: fast}})
	start(t, d)

	for i := 1; i <= 3; i++ {
		d.Send(note(fmt.Sprint(i)))
	}
	recv(t, slow.calls, "the slow receiver to start")
	if got := recvIDs(t, fast.delivered, 3, "the fast receiver"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("fast receiver got %v", got)
	}
	select {
	case n := <-slow.delivered:
		t.Fatalf("slow receiver delivered %s before release", n.Alert.ID)
	default:
	}
	if got := testutil.ToFloat64(d.m.queue.WithLabelValues("slow")); got != 2 {
		t.Errorf("slow queue_length = %v, want 2", got)
	}
	close(release)
	if got := recvIDs(t, slow.delivered, 3, "the slow receiver"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("slow receiver got %v, want them in order", got)
	}
}

// TestDeadReceiverRetriesThenDrops: a receiver that always fails is retried
// with growing, jittered delays, then the notification is dropped and
// counted, and the next one is tried.
func TestDeadReceiverRetriesThenDrops(t *testing.T) {
	errDown := errors.New("connection refused")
	var attempts atomic.Int32
	dead := newFake(func(_ context.Context, n Notification) (bool, error) {
		if n.Alert.ID == "doomed" {
			attempts.Add(1)
			return true, errDown
		}
		return false, nil
	})
	opts := Options{MaxAttempts: 6, RetryMin: time.Second, RetryMax: 5 * time.Second}
	d, fw := newTestDispatcher(t, opts, []Route{{Name: "dead", Notifier: dead}})
	var jitter atomic.Int64
	d.rand = func() float64 { return float64(jitter.Add(1)%4) / 4 } // 0.25, 0.5, 0.75, 0, ...
	start(t, d)

	d.Send(note("doomed"))
	d.Send(note("next"))
	expectOutcomes(t, fw, "dead/doomed/dropped", "dead/next/ok")
	if got := attempts.Load(); got != 6 {
		t.Errorf("attempts = %d, want MaxAttempts 6", got)
	}
	delays := fw.get()
	bases := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if len(delays) != len(bases) {
		t.Fatalf("waited %d times (%v), want %d", len(delays), delays, len(bases))
	}
	for i, base := range bases {
		if delays[i] < base/2 || delays[i] > base {
			t.Errorf("delay %d = %s, want in [%s, %s]", i, delays[i], base/2, base)
		}
	}
	for _, c := range []struct {
		result string
		want   float64
	}{{resultDropped, 1}, {resultOK, 1}, {resultError, 0}} {
		if got := counter(t, d, "dead", c.result); got != c.want {
			t.Errorf("sent_total{result=%s} = %v, want %v", c.result, got, c.want)
		}
	}
	if got := testutil.ToFloat64(d.m.failures.WithLabelValues("dead")); got != 6 {
		t.Errorf("failed_attempts_total = %v, want 6", got)
	}
	if got := testutil.ToFloat64(d.m.dropped.WithLabelValues("dead", "P1")); got != 0 {
		t.Errorf("dropped_total (queue overflow) = %v, want 0", got)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	var attempts atomic.Int32
	flaky := newFake(func(context.Context, Notification) (bool, error) {
		if attempts.Add(1) <= 2 {
			return true, ErrUnavailable
		}
		return false, nil
	})
	d, fw := newTestDispatcher(t, Options{}, []Route{{Name: "flaky", Notifier: flaky}})
	start(t, d)
	d.Send(note("a"))
	expectOutcomes(t, fw, "flaky/a/ok")
	if got := len(fw.get()); got != 2 {
		t.Errorf("waited %d times, want 2", got)
	}
	if got := counter(t, d, "flaky", resultOK); got != 1 {
		t.Errorf("sent ok = %v", got)
	}
	if got := testutil.CollectAndCount(d.m.delivery); got != 1 {
		t.Errorf("delivery_seconds series = %d", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var attempts atomic.Int32
	limited := newFake(func(context.Context, Notification) (bool, error) {
		switch attempts.Add(1) {
		case 1:
			return true, &RetryAfterError{After: 90 * time.Second, Err: ErrRateLimited}
		case 2:
			return true, &RetryAfterError{After: time.Hour, Err: ErrRateLimited}
		}
		return false, nil
	})
	d, fw := newTestDispatcher(t, Options{RetryMin: 10 * time.Millisecond, RetryMax: time.Second}, []Route{{Name: "limited", Notifier: limited}})
	start(t, d)
	d.Send(note("a"))
	expectOutcomes(t, fw, "limited/a/ok")
	if got, want := fw.get(), []time.Duration{90 * time.Second, MaxRetryAfter}; !slices.Equal(got, want) {
		t.Errorf("delays = %v, want %v (Retry-After beyond retry_max, capped at MaxRetryAfter)", got, want)
	}
}

func TestRefusedIsNotRetried(t *testing.T) {
	refusing := newFake(func(_ context.Context, n Notification) (bool, error) {
		if n.Alert.ID == "bad" {
			return false, fmt.Errorf("%w: HTTP 400", ErrRejected)
		}
		return false, nil
	})
	d, fw := newTestDispatcher(t, Options{}, []Route{{Name: "r", Notifier: refusing}})
	start(t, d)
	d.Send(note("bad"))
	d.Send(note("good"))
	expectOutcomes(t, fw, "r/bad/error", "r/good/ok")
	if got := len(fw.get()); got != 0 {
		t.Errorf("waited %d times, want no retry", got)
	}
	if got := counter(t, d, "r", resultError); got != 1 {
		t.Errorf("sent error = %v, want 1", got)
	}
}

// TestAttemptTimeout: a Notify that hangs is cut off by AttemptTimeout
// through its context, and retried.
func TestAttemptTimeout(t *testing.T) {
	hanging := newFake(func(ctx context.Context, n Notification) (bool, error) {
		if n.Alert.ID == "hang" {
			<-ctx.Done()
			return true, ctx.Err()
		}
		return false, nil
	})
	d, fw := newTestDispatcher(t, Options{AttemptTimeout: 5 * time.Millisecond, MaxAttempts: 2}, []Route{{Name: "h", Notifier: hanging}})
	start(t, d)
	d.Send(note("hang"))
	d.Send(note("ok"))
	expectOutcomes(t, fw, "h/hang/dropped", "h/ok/ok")
	if got := counter(t, d, "h", resultDropped); got != 1 {
		t.Errorf("sent dropped = %v, want 1", got)
	}
}

// TestQueueOverflowDropsOldest: Send never blocks; a full queue sheds its
// oldest notification and counts it.
func TestQueueOverflowDropsOldest(t *testing.T) {
	rec := newFake(nil)
	other := newFake(nil)
	d, _ := newTestDispatcher(t, Options{QueueSize: 3}, []Route{
		{Name: "small", Notifier: rec},
		{Name: "other", Audiences: []alerting.Audience{alerting.Market}, Notifier: other},
	})
	for i := 1; i <= 5; i++ {
		d.Send(note(fmt.Sprint(i))) // not running yet: nothing drains
	}
	if got := testutil.ToFloat64(d.m.dropped.WithLabelValues("small", "P1")); got != 2 {
		t.Errorf("dropped_total = %v, want 2", got)
	}
	if got := counter(t, d, "small", resultDropped); got != 2 {
		t.Errorf("sent_total{dropped} = %v, want 2", got)
	}
	if got := testutil.ToFloat64(d.m.queue.WithLabelValues("small")); got != 3 {
		t.Errorf("queue_length = %v, want 3", got)
	}
	if got := testutil.ToFloat64(d.m.dropped.WithLabelValues("other", "P1")); got != 0 {
		t.Errorf("other receiver dropped %v", got)
	}
	start(t, d)
	if got := recvIDs(t, rec.delivered, 3, "the queued notifications"); !slices.Equal(got, []string{"3", "4", "5"}) {
		t.Errorf("delivered %v, want the newest three in order", got)
	}
}

// connector is a Notifier with a connection lifecycle.
type connector struct {
	*fakeNotifier
	connected, closed chan struct{}
}

func (c *connector) Connect(context.Context) error { close(c.connected); return nil }
func (c *connector) Close()                        { close(c.closed) }

func TestRunConnectsAndCloses(t *testing.T) {
	c := &connector{fakeNotifier: newFake(nil), connected: make(chan struct{}), closed: make(chan struct{})}
	d, _ := newTestDispatcher(t, Options{}, []Route{{Name: "c", Notifier: c}})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	recv(t, c.connected, "Connect")
	d.Send(note("a"))
	recv(t, c.delivered, "delivery")
	if err := d.Run(ctx); err == nil {
		t.Error("a second Run succeeded")
	}
	cancel()
	if err := recv(t, errc, "Run to return"); err != nil {
		t.Errorf("Run = %v", err)
	}
	select {
	case <-c.closed:
	default:
		t.Error("Run returned without closing the connector")
	}
}

func TestNewDispatcherRejects(t *testing.T) {
	n1, n2 := newFake(nil), newFake(nil)
	tests := []struct {
		name   string
		opts   Options
		routes []Route
		want   string
	}{
		{"no name", Options{}, []Route{{Notifier: n1}}, "routes[0]: name is required"},
		{"no notifier", Options{}, []Route{{Name: "x"}}, "notifier is required"},
		{"bad audience", Options{}, []Route{{Name: "x", Notifier: n1, Audiences: []alerting.Audience{"fire"}}}, "audiences"},
		{"bad region", Options{}, []Route{{Name: "x", Notifier: n1, Regions: []string{"1308"}}}, "regions"},
		{"bad severity", Options{}, []Route{{Name: "x", Notifier: n1, MinSeverity: "high"}}, "min_severity"},
		{"one name two notifiers", Options{}, []Route{{Name: "x", Notifier: n1}, {Name: "x", Notifier: n2}}, "routes[1]"},
		{"negative queue", Options{QueueSize: -1}, nil, "queue_size"},
		{"min above max", Options{RetryMin: time.Minute, RetryMax: time.Second}, nil, "retry_min"},
		{"negative attempts", Options{MaxAttempts: -1}, nil, "max_attempts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewDispatcher(tc.opts, tc.routes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// TestMetricsRegistered: every series has Help and exists per receiver
// before the first notification.
func TestMetricsRegistered(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	_, err := NewDispatcher(Options{Registerer: reg}, []Route{{Name: "alert-topic", Notifier: newFake(nil)}, {Name: "police-110", Notifier: newFake(nil)}})
	if err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"campusguard_notify_sent_total":            6,
		"campusguard_notify_dropped_total":         10, // P0..P3 and unknown
		"campusguard_notify_failed_attempts_total": 2,
		"campusguard_notify_digests_total":         2,
		"campusguard_notify_queue_length":          2,
		"campusguard_notify_delivery_seconds":      2,
	}
	for _, mf := range mfs {
		if mf.GetHelp() == "" {
			t.Errorf("%s has no help", mf.GetName())
		}
		if n, ok := want[mf.GetName()]; !ok {
			t.Errorf("unexpected series %s", mf.GetName())
		} else if len(mf.GetMetric()) != n {
			t.Errorf("%s: %d series, want %d", mf.GetName(), len(mf.GetMetric()), n)
		}
		delete(want, mf.GetName())
	}
	if len(want) > 0 {
		t.Errorf("missing series: %v", want)
	}
	if _, err := NewDispatcher(Options{Registerer: reg}, []Route{{Name: "x", Notifier: newFake(nil)}}); err == nil {
		t.Error("registering twice succeeded")
	}
}

// TestSendCopiesTheAlert: the caller may reuse its alert after Send.
func TestSendCopiesTheAlert(t *testing.T) {
	rec := newFake(nil)
	d, _ := newTestDispatcher(t, Options{}, []Route{{Name: "r", Notifier: rec}})
	a := resolvedAlert()
	d.Send(Notification{Alert: a, Event: EventResolved})
	a.Audience[0] = alerting.Market
	*a.ResolvedAt = time.Time{}
	start(t, d)
	got := recv(t, rec.delivered, "delivery").Alert
	if got.Audience[0] != alerting.Police || got.ResolvedAt.IsZero() {
		t.Errorf("the queued alert changed with the caller's: %+v", got)
	}
}

// TestFullQueueNeverDropsP0: a queue that overflows sheds the oldest of the
// least severe notifications, never a panic, and counts what it shed by
// severity; the panics go out first. The old FIFO dropped the oldest
// notification, the panic first.
func TestFullQueueNeverDropsP0(t *testing.T) {
	rec := newFake(nil)
	d, fw := newTestDispatcher(t, Options{QueueSize: 3}, []Route{{Name: "r", Notifier: rec}})
	first := panicAlert()
	d.Send(Notification{Alert: first, Event: EventFired}) // not running yet: nothing drains
	for i := 1; i <= 5; i++ {
		d.Send(note(fmt.Sprint(i)))
	}
	second := panicAlert()
	second.ID, second.School = "alm-second", "cd-shuangqiao-no2"
	d.Send(Notification{Alert: second, Event: EventFired})
	expectOutcomes(t, fw, "r/1/dropped", "r/2/dropped", "r/3/dropped", "r/4/dropped")
	for sev, want := range map[string]float64{"P0": 0, "P1": 4} {
		if got := testutil.ToFloat64(d.m.dropped.WithLabelValues("r", sev)); got != want {
			t.Errorf("dropped_total{severity=%s} = %v, want %v", sev, got, want)
		}
	}
	start(t, d)
	if got, want := recvIDs(t, rec.delivered, 3, "the kept notifications"), []string{first.ID, "alm-second", "5"}; !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v (both panics first)", got, want)
	}
}

// TestPanicOvertakesARetry: while a receiver backs off from a
// failing notification, a panic that arrives goes next, ahead of the one
// being retried.
func TestPanicOvertakesARetry(t *testing.T) {
	var fails atomic.Int32
	rec := newFake(func(_ context.Context, n Notification) (bool, error) {
		if n.Alert.ID == "busy" && fails.Add(1) == 1 {
			return true, ErrUnavailable
		}
		return false, nil
	})
	d, fw := newTestDispatcher(t, Options{}, []Route{{Name: "r", Notifier: rec}})
	sent := make(chan struct{})
	d.wait = func(ctx context.Context, _ time.Duration) error {
		d.Send(Notification{Alert: panicAlert(), Event: EventFired}) // pressed during the backoff
		close(sent)
		return ctx.Err()
	}
	start(t, d)
	d.Send(note("busy"))
	recv(t, sent, "the backoff")
	expectOutcomes(t, fw, "r/"+panicAlert().ID+"/ok", "r/busy/ok")
}
