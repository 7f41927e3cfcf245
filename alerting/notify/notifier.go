package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Events of a Notification: what changed about the alert (package
// alerting's alert-change vocabulary, shared with the lifecycle).
const (
	EventFired        = alerting.EventFired
	EventUpdated      = alerting.EventUpdated
	EventAcknowledged = alerting.EventAcknowledged
	EventResolved     = alerting.EventResolved
	EventEscalated    = alerting.EventEscalated
	EventReminder     = alerting.EventReminder
	EventRepeated     = alerting.EventRepeated
	EventReported     = alerting.EventReported // to the owner only (recipients)
	EventReturned     = alerting.EventReturned // to the school only (recipients)
)

// Notification is one alert change to deliver.
type Notification struct {
	Alert alerting.Alert
	Event string // fired | repeated | updated | acknowledged | resolved | escalated | reminder | reported | returned
}

// Notifier delivers one notification to one receiver. It reports whether a
// failed delivery is worth retrying; the Dispatcher retries with backoff.
// It should return when ctx ends (the Dispatcher bounds each attempt).
// The Dispatcher calls a receiver's Notifier from that receiver's goroutine
// only; a Notifier shared by several receivers must be safe for concurrent
// use (MQTTNotifier and WebhookNotifier are).
type Notifier interface {
	Notify(ctx context.Context, n Notification) (retry bool, err error)
}

// Connector is a Notifier that holds a connection (MQTTNotifier). Run
// calls Connect before the receiver's first delivery and Close when it
// returns; both must be safe to call more than once.
type Connector interface {
	Connect(ctx context.Context) error
	Close()
}

// Sentinel errors that notifiers wrap; test them with errors.Is.
var (
	// ErrNotConnected: the MQTT client has no connection (retried).
	ErrNotConnected = errors.New("notify: not connected")
	// ErrPubackTimeout: the broker did not acknowledge a QoS 1 publish in time (retried).
	ErrPubackTimeout = errors.New("notify: no PUBACK in time")
	// ErrRateLimited: the receiver asked us to slow down, by HTTP 429 or a
	// robot errcode (retried, after Retry-After when given).
	ErrRateLimited = errors.New("notify: rate limited")
	// ErrUnavailable: the receiver failed on its side, HTTP 5xx or a
	// "system busy" errcode (retried).
	ErrUnavailable = errors.New("notify: receiver unavailable")
	// ErrRejected: the receiver refused the notification for good, HTTP 4xx
	// or a robot errcode (not retried).
	ErrRejected = errors.New("notify: rejected by receiver")
	// ErrInvalid: the notification cannot be rendered or addressed, e.g. a
	// school id that is not a valid topic level (not retried).
	ErrInvalid = errors.New("notify: invalid notification")
)

// RetryAfterError is a retryable error that carries the receiver's
// Retry-After: the Dispatcher waits at least After (up to MaxRetryAfter)
// before the next attempt.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// MaxRetryAfter bounds how long a receiver's Retry-After can hold its queue.
const MaxRetryAfter = 15 * time.Minute

// retryAfter returns the Retry-After carried by err, or 0.
func retryAfter(err error) time.Duration {
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		return min(ra.After, MaxRetryAfter)
	}
	return 0
}

// Digest is one message for many notifications of a group: the same event
// of alerts that share the group's labels (by default rule and region).
type Digest struct {
	// Notifications of this message, in the order they were sent.
	Notifications []Notification
	// Total is how many notifications the group held when it went out; a
	// group longer than the receiver's max_alerts goes out as several
	// messages, and First is the 1-based position of Notifications[0].
	Total, First int
}

// DigestNotifier is a Notifier for people (the group robots) that can also
// deliver a Digest. Only receivers whose notifier is one may group.
type DigestNotifier interface {
	Notifier
	NotifyDigest(ctx context.Context, d *Digest) (retry bool, err error)
}
