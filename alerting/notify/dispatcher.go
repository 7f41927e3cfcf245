package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
)

// Defaults of Options; a zero field takes its default.
const (
	DefaultQueueSize      = 10000
	DefaultRetryMin       = time.Second
	DefaultRetryMax       = time.Minute
	DefaultMaxAttempts    = 20
	DefaultAttemptTimeout = 30 * time.Second
)

// logEvery is how often a receiver may log a failure of one kind.
const logEvery = time.Minute

// Options configure a Dispatcher. A zero field takes its default.
type Options struct {
	// QueueSize bounds each receiver's queue; when it is full the oldest
	// notification is dropped (default 10000).
	QueueSize int
	// RetryMin and RetryMax bound the jittered exponential backoff between
	// attempts at one notification (default 1s and 1m). A receiver's
	// Retry-After is honoured beyond RetryMax, up to MaxRetryAfter.
	RetryMin, RetryMax time.Duration
	// MaxAttempts: after this many failed attempts a notification is
	// dropped and counted (default 20).
	MaxAttempts int
	// AttemptTimeout bounds one Notify call through its context (default 30s).
	AttemptTimeout time.Duration
	Logger         zerolog.Logger
	Registerer     prometheus.Registerer
}

// Defaults returns Options with every default filled in.
func Defaults() Options {
	return Options{
		QueueSize:      DefaultQueueSize,
		RetryMin:       DefaultRetryMin,
		RetryMax:       DefaultRetryMax,
		MaxAttempts:    DefaultMaxAttempts,
		AttemptTimeout: DefaultAttemptTimeout,
		Logger:         zerolog.Nop(),
	}
}

// withDefaults fills in zero fields.
func (o Options) withDefaults() Options {
	d := Defaults()
	if o.QueueSize == 0 {
		o.QueueSize = d.QueueSize
	}
	if o.RetryMin == 0 {
		o.RetryMin = d.RetryMin
	}
	if o.RetryMax == 0 {
		o.RetryMax = max(d.RetryMax, o.RetryMin)
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = d.MaxAttempts
	}
	if o.AttemptTimeout == 0 {
		o.AttemptTimeout = d.AttemptTimeout
	}
	return o
}

// Validate reports the first invalid option, naming it. Zero values are
// valid (they take defaults).
func (o *Options) Validate() error {
	switch {
	case o.QueueSize < 0:
		return fmt.Errorf("notify: queue_size must be > 0: %d", o.QueueSize)
	case o.RetryMin < 0:
		return fmt.Errorf("notify: retry_min must be > 0: %s", o.RetryMin)
	case o.RetryMax < 0:
		return fmt.Errorf("notify: retry_max must be > 0: %s", o.RetryMax)
	case o.RetryMax != 0 && o.RetryMin > o.RetryMax:
		return fmt.Errorf("notify: retry_min %s must not exceed retry_max %s", o.RetryMin, o.RetryMax)
	case o.MaxAttempts < 0:
		return fmt.Errorf("notify: max_attempts must be > 0: %d", o.MaxAttempts)
	case o.AttemptTimeout < 0:
		return fmt.Errorf("notify: attempt_timeout must be > 0: %s", o.AttemptTimeout)
	}
	return nil
}

// Dispatcher routes notifications to receivers. Each receiver has its own
// bounded queue and its own goroutine (while Run runs), so a slow or dead
// receiver only ever delays itself.
type Dispatcher struct {
	opts      Options
	receivers []*receiver
	log       zerolog.Logger
	m         *metrics
	running   atomic.Bool

	// Test hooks.
	wait    waitFunc
	rand    func() float64
	now     func() time.Time
	settled func(receiver string, n *Notification, result string) // after each final result is counted
}

// receiver is one named destination: its routes, queue and series.
type receiver struct {
	name     string
	notifier Notifier
	routes   []Route
	q        *queue
	log      zerolog.Logger

	sent     map[string]prometheus.Counter
	dropped  prometheus.Counter
	failures prometheus.Counter
	delivery prometheus.Observer

	overflowLog, retryLog, failLog throttle
}

// NewDispatcher checks opts and routes and builds the receivers' queues and
// metrics. It starts nothing: Send queues, Run delivers.
func NewDispatcher(opts Options, routes []Route) (*Dispatcher, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	d := &Dispatcher{
		opts: opts,
		log:  opts.Logger.With().Str("component", "alerting.notify").Logger(),
		wait: sleep,
		rand: rand.Float64,
		now:  time.Now,
	}
	byName := map[string]*receiver{}
	for i := range routes {
		rt := routes[i]
		if err := rt.validate(); err != nil {
			return nil, fmt.Errorf("notify: routes[%d]: %w", i, err)
		}
		r, ok := byName[rt.Name]
		if !ok {
			r = &receiver{
				name:        rt.Name,
				notifier:    rt.Notifier,
				log:         d.log.With().Str("receiver", rt.Name).Logger(),
				overflowLog: throttle{every: logEvery},
				retryLog:    throttle{every: logEvery},
				failLog:     throttle{every: logEvery},
			}
			byName[rt.Name] = r
			d.receivers = append(d.receivers, r)
		} else if !sameNotifier(r.notifier, rt.Notifier) {
			return nil, fmt.Errorf("notify: routes[%d]: receiver %q: routes with one name must share one notifier", i, rt.Name)
		}
		r.routes = append(r.routes, rt)
	}
	names := make([]string, len(d.receivers))
	for i, r := range d.receivers {
		names[i] = r.name
	}
	m, err := newMetrics(opts.Registerer, names)
	if err != nil {
		return nil, fmt.Errorf("notify: metrics: %w", err)
	}
	d.m = m
	for _, r := range d.receivers {
		r.sent = map[string]prometheus.Counter{}
		for _, res := range []string{resultOK, resultError, resultDropped} {
			r.sent[res] = m.sent.WithLabelValues(r.name, res)
		}
		r.dropped = m.dropped.WithLabelValues(r.name)
		r.failures = m.failures.WithLabelValues(r.name)
		r.q = newQueue(opts.QueueSize, m.queue.WithLabelValues(r.name))
		r.delivery = m.delivery.WithLabelValues(r.name)
	}
	return d, nil
}

