package lifecycle

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
)

// Manager keeps every open alert and the recently resolved ones, applies
// the engine's conditions and people's acknowledgements to them, and
// reports each change through Options.OnChange after storing it.
//
// Locking: one mutex (mu) guards the state; every call holds it for a map
// update only. Store writes and OnChange run after mu is released, under
// flushMu, in the order the changes were made: the caller that made a
// change writes everything pending in one transaction (group commit) and
// then emits it, so Apply and Ack return once their change is durable and
// handed on, while List and Get never wait behind the disk.
type Manager struct {
	opts     Options
	clock    Clock
	log      zerolog.Logger
	storeLog zerolog.Logger // sampled: a failing disk must not flood the log
	met      *metrics
	defaults config.Params

	mu         sync.Mutex
	byID       map[string]*entry          // open and resolved within Retention
	open       map[alerting.Key]*entry    // open alerts by identity
	held       map[alerting.Key]*heldCond // offline conditions held back by the grace period
	schoolDown map[string]int             // open school_offline alerts per school (inhibition)
	holding    map[string]bool            // schools whose outage is pending (Condition.Hold): inhibition too
	silences   map[string]*silenceEntry
	resilence  bool   // re-evaluate silences at the next Tick (after Open)
	resolvedQ  []aged // resolved alerts in memory, oldest first
	archivedQ  []aged // resolved alerts only in the store, oldest first
	pending    []pendingOp

	flushMu sync.Mutex
}

// entry is an alert and what the Manager knows about it beyond the record.
type entry struct {
	a            alerting.Alert
	notified     bool      // a "fired" went out (or, after a restart, the alert was not silenced)
	inhibited    bool      // a school_offline alert of its school is open, or its outage is pending
	outage       bool      // inhibited while school_offline was open: announce it again when the school is back
	since        time.Time // when it last became notifiable: the escalation and reminder clocks run from here
	lastRemind   time.Time // last reminder (zero: none since `since`)
	overdueFired bool      // kitchen_overdue raised for this alert
}

func (e *entry) notifiable() bool { return !e.a.Silenced && !e.inhibited }

// heldCond is an offline condition held back during the grace period.
type heldCond struct {
	c     alerting.Condition // the latest report, with At of the first
	count int
}

type aged struct {
	id string
	at time.Time
}

// Open builds a Manager and loads the open alerts, the resolved ones of
// the last Retention and the silences from opts.Store. Loading emits no
// change: alerts restored from the store were notified before.
func Open(opts Options) (*Manager, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	met, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: register metrics: %w", err)
	}
	log := opts.Logger.With().Str("component", "alerting.lifecycle").Logger()
	m := &Manager{
		opts:       opts,
		clock:      opts.Clock,
		log:        log,
		storeLog:   log.Sample(&zerolog.BurstSampler{Burst: 5, Period: time.Minute}),
		met:        met,
		defaults:   config.Defaults(),
		byID:       map[string]*entry{},
		open:       map[alerting.Key]*entry{},
		held:       map[alerting.Key]*heldCond{},
		schoolDown: map[string]int{},
		holding:    map[string]bool{},
		silences:   map[string]*silenceEntry{},
	}
	if err := m.load(); err != nil {
		return nil, err
	}
	return m, nil
}

// params returns school's parameters. Call with mu.
func (m *Manager) params(school string) *config.Params {
	if p := m.opts.Params(school); p != nil {
		return p
	}
	return &m.defaults
}

