package engine

import (
	"context"
	"errors"
	"hash/fnv"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/devices"
)

// Clock tells the engine the time; tests use a fake one and drive the
// engine with Advance.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Options configure an Engine.
type Options struct {
	Registry *devices.Registry
	Modules  []Module
	// Params returns the parameters of a school (config.File.Resolve);
	// nil: config.Defaults() for every school.
	Params func(region, school string) *config.Params
	// Sink receives every condition, from the shard goroutines. It must
	// not block for long (lifecycle.Manager.Apply is a map update).
	Sink func(alerting.Condition)
	// Shards is the number of worker goroutines (default GOMAXPROCS).
	Shards int
	// QueueSize bounds each shard's event queue (default 65,536); when a
	// queue is full Accept waits: ingest has the event durable already,
	// so waiting slows intake rather than losing an evaluation.
	QueueSize int
	// Clock defaults to the wall clock. With Manual set, nothing advances
	// the engine's time but Advance (tests on a fake clock).
	Clock  Clock
	Manual bool
	// TickEvery is how often the wall-clock driver advances time
	// (default 250 ms).
	TickEvery time.Duration
	// StartedAt and Grace define Ctx.Starting.
	StartedAt time.Time
	Grace     time.Duration

	Logger     zerolog.Logger
	Registerer prometheus.Registerer
}

// Engine evaluates the rule modules for every school of the registry.
type Engine struct {
	opts     Options
	shards   []*shard
	log      zerolog.Logger
	m        *metrics
	started  chan struct{}
	stopped  chan struct{} // closed when Run's context ends: sends give up
	stopOnce sync.Once
	reg      atomic.Pointer[devices.Registry]
}

// New checks opts and builds the shards; it starts nothing.
func New(opts Options) (*Engine, error) {
	if opts.Registry == nil {
		return nil, errors.New("engine: registry is required")
	}
	if opts.Sink == nil {
		return nil, errors.New("engine: sink is required")
	}
	if opts.Shards <= 0 {
		opts.Shards = runtime.GOMAXPROCS(0)
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1 << 16
	}
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	if opts.TickEvery <= 0 {
		opts.TickEvery = 250 * time.Millisecond
	}
	if opts.Params == nil {
		def := config.Defaults()
		opts.Params = func(string, string) *config.Params { return &def }
	}
	if opts.StartedAt.IsZero() {
		opts.StartedAt = opts.Clock.Now()
	}
	names := map[string]bool{}
	for _, m := range opts.Modules {
		if names[m.Name()] {
			return nil, errors.New("engine: duplicate module " + m.Name())
		}
		names[m.Name()] = true
	}
	e := &Engine{opts: opts, log: opts.Logger.With().Str("component", "alerting.engine").Logger(),
		m: newMetrics(opts.Registerer), started: make(chan struct{}), stopped: make(chan struct{})}
	e.reg.Store(opts.Registry)
	for i := 0; i < opts.Shards; i++ {
		e.shards = append(e.shards, newShard(e, i))
	}
	for i := range opts.Registry.Schools {
		s := &opts.Registry.Schools[i]
		sh := e.shards[e.shardOf(s.ID)]
		sh.addSchool(s, opts.Params(s.Region, s.ID))
	}
	return e, nil
}

func (e *Engine) shardOf(school string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(school))
	return int(h.Sum32() % uint32(len(e.shards)))
}

// Accept queues an event for its school's shard (ingest.Sink). It copies
// the event. Events of unknown schools are dropped and counted.
func (e *Engine) Accept(ev *devices.Event) {
	sh := e.shards[e.shardOf(ev.School)]
	cp := *ev
	e.m.events.Inc()
	select {
	case sh.in <- msg{ev: &cp}:
		return
	default:
	}
	e.m.queueFull.Inc()
	select {
	case sh.in <- msg{ev: &cp}:
	case <-e.stopped:
	}
}

// send delivers m to sh unless the engine has stopped.
func (e *Engine) send(sh *shard, m msg) bool {
	select {
	case sh.in <- m:
		return true
	case <-e.stopped:
		return false
	}
}

// Advance moves the engine's time to now: every shard fires the deadlines
// due by then. It returns once all shards have processed everything queued
// before the call (so tests can assert right after).
func (e *Engine) Advance(now time.Time) {
	var wg sync.WaitGroup
	for _, sh := range e.shards {
		wg.Add(1)
		if !e.send(sh, msg{tick: now, done: wg.Done}) {
			wg.Done()
		}
	}
	wg.Wait()
}

// Flush waits until every event queued before the call is handled.
func (e *Engine) Flush() {
	var wg sync.WaitGroup
	for _, sh := range e.shards {
		wg.Add(1)
		if !e.send(sh, msg{done: wg.Done}) {
			wg.Done()
		}
	}
	wg.Wait()
}

// Run starts the shards (each arms its schools' deadlines first) and, on
// the wall clock, a driver that advances time every TickEvery. It blocks
// until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	go func() {
		<-ctx.Done()
		e.stopOnce.Do(func() { close(e.stopped) })
	}()
	for _, sh := range e.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh.run(e.stopped)
		}()
	}
	// Wait until every shard has started its schools.
	e.Flush()
	close(e.started)
	e.log.Info().Int("shards", len(e.shards)).Int("schools", len(e.Registry().Schools)).Msg("alerting engine running")
	if !e.opts.Manual {
		t := time.NewTicker(e.opts.TickEvery)
		defer t.Stop()
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-t.C:
				e.Advance(e.opts.Clock.Now())
			}
		}
	}
	<-ctx.Done()
	wg.Wait()
	return nil
}

// Started is closed once every school's deadlines are armed.
func (e *Engine) Started() <-chan struct{} { return e.started }
