package service

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/notify"
	"github.com/campusguard/campusguard/devices"
)

// DefaultHistoryQueue is the default bound of the history lane's queue
// (records; an alert change is one record of a few hundred bytes).
const DefaultHistoryQueue = 8192

// Options configure a Service. Registry, Store and History are required.
type Options struct {
	// Registry is the registry at start; Reload replaces it.
	Registry *devices.Registry
	// Rules is the rules file (nil: the docs/rules.md defaults). It must fit
	// Registry, and every registry Reload takes (CheckRegistry).
	Rules *config.File
	// Store persists alerts and silences (lifecycle.OpenBolt; the caller
	// closes it after Run returns).
	Store lifecycle.Store
	// History receives the alert history and the compliance rows (the
	// ingest spool). It is only ever called from the history lane.
	History HistoryAppender
	// ComplianceHistory, when set, is where Run reads the stored
	// compliance days back from (InfluxDB: influxhistory.Reader), retrying
	// until it succeeds; the compliance rows are written only after that,
	// so a restart neither loses nor overwrites a stored day.
	ComplianceHistory compliance.HistorySource
	// AlarmTestsPath is the bbolt file of the registered alarm test
	// windows (alarmtest.Store); empty keeps them in memory only.
	AlarmTestsPath string
	// HistoryQueue bounds the history lane (default DefaultHistoryQueue).
	HistoryQueue int
	// Routes and Notify configure the notification dispatcher (the MQTT
	// alert topic and webhooks); zero fields take notify's defaults;
	// its Logger and Registerer are the service's.
	Routes []notify.Route
	Notify notify.Options
	// Clock defaults to the wall clock; with ManualClock the engine's time
	// moves only by Engine().Advance (tests on a fake clock).
	Clock       engine.Clock
	ManualClock bool
	// TickEvery is how often escalation, reminders and silence expiry are
	// checked (default 1 s); compliance rows are written every minute.
	TickEvery time.Duration

	Logger     zerolog.Logger
	Registerer prometheus.Registerer
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Validate checks o and fills in the defaults.
func (o *Options) Validate() error {
	switch {
	case o.Registry == nil:
		return errors.New("alerting service: options: registry is required")
	case o.Store == nil:
		return errors.New("alerting service: options: store is required")
	case o.History == nil:
		return errors.New("alerting service: options: history appender is required")
	case o.HistoryQueue < 0:
		return errors.New("alerting service: options: history queue must not be negative")
	case o.TickEvery < 0:
		return errors.New("alerting service: options: tick interval must not be negative")
	}
	if o.Rules == nil {
		o.Rules = config.Empty()
	}
	if err := o.Rules.CheckRegistry(o.Registry); err != nil {
		return err
	}
	if o.HistoryQueue == 0 {
		o.HistoryQueue = DefaultHistoryQueue
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.TickEvery == 0 {
		o.TickEvery = time.Second
	}
	return nil
}
