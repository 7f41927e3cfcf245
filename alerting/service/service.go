package service

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/notify"
	"github.com/campusguard/campusguard/alerting/rules/access"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/alerting/rules/guard"
	"github.com/campusguard/campusguard/alerting/rules/kitchen"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/devices"
)

// Service is the running alerting side: engine → lifecycle → (history,
// notifications, live stream), plus compliance and the periodic jobs.
//
// Lanes: the engine's sink and the lifecycle's OnChange only queue
// (unbounded FIFOs, so evaluation never waits); one goroutine applies
// conditions to the lifecycle (which stores each change before reporting
// it); one goroutine hands each change to the dispatcher (its own queue per
// receiver) and to the live stream, and queues its history record on the
// bounded history lane, which has a goroutine of its own.
type Service struct {
	opts       Options
	log        zerolog.Logger
	rules      *config.File
	reg        atomic.Pointer[devices.Registry]
	engine     *engine.Engine
	manager    *lifecycle.Manager
	compliance *compliance.Store
	alarmTests *alarmtest.Store
	dispatcher *notify.Dispatcher
	history    *historyLane
	conds      *fifo[alerting.Condition]
	changes    *fifo[lifecycle.Change]
	inflight   atomic.Int64  // conditions and changes queued or being handled
	restored   chan struct{} // closed once the compliance history is read back

	liveMu sync.RWMutex
	live   []func(lifecycle.Change)

	reloadMu sync.Mutex
}

// New checks opts and builds the pipeline: it loads the open alerts from
// the store and starts nothing (Run does).
func New(opts Options) (*Service, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Service{
		opts:     opts,
		log:      opts.Logger.With().Str("component", "alerting.service").Logger(),
		rules:    opts.Rules,
		conds:    newFIFO[alerting.Condition](),
		changes:  newFIFO[lifecycle.Change](),
		restored: make(chan struct{}),
	}
	s.reg.Store(opts.Registry)
	now := opts.Clock.Now()
	var err error
	s.manager, err = lifecycle.Open(lifecycle.Options{
		Store:      opts.Store,
		Clock:      opts.Clock,
		Params:     func(school string) *config.Params { return s.rules.Resolve(s.regionOf(school), school) },
		Region:     s.regionOf,
		StartedAt:  now,
		OnChange:   s.pushChange,
		Logger:     opts.Logger,
		Registerer: opts.Registerer,
	})
	if err != nil {
		return nil, err
	}
	// Every open alert counts, whatever its state and whether its
	// condition has cleared (a NeedsClose alert stays open, ClearedAt set,
	// until its owner closes it).
	s.compliance = compliance.NewStore(opts.Registry, func(school string, rules ...alerting.RuleID) []alerting.Alert {
		return slices.DeleteFunc(s.manager.List(lifecycle.Filter{Schools: []string{school}, Rules: rules}),
			func(a alerting.Alert) bool { return !a.Open() })
	})
	s.compliance.Now = opts.Clock.Now
	kitchenMod, err := kitchen.NewWith(kitchen.Options{Registerer: opts.Registerer})
	if err != nil {
		return nil, err
	}
	// Alarm test windows: one store answers the alarm rules and
	// compliance; each test is logged, counted and written to the history.
	s.history = newHistoryLane(opts.History, opts.HistoryQueue, s.log, opts.Registerer)
	s.alarmTests, err = alarmtest.Open(alarmtest.Options{Path: opts.AlarmTestsPath, Registry: s.Registry, Now: opts.Clock.Now})
	if err != nil {
		return nil, err
	}
	rec, err := alarmtest.NewRecorder(opts.Logger, opts.Registerer, s.history.push)
	if err != nil {
		_ = s.alarmTests.Close()
		return nil, err
	}
	s.compliance.TestWindows = s.alarmTests.Covers
	alarms := &alarm.Module{TestWindows: s.alarmTests.Covers, Record: rec.Record}
	s.engine, err = engine.New(engine.Options{
		Registry: opts.Registry,
		Modules: []engine.Module{alarms, access.New(), guard.New(), kitchenMod, school.New(),
			compliance.NewModule(s.compliance)},
		Params:     s.rules.Resolve,
		Sink:       s.pushCond, // the engine never waits on the alert store
		Clock:      opts.Clock,
		Manual:     opts.ManualClock,
		StartedAt:  now,
		Grace:      s.rules.Resolve("", "").GracePeriod, // the file's defaults
		Logger:     opts.Logger,
		Registerer: opts.Registerer,
	})
	if err != nil {
		_ = s.alarmTests.Close()
		return nil, err
	}
	nopts := opts.Notify
	nopts.Logger, nopts.Registerer = opts.Logger, opts.Registerer
	s.dispatcher, err = notify.NewDispatcher(nopts, opts.Routes)
	if err != nil {
		_ = s.alarmTests.Close()
		return nil, err
	}
	return s, nil
}

// AlarmTests is the alarm test window store (the HTTP API registers and
// cancels windows through it).
func (s *Service) AlarmTests() *alarmtest.Store { return s.alarmTests }

// Close closes the alarm test window file; call it after Run returns.
func (s *Service) Close() error { return s.alarmTests.Close() }

// regionOf is the region of a school in the current registry.
func (s *Service) regionOf(id string) string {
	if sch, ok := s.reg.Load().School(id); ok {
		return sch.Region
	}
	return ""
}

// Engine is the rule engine (ingest hands it events: ingest.Sink).
func (s *Service) Engine() *engine.Engine { return s.engine }

