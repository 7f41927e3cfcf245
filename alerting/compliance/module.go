package compliance

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// Timer keys.
const (
	keyDay   = "compliance:day"   // local midnight: freeze the day that ended
	keyCheck = "compliance:check" // look at the lifecycle's open alerts
)

// checkMargin is how long after an alert's deadline the module looks, so
// that the lifecycle has raised it; checks are rounded up to a multiple of
// checkStep, so a burst of events costs one look.
const (
	checkMargin = time.Minute
	checkStep   = 10 * time.Minute
)

// checkAt returns when to look at alerts due at t.
func checkAt(t time.Time) time.Time {
	t = t.Add(checkMargin)
	if r := t.Truncate(checkStep); !r.Equal(t) {
		return r.Add(checkStep)
	}
	return t
}

// Module records, for every school, what the compliance measures need. It
// fires no rule.
type Module struct{ store *Store }

// NewModule returns the compliance module writing into store.
func NewModule(store *Store) engine.Module { return &Module{store: store} }

// Name implements engine.Module.
func (m *Module) Name() string { return "compliance" }

// Rules implements engine.Module: compliance fires none.
func (m *Module) Rules() []alerting.RuleID { return nil }

// NewState implements engine.Module: every school is reported, even one
// without devices (its measures are then not applicable).
func (m *Module) NewState(s *devices.School) any { return m.store.add(s) }

// Reload implements engine.Reloader: after a registry reload the school
// gets a new record (its devices, name and region as now registered) that
// takes over the old one's history.
func (m *Module) Reload(s *devices.School, _ any) any { return m.store.add(s) }

var _ engine.Reloader = (*Module)(nil)

// Start implements engine.Module.
func (m *Module) Start(c engine.Ctx, st any) {
	s := st.(*schoolState)
	now := c.Now()
	s.mu.Lock()
	s.start(now, paramsOf(c.Params()), c.SchoolDay(now))
	s.mu.Unlock()
	c.At(nextMidnight(now), keyDay)
	if len(s.checks) > 0 {
		c.At(s.checks[0].at, keyCheck)
	}
}

// OnEvent implements engine.Module.
func (m *Module) OnEvent(c engine.Ctx, st any, ev *devices.Event) {
	s := st.(*schoolState)
	now := c.Now()
	// alarm_link's "tested within 30 days" asks what alarm_test_overdue
	// asks: a manual test, or a panic press inside a test window; a
	// periodic self-test (E602) does not count.
	tested := alarmtest.Classify(ev, now, m.store.TestWindows).Tested()
	s.mu.Lock()
	if dv := s.byID[ev.Device]; dv != nil {
		s.observe(now, dv, ev)
		if tested {
			dv.lastTest = now
		}
	}
	if ev.Kind == devices.KindGuard && (ev.Type == "guard.checkin" || ev.Type == "guard.checkout") {
		s.person(now, ev)
	}
	s.mu.Unlock()
	if ev.Retained || ev.Channel != devices.ChannelEvent {
		return
	}
	var arm bool
	switch ev.Type {
	case "access.forced", "access.tailgate", "access.climb", "access.reverse", "access.impact": // gate_forced, gate_intrusion
		arm = s.addCheck(checkAt(now.Add(GateAlertMaxOpen)), false)
	case "kitchen.violation": // may become kitchen_overdue at its tier's deadline
		for _, d := range s.par.closeWithin {
			if d > 0 && s.addCheck(checkAt(now.Add(d)), true) {
				arm = true
			}
		}
	}
	if arm {
		c.At(s.checks[0].at, keyCheck)
	}
}

// OnTimer implements engine.Module.
func (m *Module) OnTimer(c engine.Ctx, st any, key string) {
	s := st.(*schoolState)
	switch key {
	case keyDay:
		m.rollover(c, s)
	case keyCheck:
		m.checkAlerts(c, s)
	}
}

// rollover freezes every day that ended (merged with the history, which
// it joins) and starts the new one.
func (m *Module) rollover(c engine.Ctx, s *schoolState) {
	now := c.Now()
	today := dateOf(now)
	al := m.store.alertsOf(s)
	s.mu.Lock()
	var done []SchoolDay
	for d := s.today; d.Before(today); d = d.AddDays(1) {
		if !dayStart(d.AddDays(1)).After(s.since) {
			continue // before watching began: the history (if any) keeps it
		}
		done = append(done, s.evaluate(d, dayStart(d.AddDays(1)), al))
	}
	s.mu.Unlock()
	// The store's lock is never taken under a school's (add takes them
	// the other way round).
	for i := range done {
		m.store.mergeHistory(&done[i])
		m.store.record(&done[i])
	}
	m.store.pruneHistory(today.AddDays(-HistoryDays))
	s.mu.Lock()
	for _, sd := range done {
		s.frozen[sd.Date] = sd
	}
	s.today = today
	s.schoolDays[today] = c.SchoolDay(now)
	// Keep yesterday's spans: the look-backs (guard room, link down) are
	// far shorter than a day.
	s.prune(dayStart(today.AddDays(-1)), today.AddDays(-Retention))
	s.mu.Unlock()
	c.At(nextMidnight(now), keyDay)
}

// checkAlerts looks at the open alerts whose deadline came: a gate alert
// open for GateAlertMaxOpen, or any kitchen_overdue, fails today.
func (m *Module) checkAlerts(c engine.Ctx, s *schoolState) {
	now := c.Now()
	var gate, kitchen bool
	for len(s.checks) > 0 && !s.checks[0].at.After(now) {
		if s.checks[0].kitchen {
			kitchen = true
		} else {
			gate = true
		}
		s.checks = s.checks[1:]
	}
	var al openAlerts
	if gate {
		al.gate = m.store.open(s.sch.ID, alerting.GateForced, alerting.GateIntrusion)
	}
	if kitchen {
		al.kitchen = m.store.open(s.sch.ID, alerting.KitchenOverdue)
	}
	s.mu.Lock()
	if gateLapse(al.gate, now) {
		s.gateFlag[dateOf(now)] = true
	}
	if len(al.kitchen) > 0 {
		s.kitchFlag[dateOf(now)] = true
	}
	s.mu.Unlock()
	if len(s.checks) > 0 {
		c.At(s.checks[0].at, keyCheck)
	}
}

// gateLapse reports whether a gate alert has been open GateAlertMaxOpen by at.
func gateLapse(alerts []alerting.Alert, at time.Time) bool {
	for i := range alerts {
		if alerts[i].Open() && at.Sub(alerts[i].StartedAt) >= GateAlertMaxOpen {
			return true
		}
	}
	return false
}

func dayStart(d devices.Date) time.Time { return d.In(devices.Location()) }

func nextMidnight(t time.Time) time.Time { return dayStart(dateOf(t).AddDays(1)) }
