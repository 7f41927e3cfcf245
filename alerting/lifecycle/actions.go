package lifecycle

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
)

// The handling loop (派单 → 处置 → 反馈 → 复核): the school acknowledges
// receipt and reports what it did, the owning agency verifies and closes
// or sends the report back. Who may take which step is decided by
// alerting.Permit and alerting.AckStopsEscalation only; these methods add
// what the alert's state allows (Allowed lists both for a viewer).

// MaxEvidence bounds a report's evidence link, in bytes.
const MaxEvidence = 1024

// Ack acknowledges the open alert id for who, with an optional note. When
// AckStopsEscalation says so (the owner, an administrator, or anyone the
// matrix allows on a non-P0) the alert moves to Acknowledged (event
// acknowledged), and acknowledging a panic resolves its alarm_unacked
// escalation. A school's acknowledgement of a P0 only records receipt
// (ReceivedBy/At, event received): the alert stays firing, so it still
// escalates. Errors: ErrUserRequired, ErrNotFound, ErrResolved,
// ErrForbidden, ErrAcknowledged (already acknowledged, or receipt already
// recorded); the current alert is returned with the last three.
func (m *Manager) Ack(id string, who alerting.Actor, note string) (alerting.Alert, error) {
	if strings.TrimSpace(who.Name) == "" {
		return alerting.Alert{}, ErrUserRequired
	}
	note = strings.TrimSpace(note)
	now := m.clock.Now()
	m.mu.Lock()
	e, err := m.actionable(id, who, alerting.ActAck)
	if err != nil {
		return m.refuse(e, err)
	}
	stops := alerting.AckStopsEscalation(&e.a, who)
	if note != "" && (stops || e.a.Note == "") {
		e.a.Note = note // a receipt's note never replaces the owner's
	}
	touch(&e.a, now)
	event := EventReceived
	if stops {
		event = EventAcknowledged
		e.a.State = alerting.Acknowledged
		e.a.AckedBy = who.Name
		e.a.AckedAt = &now
	} else {
		e.a.ReceivedBy = who.Name
		e.a.ReceivedAt = &now
	}
	m.emit(e, event)
	if stops && e.a.Rule == alerting.AlarmPanic {
		m.resolveKey(alerting.Key{Rule: alerting.AlarmUnacked, School: e.a.School, Subject: e.a.Subject}, now)
	}
	return m.done(e, who, event, note)
}

// Report records what the school did about the open alert id (整改反馈):
// note is required, evidence an optional http(s) link of at most
// MaxEvidence bytes. The alert waits for its owner's review
// (Handling=reported, event reported); a report that arrives before the
// rectification deadline keeps kitchen_overdue from firing. A new report
// replaces the previous one. Errors: ErrUserRequired, ErrNoteRequired,
// ErrEvidence, ErrNotFound, ErrResolved, ErrForbidden.
func (m *Manager) Report(id string, who alerting.Actor, note, evidence string) (alerting.Alert, error) {
	note, err := noted(who, note)
	if err != nil {
		return alerting.Alert{}, err
	}
	evidence = strings.TrimSpace(evidence)
	if err := CheckEvidence(evidence); err != nil {
		return alerting.Alert{}, err
	}
	now := m.clock.Now()
	m.mu.Lock()
	e, err := m.actionable(id, who, alerting.ActReport)
	if err != nil {
		return m.refuse(e, err)
	}
	touch(&e.a, now)
	e.a.Handling = alerting.Reported
	e.a.Feedback, e.a.Evidence = note, evidence
	e.a.ReportedBy, e.a.ReportedAt = who.Name, &now
	m.emit(e, EventReported)
	return m.done(e, who, EventReported, note)
}

// Return sends the school's pending report on the open alert id back
// (退回): note, the reason, is required. Handling becomes returned (event
// returned); if the rectification deadline has passed, kitchen_overdue
// fires now. Errors: ErrUserRequired, ErrNoteRequired, ErrNotFound,
// ErrResolved, ErrForbidden (not the owner), ErrNotReported (no report
// waits).
func (m *Manager) Return(id string, who alerting.Actor, note string) (alerting.Alert, error) {
	note, err := noted(who, note)
	if err != nil {
		return alerting.Alert{}, err
	}
	now := m.clock.Now()
	m.mu.Lock()
	e, err := m.actionable(id, who, alerting.ActReturn)
	if err != nil {
		return m.refuse(e, err)
	}
	touch(&e.a, now)
	e.a.Handling = alerting.Returned
	e.a.ReviewedBy, e.a.ReviewedAt, e.a.ReviewNote = who.Name, &now, note
	m.emit(e, EventReturned)
	if m.overdueDue(e, now) {
		m.overdue(e, now)
	}
	return m.done(e, who, EventReturned, note)
}

