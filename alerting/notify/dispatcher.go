package notify

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
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
	// of the least severe non-P0 notifications is dropped, never a P0
	// (default 10000).
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
	// Clock runs grouping, pacing and backoff; nil is the wall clock.
	Clock      Clock
	Logger     zerolog.Logger
	Registerer prometheus.Registerer
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
	if o.Clock == nil {
		o.Clock = wallClock{}
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
// bounded priority queue and its own goroutine (while Run runs), so a slow
// or dead receiver only ever delays itself. A receiver may group its non-P0
// notifications into digests and pace its messages (Route.Group and
// Route.Rate); P0 always goes first.
type Dispatcher struct {
	opts      Options
	receivers []*receiver
	log       zerolog.Logger
	m         *metrics
	running   atomic.Bool
	clock     Clock

	// Test hooks.
	wait    waitFunc // backoff between attempts; nil waits on the clock
	rand    func() float64
	settled func(receiver string, n *Notification, result string) // after each final result is counted
	parked  func(receiver string, until time.Time)                // a receiver waits for a push or until (zero: no deadline)
}

// receiver is one named destination: its routes, queue, pacing and series.
type receiver struct {
	name     string
	notifier Notifier
	routes   []Route
	group    GroupOptions
	rate     RateOptions
	pace     *pacer // used by the receiver's goroutine only
	q        *queue
	log      zerolog.Logger

	sent     map[string]prometheus.Counter
	dropped  map[int]prometheus.Counter // by severity rank
	failures prometheus.Counter
	digests  prometheus.Counter
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
		opts:  opts,
		log:   opts.Logger.With().Str("component", "alerting.notify").Logger(),
		rand:  rand.Float64,
		clock: opts.Clock,
	}
	byName := map[string]*receiver{}
	for i := range routes {
		rt := routes[i]
		if err := rt.validate(); err != nil {
			return nil, fmt.Errorf("notify: routes[%d]: %w", i, err)
		}
		if _, ok := rt.Notifier.(DigestNotifier); rt.Group.enabled() && !ok {
			return nil, fmt.Errorf("notify: routes[%d]: receiver %q: group: its notifier does not send digests (only the wecom and dingtalk robots do)", i, rt.Name)
		}
		r, ok := byName[rt.Name]
		if !ok {
			r = &receiver{
				name:        rt.Name,
				notifier:    rt.Notifier,
				group:       rt.Group.withDefaults(),
				rate:        rt.Rate,
				log:         d.log.With().Str("receiver", rt.Name).Logger(),
				overflowLog: throttle{every: logEvery},
				retryLog:    throttle{every: logEvery},
				failLog:     throttle{every: logEvery},
			}
			byName[rt.Name] = r
			d.receivers = append(d.receivers, r)
		} else if !sameNotifier(r.notifier, rt.Notifier) {
			return nil, fmt.Errorf("notify: routes[%d]: receiver %q: routes with one name must share one notifier", i, rt.Name)
		} else if g := rt.Group.withDefaults(); !r.group.equal(&g) || r.rate != rt.Rate {
			return nil, fmt.Errorf("notify: routes[%d]: receiver %q: routes with one name must share one group and rate", i, rt.Name)
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
		r.dropped = map[int]prometheus.Counter{}
		for rank := range ranks {
			r.dropped[rank] = m.dropped.WithLabelValues(r.name, severityLabel(rank))
		}
		r.failures = m.failures.WithLabelValues(r.name)
		r.digests = m.digests.WithLabelValues(r.name)
		r.q = newQueue(opts.QueueSize, r.group, m.queue.WithLabelValues(r.name))
		r.pace = newPacer(r.rate)
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
// receiver. It never blocks: when a receiver's queue is full the oldest of
// its least severe non-P0 notifications is dropped and counted (a P0 never
// is). Send copies the alert (its slices and pointers too), so the caller
// may change its own afterwards. It may be called before, during and after
// Run, from any goroutine.
func (d *Dispatcher) Send(n Notification) {
	var now time.Time
	for _, r := range d.receivers {
		if !r.matches(&n) {
			continue
		}
		if now.IsZero() {
			now = d.clock.Now()
			n.Alert = cloneAlert(n.Alert)
		}
		d.shed(r, r.q.push(n, now), now)
	}
}

// shed counts the notifications a full queue dropped.
func (d *Dispatcher) shed(r *receiver, shed []*member, now time.Time) {
	for _, m := range shed {
		r.dropped[m.rank].Inc()
		r.sent[resultDropped].Inc()
		if ok, suppressed := r.overflowLog.allow(now); ok {
			r.log.Warn().Int("queue_size", d.opts.QueueSize).Int("suppressed", suppressed).
				Str("severity", severityLabel(m.rank)).Msg("queue full, dropped the oldest of the least severe notifications")
		}
		d.settle(r, &m.n, resultDropped)
	}
}

// severityLabel is the severity label of a rank.
func severityLabel(rank int) string {
	if rank < ranks-1 {
		return "P" + strconv.Itoa(rank)
	}
	return "unknown"
}

// cloneAlert copies what an Alert shares with its copies.
func cloneAlert(a alerting.Alert) alerting.Alert {
	a.Audience = slices.Clone(a.Audience)
	for _, p := range []**time.Time{&a.ResolvedAt, &a.AckedAt, &a.DueAt, &a.ClearedAt, &a.ReceivedAt, &a.ReportedAt, &a.ReviewedAt} {
		if *p != nil {
			t := **p
			*p = &t
		}
	}
	return a
}

// matches reports whether any of r's routes wants n: its alert, told to
// the audiences its event is for (recipients).
func (r *receiver) matches(n *Notification) bool {
	a := &n.Alert
	if aud := recipients(n); aud != nil {
		narrowed := *a
		narrowed.Audience = aud
		a = &narrowed
	}
	for i := range r.routes {
		if r.routes[i].Matches(a) {
			return true
		}
	}
	return false
}
