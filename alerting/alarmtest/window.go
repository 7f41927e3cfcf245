package alarmtest

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/devices"
)

// Window is one registered alarm test window: a panic press at Device of
// School (every alarm terminal of the school when Device is empty) in
// [Start, End) is a test.
type Window struct {
	ID        string    `json:"id"`
	School    string    `json:"school"`
	Device    string    `json:"device,omitempty"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Scheduled marks an occurrence of the registry's recurring schedule
	// (devices.AlarmTestSchedule) listed beside the registered ones; it
	// has no id and cannot be cancelled through the API.
	Scheduled bool `json:"scheduled,omitempty"`
}

// Covers reports whether w covers device at t.
func (w *Window) Covers(device string, t time.Time) bool {
	return (w.Device == "" || w.Device == device) && !t.Before(w.Start) && t.Before(w.End)
}

// Active reports whether w is open at t.
func (w *Window) Active(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Limits bound what may be registered.
type Limits struct {
	MaxDuration time.Duration // End − Start at most (devices.MaxAlarmTestWindow)
	MaxAhead    time.Duration // Start at most this far ahead of now
	PastSlack   time.Duration // Start at most this far behind now (a form filled in slowly)
	PerSchool   int           // windows not yet ended, per school
	MaxNote     int           // note length in characters
	KeepEnded   time.Duration // ended windows are kept this long, then dropped
}

// DefaultLimits are the limits campusguard runs with.
var DefaultLimits = Limits{
	MaxDuration: devices.MaxAlarmTestWindow,
	MaxAhead:    90 * 24 * time.Hour,
	PastSlack:   time.Minute,
	PerSchool:   50,
	MaxNote:     500,
	KeepEnded:   30 * 24 * time.Hour,
}

// ErrInvalid marks a window that breaks a limit or names an unknown school
// or device (the API answers 400); ErrNotFound an unknown id (404).
var (
	ErrInvalid  = errors.New("invalid alarm test window")
	ErrNotFound = errors.New("alarm test window not found")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// check validates w against l, the registry and now.
func (l Limits) check(w *Window, reg *devices.Registry, now time.Time) error {
	if reg == nil {
		return invalid("no registry")
	}
	s, ok := reg.School(w.School)
	if !ok {
		return invalid("unknown school %q", w.School)
	}
	if w.Device != "" && !hasAlarm(s, w.Device) {
		return invalid("device %q is not an alarm terminal of school %q", w.Device, w.School)
	}
	if w.Device == "" && !hasAlarm(s, "") {
		return invalid("school %q has no alarm terminal", w.School)
	}
	switch {
	case w.Start.IsZero() || w.End.IsZero():
		return invalid("start and end are required (RFC 3339)")
	case !w.End.After(w.Start):
		return invalid("end %s is not after start %s", w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
	case w.End.Sub(w.Start) > l.MaxDuration:
		return invalid("window of %s is longer than %s", w.End.Sub(w.Start), l.MaxDuration)
	case w.Start.Before(now.Add(-l.PastSlack)):
		return invalid("start %s is in the past", w.Start.Format(time.RFC3339))
	case w.Start.After(now.Add(l.MaxAhead)):
		return invalid("start %s is more than %s ahead", w.Start.Format(time.RFC3339), l.MaxAhead)
	}
	if n := utf8.RuneCountInString(w.Note); n > l.MaxNote || !utf8.ValidString(w.Note) {
		return invalid("note longer than %d characters", l.MaxNote)
	}
	if strings.ContainsFunc(w.Note, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }) {
		return invalid("note has control characters")
	}
	return nil
}

// hasAlarm reports whether s has the alarm terminal id (any alarm terminal
// when id is empty).
func hasAlarm(s *devices.School, id string) bool {
	for i := range s.Devices {
		if d := &s.Devices[i]; d.Kind == devices.KindAlarm && (id == "" || d.ID == id) {
			return true
		}
	}
	return false
}