// Close closes the open alert id by its owner (or an administrator) with a
// note, which is required. With a report pending it is the verification
// (复核通过: events verified then resolved, resolution "verified"),
// otherwise a manual close (resolution "manual"). Errors: ErrUserRequired,
// ErrNoteRequired, ErrNotFound, ErrResolved, ErrForbidden.
func (m *Manager) Close(id string, who alerting.Actor, note string) (alerting.Alert, error) {
	note, err := noted(who, note)
	if err != nil {
		return alerting.Alert{}, err
	}
	now := m.clock.Now()
	m.mu.Lock()
	e, err := m.actionable(id, who, alerting.ActClose)
	if err != nil {
		return m.refuse(e, err)
	}
	resolution := "manual"
	if e.a.Handling == alerting.Reported {
		resolution = "verified"
		touch(&e.a, now)
		e.a.ReviewedBy, e.a.ReviewedAt, e.a.ReviewNote = who.Name, &now, note
		m.emit(e, EventVerified)
	}
	e.a.ClosedBy = who.Name
	m.resolve(e, now, resolution, who.Name, note)
	return m.done(e, who, EventResolved, note)
}

// Allowed lists the steps who may take on a now, by the permission matrix
// and the alert's state: what the API offers a viewer (field "can"). A
// resolved alert allows nothing.
func Allowed(a *alerting.Alert, who alerting.Actor) []alerting.Action {
	out := []alerting.Action{}
	if !a.Open() {
		return out
	}
	for _, act := range []alerting.Action{alerting.ActAck, alerting.ActReport, alerting.ActClose, alerting.ActReturn} {
		if stateRefusal(a, who, act) == nil {
			out = append(out, act)
		}
	}
	return out
}

// stateRefusal returns why who may not take act on the open alert a: the
// matrix (ErrForbidden), or its state (ErrAcknowledged, ErrNotReported).
func stateRefusal(a *alerting.Alert, who alerting.Actor, act alerting.Action) error {
	if act == alerting.ActReturn && a.Handling != alerting.Reported {
		// Permit refuses a return without a pending report; tell "not
		// yours" from "nothing to send back".
		probe := *a
		probe.Handling = alerting.Reported
		if !alerting.Permit(&probe, who, act) {
			return ErrForbidden
		}
		return ErrNotReported
	}
	if !alerting.Permit(a, who, act) {
		return ErrForbidden
	}
	if act == alerting.ActAck {
		if stops := alerting.AckStopsEscalation(a, who); (stops && a.State == alerting.Acknowledged) ||
			(!stops && a.ReceivedBy != "") {
			return ErrAcknowledged
		}
	}
	return nil
}

// actionable returns the open entry id on which who may take act, or why
// not (e is set when the alert exists; a refusal is logged when it is the
// matrix's). Call with mu.
func (m *Manager) actionable(id string, who alerting.Actor, act alerting.Action) (*entry, error) {
	e, ok := m.byID[id]
	switch {
	case !ok:
		return nil, ErrNotFound
	case e.a.State == alerting.Resolved:
		return e, ErrResolved
	}
	if err := stateRefusal(&e.a, who, act); err != nil {
		if err == ErrForbidden {
			m.log.Warn().Str("alert", id).Str("rule", string(e.a.Rule)).Str("by", who.Name).
				Str("agency", string(who.Agency)).Str("action", string(act)).Msg("handling step refused: not permitted")
		}
		return e, err
	}
	return e, nil
}

// refuse releases mu and returns err with a copy of e's alert (if any).
// Call with mu.
func (m *Manager) refuse(e *entry, err error) (alerting.Alert, error) {
	var out alerting.Alert
	if e != nil {
		out = cloneAlert(&e.a)
	}
	m.mu.Unlock()
	return out, err
}

// done flushes the change of a handling step, logs it and returns the
// alert. Call with mu; it is released.
func (m *Manager) done(e *entry, who alerting.Actor, event, note string) (alerting.Alert, error) {
	out := cloneAlert(&e.a)
	m.unlockAndFlush()
	m.log.Info().Str("alert", out.ID).Str("rule", string(out.Rule)).Str("school", out.School).
		Str("event", event).Str("by", who.Name).Str("agency", string(who.Agency)).Bool("admin", who.Admin).
		Str("note", note).Msg("alert handling step")
	return out, nil
}

// touch moves a's updated_at to now, never back.
func touch(a *alerting.Alert, now time.Time) {
	if now.After(a.UpdatedAt) {
		a.UpdatedAt = now
	}
}

// CheckEvidence checks a report's evidence link: empty, or an absolute
// http or https URL with a host, at most MaxEvidence bytes, valid UTF-8
// without control characters.
func CheckEvidence(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxEvidence || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ErrEvidence
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ErrEvidence
	}
	return nil
}

// noted checks the actor and the note of a step that needs a note (report,
// return, close): it returns the trimmed note, or ErrUserRequired or
// ErrNoteRequired.
func noted(who alerting.Actor, note string) (string, error) {
	if strings.TrimSpace(who.Name) == "" {
		return "", ErrUserRequired
	}
	if note = strings.TrimSpace(note); note == "" {
		return "", ErrNoteRequired
	}
	return note, nil
}