// Manager is the alert lifecycle (the HTTP API lists, acknowledges and
// resolves through it).
func (s *Service) Manager() *lifecycle.Manager { return s.manager }

// Compliance is the compliance store (the HTTP API reads it).
func (s *Service) Compliance() *compliance.Store { return s.compliance }

// Registry is the registry alerting runs on.
func (s *Service) Registry() *devices.Registry { return s.reg.Load() }

// Params are the rule parameters of a school (region and school "": the
// rules file's defaults, for city-wide rules like calendar_expiring).
func (s *Service) Params(region, school string) *config.Params {
	return s.rules.Resolve(region, school)
}

// Subscribe adds a consumer of every lifecycle change (the dashboards'
// live stream). f is called on the fan-out goroutine, after the change is
// stored, in order; it must not block. Each call adds one consumer.
func (s *Service) Subscribe(f func(lifecycle.Change)) {
	s.liveMu.Lock()
	s.live = append(s.live, f)
	s.liveMu.Unlock()
}

// Idle reports whether every queued condition and change has been handed
// on (tests wait for it).
func (s *Service) Idle() bool { return s.inflight.Load() == 0 }

func (s *Service) pushCond(c alerting.Condition) {
	s.inflight.Add(1)
	s.conds.Push(c)
}

func (s *Service) pushChange(ch lifecycle.Change) {
	s.inflight.Add(1)
	s.changes.Push(ch)
}

// Run runs the engine, the lanes, the dispatcher and the periodic jobs
// until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.engine.Run(ctx) })
	g.Go(func() error { return s.dispatcher.Run(ctx) })
	g.Go(func() error { return s.history.run(ctx) })
	g.Go(func() error { s.applyConditions(ctx); return nil })
	g.Go(func() error { s.fanOut(ctx); return nil })
	g.Go(func() error { s.tick(ctx); return nil })
	g.Go(func() error { s.restoreCompliance(ctx); return nil })
	err := g.Wait()
	if err != nil {
		return fmt.Errorf("alerting service: %w", err)
	}
	return nil
}

// applyConditions hands the engine's conditions to the lifecycle.
func (s *Service) applyConditions(ctx context.Context) {
	for {
		batch, ok := s.conds.Drain(ctx.Done())
		if !ok {
			return
		}
		for _, c := range batch {
			s.manager.Apply(c)
			s.inflight.Add(-1)
		}
	}
}

// fanOut hands each change to the dispatcher (by the notification
// policy), the live stream and the history lane; none of them blocks.
func (s *Service) fanOut(ctx context.Context) {
	for {
		batch, ok := s.changes.Drain(ctx.Done())
		if !ok {
			return
		}
		for _, ch := range batch {
			if lifecycle.Notifiable(ch) {
				s.dispatcher.Send(notify.Notification{Alert: ch.Alert, Event: ch.Event})
			}
			s.liveMu.RLock()
			for _, f := range s.live {
				f(ch)
			}
			s.liveMu.RUnlock()
			s.history.push(ch.Alert.AppendLineProtocol(nil, ch.Event, ch.Alert.UpdatedAt))
			s.inflight.Add(-1)
		}
	}
}

// tick drives escalation, reminders, overdue and silence expiry every
// TickEvery; once the stored days are read back it writes every minute
// the compliance rows that changed (today's, and the finished day's final
// figures after midnight; all of them once an hour, see rowMemo), and the
// week, month and term rows once a day.
func (s *Service) tick(ctx context.Context) {
	t := time.NewTicker(s.opts.TickEvery)
	defer t.Stop()
	var lastRow time.Time
	var lastDay devices.Date
	rows := newRowMemo()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.opts.Clock.Now()
		s.manager.Tick(now)
		if now.Sub(lastRow) < time.Minute || !s.Restored() {
			continue
		}
		lastRow = now
		today := devices.DateOf(now)
		days := []devices.Date{today}
		if !lastDay.IsZero() && lastDay != today {
			days = []devices.Date{lastDay, today}
		}
		newDay := lastDay != today // the first write, or the first after midnight
		lastDay = today
		for _, day := range days {
			for _, rec := range chunkLines(rows.changed(s.compliance.LineProtocol(day, now), now), 256<<10) {
				s.history.push(rec)
			}
			if !newDay {
				continue
			}
			// Week, month and term rows once a day: the periods of the day
			// that ended (final when it closed one) and of today.
			for _, p := range []compliance.Period{compliance.PeriodWeek, compliance.PeriodMonth, compliance.PeriodTerm} {
				for _, rec := range chunkLines(s.compliance.PeriodLineProtocol(p, day, now), 256<<10) {
					s.history.push(rec)
				}
			}
		}
	}
}

// Restored reports whether the compliance history has been read back (at
// once when no ComplianceHistory is configured).
func (s *Service) Restored() bool {
	select {
	case <-s.restored:
		return true
	default:
		return false
	}
}

// restoreCompliance reads the stored compliance days back into the store,
// retrying with a growing pause (1 s to 1 min) while InfluxDB is away.
func (s *Service) restoreCompliance(ctx context.Context) {
	defer close(s.restored)
	src := s.opts.ComplianceHistory
	if src == nil {
		return
	}
	pause := time.Second
	for {
		n, err := s.compliance.Restore(ctx, src, s.opts.Clock.Now())
		if err == nil {
			s.log.Info().Int("records", n).Msg("compliance history restored")
			return
		}
		s.log.Warn().Err(err).Dur("retry_in", pause).Msg("compliance history not restored yet")
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		pause = min(2*pause, time.Minute)
	}
}
