package lifecycle

import (
	"sort"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Tick does what time alone decides, as of now: silences that started or
// ended, offline conditions released at the end of the grace period,
// escalation (P0/P1 firing and not acknowledged within EscalateAfter; a
// panic also raises alarm_unacked), reminders every RemindEvery while
// firing, kitchen_overdue for open alerts whose DueAt passed without a
// report of the fix waiting for review (see overdueDue), and dropping
// resolved alerts and silences older than Retention from memory. Silenced
// and inhibited alerts neither escalate nor remind. The caller drives it
// (every second is plenty).
func (m *Manager) Tick(now time.Time) {
	m.mu.Lock()
	m.tickSilences(now)
	m.releaseHeld(now)
	m.tickOpen(now)
	m.prune(now)
	m.unlockAndFlush()
}

// releaseHeld creates the held offline conditions whose school's grace
// period is over, school_offline first so that it inhibits the others.
// Call with mu.
func (m *Manager) releaseHeld(now time.Time) {
	if len(m.held) == 0 {
		return
	}
	var due []*heldCond
	for k, h := range m.held {
		if !m.inGrace(h.c.School, now) {
			due = append(due, h)
			delete(m.held, k)
		}
	}
	if len(due) == 0 {
		return
	}
	m.met.held.Set(float64(len(m.held)))
	sort.Slice(due, func(i, j int) bool {
		a, b := &due[i].c, &due[j].c
		if sa, sb := a.Rule == alerting.SchoolOffline, b.Rule == alerting.SchoolOffline; sa != sb {
			return sa
		}
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return a.Key().String() < b.Key().String()
	})
	for _, h := range due {
		if e := m.open[h.c.Key()]; e != nil {
			m.update(e, &h.c, now)
			continue
		}
		m.create(&h.c, h.count, now, now)
	}
	m.log.Info().Int("released", len(due)).Msg("grace period over: offline conditions still firing raised")
}

// tickOpen escalates, reminds and raises kitchen_overdue. Call with mu.
func (m *Manager) tickOpen(now time.Time) {
	type action struct {
		e                         *entry
		escalate, remind, overdue bool
	}
	var due []action
	for _, e := range m.open {
		var act action
		a := &e.a
		act.overdue = m.overdueDue(e, now)
		if a.State == alerting.Firing && e.notifiable() {
			p := m.params(a.School)
			if d := p.EscalateAfter[a.Severity]; d > 0 && !a.Escalated && !now.Before(e.since.Add(d)) {
				act.escalate = true
			}
			if every := p.RemindEvery[a.Severity]; every > 0 {
				last := e.lastRemind
				if last.IsZero() {
					last = e.since
				}
				act.remind = !now.Before(last.Add(every))
			}
		}
		if act.escalate || act.remind || act.overdue {
			act.e = e
			due = append(due, act)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		a, b := &due[i].e.a, &due[j].e.a
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.Before(b.StartedAt)
		}
		return a.ID < b.ID
	})
	for _, act := range due {
		e := act.e
		if !e.a.Open() {
			continue // resolved by an earlier action of this tick
		}
		if act.escalate {
			m.escalate(e, now)
		}
		if act.remind {
			e.lastRemind = now
			m.pending = append(m.pending, pendingOp{op: storeOp{alert: cloneAlert(&e.a)}, noStore: true, event: EventReminder})
		}
		if act.overdue {
			m.overdue(e, now)
		}
	}
}

// escalate marks e escalated; a panic also raises alarm_unacked. Call with mu.
func (m *Manager) escalate(e *entry, now time.Time) {
	e.a.Escalated = true
	if now.After(e.a.UpdatedAt) {
		e.a.UpdatedAt = now
	}
	m.emit(e, EventEscalated)
	m.log.Info().Str("alert", e.a.ID).Str("rule", string(e.a.Rule)).Str("school", e.a.School).Msg("alert escalated")
	if e.a.Rule != alerting.AlarmPanic {
		return
	}
	info, _ := alerting.Info(alerting.AlarmUnacked)
	m.fire(&alerting.Condition{
		Rule:      alerting.AlarmUnacked,
		Region:    e.a.Region,
		School:    e.a.School,
		Subject:   e.a.Subject,
		Device:    e.a.Device,
		Severity:  m.params(e.a.School).SeverityOf(alerting.AlarmUnacked, info.Severity),
		Firing:    true,
		At:        now,
		MessageZH: info.TitleZH + "：" + e.a.MessageZH,
		MessageEN: info.TitleEN + ": " + e.a.MessageEN,
	}, now)
}

// overdueDue reports whether e must raise kitchen_overdue now: it has a
// rectification deadline (any rule, any tier) that has passed, it has not
// gone overdue yet, and the school has no report of a fix waiting for
// review (none sent, or the last one sent back). Call with mu.
func (m *Manager) overdueDue(e *entry, now time.Time) bool {
	a := &e.a
	return a.DueAt != nil && !e.overdueFired && a.Rule != alerting.KitchenOverdue &&
		!now.Before(*a.DueAt) && a.Handling != alerting.Reported
}

// overdue raises kitchen_overdue for e, whose rectification deadline
// passed unreported (or whose report was sent back after it); it resolves
// when e is closed. Call with mu.
func (m *Manager) overdue(e *entry, now time.Time) {
	e.overdueFired = true
	at := *e.a.DueAt
	if r := e.a.ReviewedAt; e.a.Handling == alerting.Returned && r != nil && r.After(at) {
		at = *r // overdue since the report was sent back
	}
	info, _ := alerting.Info(alerting.KitchenOverdue)
	m.fire(&alerting.Condition{
		Rule:     alerting.KitchenOverdue,
		Region:   e.a.Region,
		School:   e.a.School,
		Subject:  e.a.Subject,
		Device:   e.a.Device,
		Severity: m.params(e.a.School).SeverityOf(alerting.KitchenOverdue, info.Severity),
		Firing:   true,
		At:       at,
		// The deadline it missed and the violation's evidence: the boards
		// show both on the overdue row, not "—".
		DueAt:     cloneTime(e.a.DueAt),
		Snapshot:  e.a.Snapshot,
		MessageZH: info.TitleZH + "：" + e.a.MessageZH,
		MessageEN: info.TitleEN + ": " + e.a.MessageEN,
	}, now)
}

// prune drops resolved alerts older than Retention from memory, and from
// the store those older than StoreRetention. Call with mu.
func (m *Manager) prune(now time.Time) {
	memCut, storeCut := now.Add(-m.opts.Retention), now.Add(-m.opts.StoreRetention)
	n := 0
	for ; n < len(m.resolvedQ) && m.resolvedQ[n].at.Before(memCut); n++ {
		r := m.resolvedQ[n]
		if e, ok := m.byID[r.id]; ok && !e.a.Open() {
			delete(m.byID, r.id)
			m.archivedQ = append(m.archivedQ, r)
		}
	}
	m.resolvedQ = m.resolvedQ[n:]
	n = 0
	for ; n < len(m.archivedQ) && m.archivedQ[n].at.Before(storeCut); n++ {
		m.pending = append(m.pending, pendingOp{op: storeOp{kind: opDeleteAlert, id: m.archivedQ[n].id}})
	}
	m.archivedQ = m.archivedQ[n:]
}