// load restores the state of opts.Store.
func (m *Manager) load() error {
	alerts, sils, err := m.opts.Store.Load()
	if err != nil {
		return err
	}
	now := m.clock.Now()
	sort.Slice(alerts, func(i, j int) bool {
		if !alerts[i].StartedAt.Equal(alerts[j].StartedAt) {
			return alerts[i].StartedAt.Before(alerts[j].StartedAt)
		}
		return alerts[i].ID < alerts[j].ID
	})
	var resolved []aged
	var drop []pendingOp
	for i := range alerts {
		a := alerts[i]
		if a.ID == "" {
			continue
		}
		if a.Owner == "" {
			// Stored before alerts named their owner: the catalogue's.
			if info, ok := alerting.Info(a.Rule); ok {
				a.Owner = info.Owner
			}
		}
		if due := legacyDue(&a, m.params(a.School)); due != nil {
			// Stored before every tier had a deadline: its tier's, from its
			// first detection (overdue at the first Tick if that passed).
			a.DueAt = due
		}
		if a.Open() {
			if old := m.open[a.Key()]; old != nil {
				// Two open alerts of one identity cannot happen through
				// the Manager; keep the newer, say so.
				m.log.Warn().Str("alert", old.a.ID).Str("newer", a.ID).Str("key", a.Key().String()).
					Msg("store holds two open alerts of one key; ignoring the older")
				m.removeOpen(old)
				delete(m.byID, old.a.ID)
			}
			e := &entry{a: a, notified: !a.Silenced, since: a.StartedAt}
			if every := m.params(a.School).RemindEvery[a.Severity]; every > 0 && now.After(a.StartedAt) {
				// Align reminders on their schedule: no reminder storm at start.
				e.lastRemind = a.StartedAt.Add(now.Sub(a.StartedAt) / every * every)
			}
			m.addOpen(e)
			continue
		}
		at := a.UpdatedAt
		if a.ResolvedAt != nil {
			at = *a.ResolvedAt
		}
		switch age := now.Sub(at); {
		case age > m.opts.StoreRetention:
			drop = append(drop, pendingOp{op: storeOp{kind: opDeleteAlert, id: a.ID}})
		case age > m.opts.Retention:
			m.archivedQ = append(m.archivedQ, aged{a.ID, at})
		default:
			m.byID[a.ID] = &entry{a: a, notified: true}
			resolved = append(resolved, aged{a.ID, at})
		}
	}
	sortAged(resolved)
	sortAged(m.archivedQ)
	m.resolvedQ = resolved

	// Derived state: inhibition, and which violations already went overdue.
	for _, e := range m.open {
		if inhibitable(e.a.Rule) && m.schoolDown[e.a.School] > 0 {
			// Whether it was told before it was inhibited is not stored:
			// when the school comes back it goes out as "fired" (a possible
			// repeat rather than a possible silence).
			e.inhibited, e.notified = true, false
		}
		if e.a.DueAt != nil && e.a.Rule != alerting.KitchenOverdue {
			for i := range alerts {
				o := &alerts[i]
				if o.Rule == alerting.KitchenOverdue && o.School == e.a.School && o.Subject == e.a.Subject &&
					!o.StartedAt.Before(e.a.StartedAt) {
					e.overdueFired = true
					break
				}
			}
		}
	}

	for i := range sils {
		s := sils[i]
		if now.Sub(s.EndsAt) > m.opts.Retention {
			drop = append(drop, pendingOp{op: storeOp{kind: opDeleteSilence, id: s.ID}})
			continue
		}
		e, err := compileSilence(&s)
		if err != nil {
			m.log.Error().Err(err).Str("silence", s.ID).Msg("stored silence is invalid; ignoring it")
			continue
		}
		if m.capStored(&e.s, now) {
			drop = append(drop, pendingOp{op: storeOp{kind: opPutSilence, silence: ptr(e.s.clone())}})
		}
		m.silences[s.ID] = e
	}
	// The first Tick compares every silence with the alerts' flags: a
	// silence that ended while we were down un-mutes its alerts then.
	m.resilence = true

	if n, err := writeOps(m.opts.Store, drop); err != nil {
		m.met.storeErrors.Add(float64(n))
		m.storeLog.Error().Err(err).Msg("store: dropping expired records failed")
	}
	m.log.Info().Int("open", len(m.open)).Int("resolved", len(m.resolvedQ)).Int("silences", len(m.silences)).
		Time("grace_from", m.opts.StartedAt).Msg("alert state loaded")
	return nil
}

func sortAged(q []aged) {
	sort.Slice(q, func(i, j int) bool { return q[i].at.Before(q[j].at) })
}

// addOpen indexes a new open entry. Call with mu.
func (m *Manager) addOpen(e *entry) {
	m.byID[e.a.ID] = e
	m.open[e.a.Key()] = e
	m.met.openGauge(e.a.Severity).Inc()
	if e.a.Rule == alerting.SchoolOffline {
		m.schoolDown[e.a.School]++
	}
}

// removeOpen drops e from the open index (it stays in byID). Call with mu.
func (m *Manager) removeOpen(e *entry) {
	if m.open[e.a.Key()] == e {
		delete(m.open, e.a.Key())
	}
	m.met.openGauge(e.a.Severity).Dec()
	if e.a.Rule == alerting.SchoolOffline {
		if m.schoolDown[e.a.School]--; m.schoolDown[e.a.School] <= 0 {
			delete(m.schoolDown, e.a.School)
		}
	}
}

// emit queues the store write of e and the change event. Call with mu.
func (m *Manager) emit(e *entry, event string) {
	m.pending = append(m.pending, pendingOp{op: storeOp{kind: opPutAlert, alert: cloneAlert(&e.a)}, event: event})
}

// unlockAndFlush releases mu, then stores and emits everything pending,
// in order. The caller holds mu.
func (m *Manager) unlockAndFlush() {
	if len(m.pending) == 0 {
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	// Take everything pending now: our own changes, and those made while
	// an earlier flush was writing (unless that flush took them already).
	m.mu.Lock()
	batch := m.pending
	m.pending = nil
	m.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if n, err := writeOps(m.opts.Store, batch); err != nil {
		m.met.storeErrors.Add(float64(n))
		m.storeLog.Error().Err(err).Int("failed", n).
			Msg("store write failed; alerts stay in memory and are still notified")
	}
	for i := range batch {
		if ev := batch[i].event; ev != "" {
			m.met.changes[ev].Inc()
			m.opts.OnChange(Change{Alert: batch[i].op.alert, Event: ev, Quiet: batch[i].quiet})
		}
	}
	// Hand the buffer back for the next changes (OnChange got copies).
	clear(batch)
	m.mu.Lock()
	if m.pending == nil && cap(batch) <= 1024 {
		m.pending = batch[:0]
	}
	m.mu.Unlock()
}

// Get returns the alert with id if it is open or was resolved within
// Retention.
func (m *Manager) Get(id string) (alerting.Alert, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byID[id]
	if !ok {
		return alerting.Alert{}, false
	}
	return cloneAlert(&e.a), true
}

// Inhibited reports whether the open alert id is inhibited by its school's
// school_offline alert (recorded and shown, not notified).
func (m *Manager) Inhibited(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byID[id]
	return ok && e.a.Open() && e.inhibited
}
