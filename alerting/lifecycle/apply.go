package lifecycle

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Apply takes a condition from the engine. Firing creates the one alert of
// c.Key() or updates it (count, updated_at, messages; the severity may
// rise, never fall; a new press on an open panic fires it again, see
// repeat; a firing after a clear makes it uncleared again); !Firing
// resolves it (resolution "auto") unless its rule needs a human close
// (catalogue NeedsClose): then it only marks the alert cleared (ClearedAt,
// event cleared) and the alert waits for its owner. !Firing is a no-op
// when no alert is open. Offline conditions are held back during the start-up grace
// period. A condition with Hold set turns the school's outage hold on or
// off instead (see alerting.Condition.Hold). A zero c.At means now. Safe
// for concurrent use; returns once the change is stored and handed to
// OnChange.
func (m *Manager) Apply(c alerting.Condition) {
	now := m.clock.Now()
	if c.At.IsZero() {
		c.At = now
	}
	m.mu.Lock()
	switch {
	case c.Hold:
		m.applyHold(&c, now)
	case c.Firing:
		m.applyFiring(&c, now)
	default:
		m.applyClear(&c)
	}
	m.unlockAndFlush()
}

// applyHold turns the outage hold of c.School on or off and re-checks the
// inhibition of its device-offline alerts. Call with mu.
func (m *Manager) applyHold(c *alerting.Condition, now time.Time) {
	if m.holding[c.School] == c.Firing {
		return
	}
	if c.Firing {
		m.holding[c.School] = true
	} else {
		delete(m.holding, c.School)
	}
	m.met.outageHolds.Set(float64(len(m.holding)))
	m.reevaluateSchool(c.School, now)
}

func (m *Manager) applyFiring(c *alerting.Condition, now time.Time) {
	key := c.Key()
	if e := m.open[key]; e != nil {
		m.update(e, c, now)
		return
	}
	h := m.held[key]
	if graceRule(c.Rule) && m.inGrace(c.School, now) {
		if h == nil {
			m.held[key] = &heldCond{c: *c, count: 1}
			m.met.held.Set(float64(len(m.held)))
			return
		}
		first := h.c.At
		h.c, h.c.At = *c, first
		h.count++
		return
	}
	if h != nil {
		// Grace over and Tick has not released it yet: release now.
		c.At = h.c.At
		delete(m.held, key)
		m.met.held.Set(float64(len(m.held)))
		m.create(c, h.count+1, now, now)
		return
	}
	m.create(c, 1, earlier(c.At, now), now)
}

func (m *Manager) applyClear(c *alerting.Condition) {
	key := c.Key()
	if _, ok := m.held[key]; ok {
		delete(m.held, key)
		m.met.held.Set(float64(len(m.held)))
	}
	e := m.open[key]
	if e == nil {
		return
	}
	if info, ok := alerting.Info(c.Rule); !ok || !info.NeedsClose {
		m.resolve(e, c.At, "auto", "", "")
		return
	}
	if e.a.ClearedAt != nil {
		return
	}
	at := c.At
	if at.Before(e.a.StartedAt) {
		at = e.a.StartedAt
	}
	e.a.ClearedAt = &at
	touch(&e.a, at)
	m.emit(e, EventCleared)
	m.log.Info().Str("alert", e.a.ID).Str("rule", string(e.a.Rule)).Str("school", e.a.School).
		Msg("alert cleared by itself; it stays open until its owner closes it")
}

// fire creates or updates the alert of c, bypassing the grace period (for
// the alerts the Manager raises itself). Call with mu.
func (m *Manager) fire(c *alerting.Condition, now time.Time) {
	if e := m.open[c.Key()]; e != nil {
		m.update(e, c, now)
		return
	}
	m.create(c, 1, earlier(c.At, now), now)
}

// create opens a new alert for c, notifiable (escalation and reminder
// clocks running) from since. Call with mu.
func (m *Manager) create(c *alerting.Condition, count int, since, now time.Time) *entry {
	p := m.params(c.School)
	a := alerting.Alert{
		Rule:      c.Rule,
		Severity:  c.Severity,
		State:     alerting.Firing,
		Region:    c.Region,
		School:    c.School,
		Subject:   c.Subject,
		Device:    c.Device,
		StartedAt: c.At,
		UpdatedAt: c.At,
		MessageZH: c.MessageZH,
		MessageEN: c.MessageEN,
		Count:     count,
		DueAt:     cloneTime(c.DueAt),
		Snapshot:  c.Snapshot,
	}
	if info, ok := alerting.Info(c.Rule); ok {
		a.Audience = append([]alerting.Audience(nil), info.Audience...)
		a.Owner = info.Owner
		if a.Severity.Rank() > 3 {
			a.Severity = p.SeverityOf(c.Rule, info.Severity)
		}
		if a.MessageZH == "" {
			a.MessageZH = info.TitleZH
		}
		if a.MessageEN == "" {
			a.MessageEN = info.TitleEN
		}
	} else {
		m.log.Warn().Str("rule", string(c.Rule)).Msg("condition of a rule not in the catalogue; alert has no audience")
		if a.Severity.Rank() > 3 {
			a.Severity = p.SeverityOf(c.Rule, alerting.P2)
		}
	}
	if a.Region == "" {
		a.Region = m.opts.Region(c.School)
	}
	for {
		a.ID = m.opts.IDs()
		if _, dup := m.byID[a.ID]; !dup {
			break
		}
	}
	e := &entry{a: a}
	m.addOpen(e)
	m.setFlags(e, since, m.silencedAt(&e.a, now), m.inhibitedNow(&e.a), true)
	if a.Rule == alerting.SchoolOffline && m.schoolDown[a.School] == 1 {
		m.reevaluateSchool(a.School, now)
	}
	return e
}

