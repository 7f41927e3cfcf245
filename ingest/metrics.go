package ingest

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
)

// Metrics are the pipeline's Prometheus instruments. Labels are
// low-cardinality enums only (kind, reason), never device or person ids.
type Metrics struct {
	received    prometheus.Counter
	accepted    *prometheus.CounterVec
	rejected    *prometheus.CounterVec
	duplicates  prometheus.Counter
	retained    prometheus.Counter
	seqGaps     prometheus.Counter
	spoolErrors prometheus.Counter
	clockSkew   *prometheus.CounterVec
	early       prometheus.Counter
	lag         prometheus.Histogram

	// Children bound once, so the per-message path does no label lookup
	// (a hash of the label values and a map access under a lock each).
	acceptedBy []prometheus.Counter // by position in devices.Kinds
	skewFuture prometheus.Counter
	skewPast   prometheus.Counter
	rejectedBy map[decode.Reason]prometheus.Counter
}

// kindIndex is k's position in devices.Kinds, or -1.
func kindIndex(k devices.Kind) int {
	for i, dk := range devices.Kinds {
		if dk == k {
			return i
		}
	}
	return -1
}

// acceptedFor returns the accepted counter of kind k.
func (m *Metrics) acceptedFor(k devices.Kind) prometheus.Counter {
	if i := kindIndex(k); i >= 0 {
		return m.acceptedBy[i]
	}
	return m.accepted.WithLabelValues(string(k))
}

// rejectedFor returns the rejected counter of reason r.
func (m *Metrics) rejectedFor(r decode.Reason) prometheus.Counter {
	if c, ok := m.rejectedBy[r]; ok {
		return c
	}
	return m.rejected.WithLabelValues(string(r))
}

// NewMetrics builds the instruments and registers them on reg (nil: not
// registered), pre-creating every label value so dashboards see zeros.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns, sub = "campusguard", "ingest"
	m := &Metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "received_total",
			Help: "MQTT messages received from devices."}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "accepted_total",
			Help: "Messages validated and durable in the spool, by device kind."}, []string{"kind"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rejected_total",
			Help: "Messages rejected by validation, by reason."}, []string{"reason"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "duplicates_total",
			Help: "Messages dropped because their event id was seen within the dedup window."}),
		retained: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "retained_replays_total",
			Help: "Retained messages replayed by the broker on subscription: validated and passed on as state, not stored again."}),
		seqGaps: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "seq_gaps_total",
			Help: "Per-device sequence numbers skipped (messages a device sent that never arrived)."}),
		spoolErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "spool_errors_total",
			Help: "Messages left unacknowledged because the spool could not make them durable."}),
		clockSkew: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "alarm_clock_skew_total",
			Help: "Alarm terminal messages stored whose ts was outside the accepted window (direction future or past): accepted with the receive time, the device's time kept in the device_ts field."}, []string{"direction"}),
		early: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evaluated_before_storage_total",
			Help: "Alarm events handed to alerting as soon as they were decoded, before the spool append (the alarm lane)."}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "lag_seconds",
			Help:    "End-to-end lag from the device timestamp to durable acceptance.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600}}),
	}
	m.acceptedBy = make([]prometheus.Counter, len(devices.Kinds))
	for i, k := range devices.Kinds {
		m.acceptedBy[i] = m.accepted.WithLabelValues(string(k))
	}
	m.skewFuture = m.clockSkew.WithLabelValues("future")
	m.skewPast = m.clockSkew.WithLabelValues("past")
	m.rejectedBy = make(map[decode.Reason]prometheus.Counter, len(decode.AllReasons))
	for _, r := range decode.AllReasons {
		m.rejectedBy[r] = m.rejected.WithLabelValues(string(r))
	}
	if reg != nil {
		reg.MustRegister(m.received, m.accepted, m.rejected, m.duplicates, m.retained, m.seqGaps, m.spoolErrors, m.clockSkew, m.early, m.lag)
	}
	return m
}
