package lifecycle

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
)

// Clock tells the Manager the time; tests use a fake one.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Events of a Change: the alert-change vocabulary of package alerting,
// shared with notify.
const (
	EventFired        = alerting.EventFired
	EventUpdated      = alerting.EventUpdated
	EventAcknowledged = alerting.EventAcknowledged
	EventResolved     = alerting.EventResolved
	EventEscalated    = alerting.EventEscalated
	EventReminder     = alerting.EventReminder
	EventSilenced     = alerting.EventSilenced
	EventInhibited    = alerting.EventInhibited
	EventRepeated     = alerting.EventRepeated
	EventCleared      = alerting.EventCleared
	EventReceived     = alerting.EventReceived
	EventReported     = alerting.EventReported
	EventReturned     = alerting.EventReturned
	EventVerified     = alerting.EventVerified
)

// Events lists every event, for metrics and consumers' tables.
var Events = []string{EventFired, EventUpdated, EventAcknowledged, EventResolved,
	EventEscalated, EventReminder, EventSilenced, EventInhibited, EventRepeated,
	EventCleared, EventReceived, EventReported, EventReturned, EventVerified}

// Change is one change of one alert. Alert is a copy the receiver owns.
type Change struct {
	Alert alerting.Alert
	Event string
	// Quiet marks the end (resolved) of an alert nobody was told about: it
	// stayed inhibited or silenced from start to end. It is recorded and
	// streamed, not notified.
	Quiet bool `json:"-"`
}

// Notifiable reports whether c must reach people (the MQTT alert topic,
// webhooks): fired, repeated, acknowledged, resolved, escalated and
// reminder do, and of the handling loop reported (the owner has a report
// to review) and returned (the school must act again; notify narrows both
// to those receivers); updated (a repeat that changes nothing people act
// on), silenced, inhibited, cleared (the alert stays open), received (a
// receipt) and verified (a resolved follows) do not, and neither does a
// Quiet resolution. Every change, notifiable or not, is stored and
// streamed to the boards.
func Notifiable(c Change) bool {
	switch c.Event {
	case EventFired, EventRepeated, EventAcknowledged, EventEscalated, EventReminder, EventReported, EventReturned:
		return true
	case EventResolved:
		return !c.Quiet
	}
	return false
}

// Errors of Ack, Report, Return, Close and the silence calls; test them
// with errors.Is.
var (
	ErrNotFound       = errors.New("lifecycle: not found")
	ErrResolved       = errors.New("lifecycle: alert already resolved")
	ErrAcknowledged   = errors.New("lifecycle: alert already acknowledged")
	ErrNoteRequired   = errors.New("lifecycle: a note is required")
	ErrForbidden      = errors.New("lifecycle: not permitted for this actor")
	ErrNotReported    = errors.New("lifecycle: no report waits for review")
	ErrEvidence       = errors.New("lifecycle: evidence must be an http or https link")
	ErrUserRequired   = errors.New("lifecycle: user is required")
	ErrSilenceExpired = errors.New("lifecycle: silence already expired")
)

// Options configure a Manager. Only Store is required.
type Options struct {
	// Store persists alerts and silences (BoltStore in production,
	// NewMemStore in tests).
	Store Store
	// Clock defaults to the wall clock.
	Clock Clock
	// Params returns a school's parameters (escalation, reminders, grace,
	// severity overrides); nil or a nil result: config.Defaults().
	Params func(school string) *config.Params
	// Region returns a school's region, for conditions that carry none.
	// Params and Region are called under the Manager's lock: they must be
	// quick and must not call the Manager.
	Region func(school string) string
	// StartedAt is the process start; the grace period runs from it
	// (default: Clock.Now() at Open).
	StartedAt time.Time
	// OnChange receives every change after it is stored, in the order the
	// changes were made, outside the Manager's state lock. It must not
	// block (queue and return) and must not call Apply, Ack, Report, Return, Close,
	// Tick or the silence calls synchronously; Get and List are fine.
	OnChange func(Change)
	// IDs generates alert ids (default "al-<unixms>-<random hex>").
	IDs func() string
	// Retention is how long resolved alerts stay in memory for List and
	// Get (default 7 days); StoreRetention how long they stay in the
	// Store (default 30 days, at least Retention). Expired silences stay
	// for Retention.
	Retention      time.Duration
	StoreRetention time.Duration

	Logger     zerolog.Logger
	Registerer prometheus.Registerer
}

// Validate checks opts and fills in the defaults.
func (o *Options) Validate() error {
	if o.Store == nil {
		return errors.New("lifecycle: options: store is required")
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.Params == nil {
		o.Params = func(string) *config.Params { return nil }
	}
	if o.Region == nil {
		o.Region = func(string) string { return "" }
	}
	if o.StartedAt.IsZero() {
		o.StartedAt = o.Clock.Now()
	}
	if o.OnChange == nil {
		o.OnChange = func(Change) {}
	}
	if o.IDs == nil {
		clock := o.Clock
		o.IDs = func() string { return newID("al-", clock.Now()) }
	}
	if o.Retention < 0 || o.StoreRetention < 0 {
		return errors.New("lifecycle: options: retention must not be negative")
	}
	if o.Retention == 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.StoreRetention == 0 {
		o.StoreRetention = 30 * 24 * time.Hour
	}
	if o.StoreRetention < o.Retention {
		o.StoreRetention = o.Retention
	}
	return nil
}

// newID returns prefix + unix milliseconds + 32 random bits: time-ordered
// and unique enough for the alerts of one city.
func newID(prefix string, now time.Time) string {
	b := make([]byte, 0, 32)
	b = append(b, prefix...)
	b = strconv.AppendInt(b, now.UnixMilli(), 10)
	b = append(b, '-')
	r := rand.Uint32()
	const hex = "0123456789abcdef"
	for i := 28; i >= 0; i -= 4 {
		b = append(b, hex[(r>>uint(i))&0xf])
	}
	return string(b)
}