// update applies a repeat of c to its open alert. Call with mu.
func (m *Manager) update(e *entry, c *alerting.Condition, now time.Time) {
	prev := e.a.UpdatedAt
	e.a.Count++
	// A cleared alert whose condition comes back (a gate forced again
	// hours later) is news, as a new press on a panic is: it fires again.
	wasCleared := e.a.ClearedAt != nil
	e.a.ClearedAt = nil
	if c.At.After(e.a.UpdatedAt) {
		e.a.UpdatedAt = c.At
	}
	if c.Severity.Rank() < e.a.Severity.Rank() {
		m.met.openGauge(e.a.Severity).Dec()
		e.a.Severity = c.Severity
		m.met.openGauge(e.a.Severity).Inc()
	}
	if c.MessageZH != "" {
		e.a.MessageZH = c.MessageZH
	}
	if c.MessageEN != "" {
		e.a.MessageEN = c.MessageEN
	}
	if e.a.Device == "" {
		e.a.Device = c.Device
	}
	if e.a.DueAt == nil && c.DueAt != nil {
		e.a.DueAt = cloneTime(c.DueAt)
	}
	if c.Snapshot != "" { // the latest detection's evidence, as the message is the latest's
		e.a.Snapshot = c.Snapshot
	}
	silenced, inhibited := m.silencedAt(&e.a, now), m.inhibitedNow(&e.a)
	if (refires(e.a.Rule) || wasCleared) && e.notifiable() && e.notified && !silenced && !inhibited {
		m.repeat(e, prev, now)
		return
	}
	m.setFlags(e, now, silenced, inhibited, true)
}

// repeat handles a new press on an open panic alert people were told
// about, or the return of a cleared alert's condition: it is news,
// whatever the state. An acknowledged alert fires again
// (acked_by and acked_at keep naming who took on the earlier press until
// someone acknowledges this one) and its escalation clock restarts from
// the new press, so alarm_unacked is raised again if nobody acknowledges
// it in time; a firing one keeps its escalation clock (a repeat must not
// delay escalation). Either way the change goes out as "repeated", with
// an updated_at later than the alert's previous change (prev): consumers
// order by updated_at and dedupe on (id, updated_at, event), and a press
// stamped earlier (a terminal's clock behind the server's, presses out of
// order) must neither look older than the acknowledgement it undoes nor
// like a copy of the previous press. Call with mu.
func (m *Manager) repeat(e *entry, prev, now time.Time) {
	if e.a.UpdatedAt.Sub(prev) < time.Millisecond { // JSON readers may keep only milliseconds
		e.a.UpdatedAt = now
		if now.Sub(prev) < time.Millisecond {
			e.a.UpdatedAt = prev.Add(time.Millisecond)
		}
	}
	if e.a.State == alerting.Acknowledged {
		e.a.State = alerting.Firing
		e.a.Escalated = false
		e.since, e.lastRemind = now, time.Time{}
	}
	m.emit(e, EventRepeated)
}

// refires lists the rules whose every occurrence is news even while the
// alert is open: a second panic press means the danger goes on.
func refires(r alerting.RuleID) bool { return r == alerting.AlarmPanic }

// setFlags sets whether e is silenced and inhibited and queues the event
// that says what that means: silenced or inhibited (not notified), fired
// (the first time people hear of it), or updated. Without always, nothing
// is queued unless a flag changed. Call with mu.
func (m *Manager) setFlags(e *entry, now time.Time, silenced, inhibited, always bool) {
	was := e.notifiable()
	if inhibited && m.schoolDown[e.a.School] > 0 {
		e.outage = true
	}
	changed := e.a.Silenced != silenced || e.inhibited != inhibited
	if !changed && !always {
		return
	}
	e.a.Silenced, e.inhibited = silenced, inhibited
	if changed && now.After(e.a.UpdatedAt) {
		e.a.UpdatedAt = now
	}
	var ev string
	switch {
	case silenced:
		ev = EventSilenced
	case inhibited:
		ev = EventInhibited
	case !e.notified || (e.outage && e.a.State == alerting.Firing):
		// Never told, or told before its school went dark and still
		// down now that the school is back: announce it.
		ev = EventFired
		e.notified, e.outage = true, false
		e.since, e.lastRemind = now, time.Time{}
	default:
		ev = EventUpdated
		e.outage = false
		if !was {
			// Muted until now: give people the full time to acknowledge.
			e.since, e.lastRemind = now, time.Time{}
		}
	}
	m.emit(e, ev)
}