// sameNotifier compares two notifiers without panicking on uncomparable
// dynamic types (those are never the same).
func sameNotifier(a, b Notifier) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

// Send queues n for every receiver with a matching route, at most once per
// receiver. It never blocks: when a receiver's queue is full its oldest
// notification is dropped and counted. Send copies the alert (its slices
// and pointers too), so the caller may change its own afterwards. It may be
// called before, during and after Run, from any goroutine.
func (d *Dispatcher) Send(n Notification) {
	var now time.Time
	for _, r := range d.receivers {
		if !r.matches(&n) {
			continue
		}
		if now.IsZero() {
			now = d.now()
			n.Alert = cloneAlert(n.Alert)
		}
		if r.q.push(item{n: n, queued: now}) {
			r.dropped.Inc()
			r.sent[resultDropped].Inc()
			if ok, suppressed := r.overflowLog.allow(now); ok {
				r.log.Warn().Int("queue_size", d.opts.QueueSize).Int("suppressed", suppressed).
					Msg("queue full, dropped the oldest notification")
			}
		}
	}
}

// cloneAlert copies what an Alert shares with its copies.
func cloneAlert(a alerting.Alert) alerting.Alert {
	a.Audience = slices.Clone(a.Audience)
	for _, p := range []**time.Time{&a.ResolvedAt, &a.AckedAt, &a.DueAt} {
		if *p != nil {
			t := **p
			*p = &t
		}
	}
	return a
}

func (r *receiver) matches(n *Notification) bool {
	for i := range r.routes {
		if r.routes[i].Matches(&n.Alert) {
			return true
		}
	}
	return false
}

// Run delivers queued notifications until ctx ends: one goroutine per
// receiver, each delivering its queue in order, retrying with backoff when
// the notifier asks for it. It connects receivers that are Connectors and
// closes them before returning. Run returns nil when ctx ends, after every
// goroutine it started has finished; it may be called once.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("notify: Run called twice")
	}
	var wg sync.WaitGroup
	for _, r := range d.receivers {
		wg.Go(func() { d.runReceiver(ctx, r) })
	}
	wg.Wait()
	return nil
}

// runReceiver is one receiver's goroutine.
func (d *Dispatcher) runReceiver(ctx context.Context, r *receiver) {
	if c, ok := r.notifier.(Connector); ok {
		defer c.Close()
		if err := c.Connect(ctx); err != nil && ctx.Err() == nil {
			// Deliveries fail with a retryable error until the connection is up.
			r.log.Error().Err(err).Msg("connect failed")
		}
	}
	for {
		it, ok := r.q.pop()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-r.q.ready:
				continue
			}
		}
		if !d.deliver(ctx, r, it) {
			// The notification in hand and those still queued are lost.
			r.log.Info().Int("undelivered", r.q.len()+1).Msg("stopped with notifications undelivered")
			return
		}
	}
}

// deliver tries it until it is delivered, refused, or dropped after
// MaxAttempts. It returns false when ctx ended first.
func (d *Dispatcher) deliver(ctx context.Context, r *receiver, it item) bool {
	b := backoff{min: d.opts.RetryMin, max: d.opts.RetryMax, rand: d.rand}
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return false
		}
		actx, cancel := context.WithTimeout(ctx, d.opts.AttemptTimeout)
		retry, err := r.notifier.Notify(actx, it.n)
		cancel()
		if err == nil {
			r.sent[resultOK].Inc()
			r.delivery.Observe(d.now().Sub(it.queued).Seconds())
			if attempt > 1 {
				r.log.Info().Int("attempts", attempt).Str("alert", it.n.Alert.ID).Msg("delivered after retrying")
			}
			d.settle(r, &it.n, resultOK)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		r.failures.Inc()
		ev := func(l *zerolog.Event) *zerolog.Event {
			return l.Err(err).Str("alert", it.n.Alert.ID).Str("rule", string(it.n.Alert.Rule)).
				Str("event", it.n.Event).Int("attempts", attempt)
		}
		if !retry {
			r.sent[resultError].Inc()
			if ok, suppressed := r.failLog.allow(d.now()); ok {
				ev(r.log.Error()).Int("suppressed", suppressed).Msg("notification refused, not retrying")
			}
			d.settle(r, &it.n, resultError)
			return true
		}
		if attempt >= d.opts.MaxAttempts {
			r.sent[resultDropped].Inc()
			if ok, suppressed := r.failLog.allow(d.now()); ok {
				ev(r.log.Error()).Int("suppressed", suppressed).Msg("notification dropped after max attempts")
			}
			d.settle(r, &it.n, resultDropped)
			return true
		}
		delay := b.next(retryAfter(err))
		if ok, suppressed := r.retryLog.allow(d.now()); ok {
			ev(r.log.Warn()).Dur("retry_in", delay).Int("suppressed", suppressed).Msg("delivery failed, retrying")
		}
		if d.wait(ctx, delay) != nil {
			return false
		}
	}
}

func (d *Dispatcher) settle(r *receiver, n *Notification, result string) {
	if d.settled != nil {
		d.settled(r.name, n, result)
	}
}
