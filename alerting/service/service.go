package service

import (
	"context"
	"fmt"
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
	inflight   atomic.Int64 // conditions and changes queued or being handled

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
		opts:    opts,
		log:     opts.Logger.With().Str("component", "alerting.service").Logger(),
		rules:   opts.Rules,
		conds:   newFIFO[alerting.Condition](),
		changes: newFIFO[lifecycle.Change](),
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
	s.compliance = compliance.NewStore(opts.Registry, func(school string, rules ...alerting.RuleID) []alerting.Alert {
		return s.manager.List(lifecycle.Filter{Schools: []string{school}, Rules: rules,
			States: []alerting.State{alerting.Firing, alerting.Acknowledged}})
	})
	s.compliance.Now = opts.Clock.Now
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
		Modules: []engine.Module{alarms, access.New(), guard.New(), kitchen.New(), school.New(),
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
// TickEvery, and writes the compliance rows every minute (today's, and the
// finished day's final figures after midnight).
func (s *Service) tick(ctx context.Context) {
	t := time.NewTicker(s.opts.TickEvery)
	defer t.Stop()
	var lastRow time.Time
	var lastDay devices.Date
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.opts.Clock.Now()
		s.manager.Tick(now)
		if now.Sub(lastRow) < time.Minute {
			continue
		}
		lastRow = now
		today := devices.DateOf(now)
		days := []devices.Date{today}
		if !lastDay.IsZero() && lastDay != today {
			days = []devices.Date{lastDay, today}
		}
		lastDay = today
		for _, day := range days {
			for _, rec := range chunkLines(s.compliance.LineProtocol(day, now), 256<<10) {
				s.history.push(rec)
			}
		}
	}
}