// reevaluateAll re-checks silences and inhibition for every open alert,
// oldest first. Call with mu.
func (m *Manager) reevaluateAll(now time.Time) {
	for _, e := range m.sortedOpen(func(*entry) bool { return true }) {
		m.setFlags(e, now, m.silencedAt(&e.a, now), m.inhibitedNow(&e.a), false)
	}
}

// reevaluateSchool re-checks inhibition for the offline alerts of school.
func (m *Manager) reevaluateSchool(school string, now time.Time) {
	for _, e := range m.sortedOpen(func(e *entry) bool { return e.a.School == school && inhibitable(e.a.Rule) }) {
		m.setFlags(e, now, e.a.Silenced, m.inhibitedNow(&e.a), false)
	}
}

// sortedOpen returns the open entries keep selects, oldest first.
func (m *Manager) sortedOpen(keep func(*entry) bool) []*entry {
	var out []*entry
	for _, e := range m.open {
		if keep(e) {
			out = append(out, e)
		}
	}
	sortEntries(out)
	return out
}

// resolve closes e at `at`. Call with mu.
func (m *Manager) resolve(e *entry, at time.Time, resolution, user, note string) {
	if at.Before(e.a.StartedAt) {
		at = e.a.StartedAt
	}
	m.removeOpen(e)
	e.a.State = alerting.Resolved
	e.a.ResolvedAt = &at
	if at.After(e.a.UpdatedAt) {
		e.a.UpdatedAt = at
	}
	e.a.Resolution = resolution
	if note != "" {
		e.a.Note = note
	}
	if (resolution == "manual" || resolution == "verified") && e.a.AckedBy == "" {
		e.a.AckedBy = user
	}
	m.resolvedQ = append(m.resolvedQ, aged{e.a.ID, at})
	m.met.duration.WithLabelValues(string(m.severityLabel(e.a.Severity))).Observe(at.Sub(e.a.StartedAt).Seconds())
	// Nobody was told of an alert that stayed inhibited or silenced: its
	// end is recorded and streamed, not notified (Change.Quiet).
	m.pending = append(m.pending, pendingOp{op: storeOp{kind: opPutAlert, alert: cloneAlert(&e.a)},
		event: EventResolved, quiet: !e.notified})
	m.log.Debug().Str("alert", e.a.ID).Str("rule", string(e.a.Rule)).Str("school", e.a.School).
		Str("resolution", resolution).Dur("duration", at.Sub(e.a.StartedAt)).Msg("alert resolved")

	switch {
	case e.a.Rule == alerting.AlarmPanic:
		m.resolveKey(alerting.Key{Rule: alerting.AlarmUnacked, School: e.a.School, Subject: e.a.Subject}, at)
	case e.a.Rule == alerting.SchoolOffline && m.schoolDown[e.a.School] == 0:
		m.reevaluateSchool(e.a.School, at)
	}
	if e.a.DueAt != nil && e.a.Rule != alerting.KitchenOverdue {
		m.resolveKey(alerting.Key{Rule: alerting.KitchenOverdue, School: e.a.School, Subject: e.a.Subject}, at)
	}
}

// resolveKey auto-resolves the open alert of k, if any. Call with mu.
func (m *Manager) resolveKey(k alerting.Key, at time.Time) {
	if e := m.open[k]; e != nil {
		m.resolve(e, at, "auto", "", "")
	}
}

func (m *Manager) severityLabel(s alerting.Severity) alerting.Severity {
	if s.Rank() > 3 {
		return alerting.P3
	}
	return s
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// inhibitedNow reports whether a is inhibited by an open school_offline
// alert of its school or by its school's pending outage (hold). Call with mu.
func (m *Manager) inhibitedNow(a *alerting.Alert) bool {
	return inhibitable(a.Rule) && (m.schoolDown[a.School] > 0 || m.holding[a.School])
}

// inhibitable lists the device-offline rules school_offline replaces.
func inhibitable(r alerting.RuleID) bool {
	switch r {
	case alerting.AlarmOffline, alerting.AccessOffline, alerting.KitchenCamOffline:
		return true
	}
	return false
}

// graceRule lists the rules the start-up grace period holds back: after a
// restart every device looks silent until its next heartbeat, and nobody
// looks checked in at a post or the guard room until they check in again
// (the presence rules: post_*, guard_understaffed, guardroom_unmanned).
func graceRule(r alerting.RuleID) bool {
	switch r {
	case alerting.SchoolOffline, alerting.PostUnstaffed, alerting.PostUnderstaffed, alerting.PostLeftEarly,
		alerting.GuardUnderstaffed, alerting.GuardroomUnmanned:
		return true
	}
	return inhibitable(r)
}

// inGrace reports whether school is still in its start-up grace period.
func (m *Manager) inGrace(school string, now time.Time) bool {
	return now.Before(m.opts.StartedAt.Add(m.params(school).GracePeriod))
}
