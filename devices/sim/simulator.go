package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Simulator generates the traffic of every device of a registry on virtual
// time. Step generates deterministically up to a virtual instant; Run paces
// Step on the Clock and publishes through a Publisher.
//
// Every payload carries a unique id "<device>-<run>-<seq>" (run is derived
// from Seed and Start, so a rerun with other options does not collide with
// an earlier one in campusguard's idempotency store), the device's seq
// (increasing by 1 per device across all its channels) and ts: the virtual
// time when Speed is 1 (or less), but the wall time when Speed > 1, because
// campusguard rejects timestamps more than 5 min in the future and virtual
// time runs ahead of the wall.
type Simulator struct {
	opts  Options
	log   zerolog.Logger
	pub   Publisher
	stats *counters

	mu      sync.Mutex // serialises Step (and so Run)
	rng     *rand.Rand
	q       queue
	start   int64 // virtual start, Unix ns
	now     int64 // due time of the job being fired
	wallTS  int64 // when non-zero, the ts of every message (Speed > 1)
	w       *writer
	emit    func(topic string, retained bool, payload []byte)
	devs    []*devState
	schools []*schoolState

	cur     *devState // message being rendered
	curCh   int
	curType *evType
}

// New builds a Simulator for opts; pub may be nil when only Step is used.
// It validates the options and the faults against the registry and
// registers the metrics with Options.Registerer; it starts nothing.
func New(opts Options, pub Publisher) (*Simulator, error) {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	stats, err := newCounters(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("sim: register metrics: %w", err)
	}
	s := &Simulator{
		opts:  opts,
		log:   opts.Logger.With().Str("component", "devices.sim").Logger(),
		pub:   pub,
		stats: stats,
		rng:   rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5ca1ab1e)),
		start: opts.Start.UnixNano(),
		w:     newWriter(),
	}
	s.now = s.start
	run := strconv.FormatUint(splitmix(opts.Seed^uint64(s.start))%(36*36*36*36*36*36), 36)
	reg := opts.Registry
	byID := map[string]*devState{}
	for i := range reg.Schools {
		sc := newSchoolState(&reg.Schools[i], &s.opts)
		for j := range sc.school.Devices {
			d := &sc.school.Devices[j]
			if kindIndex(d.Kind) < 0 {
				return nil, fmt.Errorf("sim: device %s: unknown kind %q", d.ID, d.Kind)
			}
			if _, dup := byID[d.ID]; dup {
				return nil, fmt.Errorf("sim: device %s: duplicate id", d.ID)
			}
			ds := newDevState(d, sc, run, &s.opts, s.start)
			byID[d.ID] = ds
			sc.all = append(sc.all, ds)
			s.devs = append(s.devs, ds)
		}
		sc.wire()
		s.schools = append(s.schools, sc)
	}
	if err := s.applyFaults(byID); err != nil {
		return nil, err
	}
	s.scheduleStart()
	return s, nil
}

// scheduleStart queues what happens from the virtual start on.
func (s *Simulator) scheduleStart() {
	for _, d := range s.devs {
		s.q.push(s.start, statusJob{d})
	}
	for _, d := range s.devs {
		s.q.push(s.start+int64((d.salt^s.opts.Seed)%uint64(d.every)), heartbeatJob{d})
	}
	for _, sc := range s.schools {
		s.q.push(s.start, &planner{sc: sc, first: true})
	}
	if s.opts.Rate > 0 && len(s.devs) > 0 {
		s.q.push(s.start, &loadJob{every: max(int64(s.opts.Speed*float64(nsSecond)/s.opts.Rate), 1)})
	}
}

// plan schedules j at due, unless keep (the instant that decides whether
// the job still matters) is before the virtual start. A job due before the
// start but kept happens at the start; nothing is scheduled in the past.
func (s *Simulator) plan(due, keep int64, j job) {
	if keep < s.start {
		return
	}
	s.q.push(max(due, s.now), j)
}

// Step generates everything due up to virtualNow, in time order, handing
// each message to emit. payload is only valid during the call. Step is
// deterministic for given Options (with Speed <= 1) and must not run
// concurrently with Run.
func (s *Simulator) Step(virtualNow time.Time, emit func(topic string, retained bool, payload []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emit = emit
	s.wallTS = 0
	if s.opts.Speed > 1 {
		s.wallTS = s.opts.Clock.Now().UnixNano()
	}
	limit := virtualNow.UnixNano()
	for s.q.len() > 0 && s.q.peek() <= limit {
		e := s.q.items[0]
		s.now = e.due
		// A fired job may push others, never before s.now, so it stays on top.
		if next, ok := e.j.fire(s, e.due); ok {
			s.q.reschedule(max(next, e.due))
		} else {
			s.q.pop()
		}
	}
	s.emit = nil
}

// Stats returns the counts so far; safe to call while Run runs.
func (s *Simulator) Stats() Stats { return s.stats.snapshot() }

// Start returns the virtual start.
func (s *Simulator) Start() time.Time { return time.Unix(0, s.start).In(shanghai) }

// Run publishes the simulated traffic until ctx ends, then returns nil.
// Virtual time runs from Options.Start at Speed times the Clock. Publish
// errors are counted (Stats.Errors, metrics) and logged at most once a
// second; they do not stop the run.
func (s *Simulator) Run(ctx context.Context) error {
	if s.pub == nil {
		return fmt.Errorf("sim: run needs a publisher")
	}
	clock := s.opts.Clock
	wall0 := clock.Now()
	var lastLog time.Time
	publish := func(topic string, retained bool, payload []byte) {
		if ctx.Err() != nil {
			return
		}
		if err := s.pub.Publish(ctx, topic, 1, retained, payload); err != nil {
			s.stats.failed()
			if now := clock.Now(); now.Sub(lastLog) >= time.Second && ctx.Err() == nil {
				lastLog = now
				s.log.Warn().Err(err).Str("topic", topic).Uint64("errors", s.stats.errors.Load()).Msg("publish failed")
			}
		}
	}
	s.log.Info().Time("virtual_start", s.Start()).Float64("speed", s.opts.Speed).
		Float64("rate", s.opts.Rate).Int("devices", len(s.devs)).Msg("simulation started")
	for {
		elapsed := clock.Now().Sub(wall0)
		virtual := time.Unix(0, s.start+int64(float64(elapsed)*s.opts.Speed))
		s.Step(virtual, publish)
		select {
		case <-ctx.Done():
			st := s.Stats()
			s.log.Info().Uint64("published", st.Published).Uint64("errors", st.Errors).Msg("simulation stopped")
			return nil
		case <-clock.After(runTick):
		}
	}
}

// runTick is how often Run generates what became due.
const runTick = 10 * time.Millisecond
