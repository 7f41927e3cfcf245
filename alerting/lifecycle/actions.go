package lifecycle

import (
	"strings"

	"github.com/campusguard/campusguard/alerting"
)

// Ack acknowledges the firing alert id for user, with an optional note.
// Acknowledging a panic alert resolves its alarm_unacked escalation.
// Errors: ErrUserRequired, ErrNotFound, ErrResolved, ErrAcknowledged (the
// current alert is returned with the last two).
func (m *Manager) Ack(id, user, note string) (alerting.Alert, error) {
	if strings.TrimSpace(user) == "" {
		return alerting.Alert{}, ErrUserRequired
	}
	now := m.clock.Now()
	m.mu.Lock()
	e, ok := m.byID[id]
	switch {
	case !ok:
		m.mu.Unlock()
		return alerting.Alert{}, ErrNotFound
	case e.a.State == alerting.Resolved:
		out := cloneAlert(&e.a)
		m.mu.Unlock()
		return out, ErrResolved
	case e.a.State == alerting.Acknowledged:
		out := cloneAlert(&e.a)
		m.mu.Unlock()
		return out, ErrAcknowledged
	}
	e.a.State = alerting.Acknowledged
	e.a.AckedBy = user
	e.a.AckedAt = &now
	if note = strings.TrimSpace(note); note != "" {
		e.a.Note = note
	}
	if now.After(e.a.UpdatedAt) {
		e.a.UpdatedAt = now
	}
	m.emit(e, EventAcknowledged)
	if e.a.Rule == alerting.AlarmPanic {
		m.resolveKey(alerting.Key{Rule: alerting.AlarmUnacked, School: e.a.School, Subject: e.a.Subject}, now)
	}
	out := cloneAlert(&e.a)
	m.unlockAndFlush()
	m.log.Info().Str("alert", id).Str("rule", string(out.Rule)).Str("by", user).Msg("alert acknowledged")
	return out, nil
}

// Resolve closes the open alert id by hand (resolution "manual"); the note
// is required, and user is recorded as acked_by when nobody acknowledged
// it first. Errors: ErrUserRequired, ErrNoteRequired, ErrNotFound,
// ErrResolved (the current alert is returned).
func (m *Manager) Resolve(id, user, note string) (alerting.Alert, error) {
	if strings.TrimSpace(user) == "" {
		return alerting.Alert{}, ErrUserRequired
	}
	if note = strings.TrimSpace(note); note == "" {
		return alerting.Alert{}, ErrNoteRequired
	}
	now := m.clock.Now()
	m.mu.Lock()
	e, ok := m.byID[id]
	if !ok {
		m.mu.Unlock()
		return alerting.Alert{}, ErrNotFound
	}
	if e.a.State == alerting.Resolved {
		out := cloneAlert(&e.a)
		m.mu.Unlock()
		return out, ErrResolved
	}
	m.resolve(e, now, "manual", user, note)
	out := cloneAlert(&e.a)
	m.unlockAndFlush()
	m.log.Info().Str("alert", id).Str("rule", string(out.Rule)).Str("by", user).Msg("alert resolved by hand")
	return out, nil
}
