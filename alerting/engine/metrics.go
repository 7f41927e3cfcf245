package engine

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/alerting"
)

type metrics struct {
	events        prometheus.Counter
	queueFull     prometheus.Counter
	unknownSchool prometheus.Counter
	eventSeconds  prometheus.Histogram
	conditions    *prometheus.CounterVec
	timers        *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "campusguard", "engine"
	m := &metrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "events_total",
			Help: "Events handed to the alerting engine."}),
		queueFull: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "queue_full_waits_total",
			Help: "Times an event waited because its shard's queue was full."}),
		unknownSchool: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "unknown_school_events_total",
			Help: "Events of a school the engine does not know (not in the registry it runs on)."}),
		eventSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "event_seconds",
			Help: "Time to evaluate every rule module on one event.", Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10)}),
		conditions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "conditions_total",
			Help: "Conditions reported by the rules, by rule and whether they fire or resolve."}, []string{"rule", "state"}),
		timers: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "deadlines",
			Help: "Pending deadlines, by shard."}, []string{"shard"}),
	}
	for _, r := range alerting.Catalogue {
		m.conditions.WithLabelValues(string(r.ID), "firing")
		m.conditions.WithLabelValues(string(r.ID), "resolved")
	}
	if reg != nil {
		reg.MustRegister(m.events, m.queueFull, m.unknownSchool, m.eventSeconds, m.conditions, m.timers)
	}
	return m
}

func itoa(i int) string { return strconv.Itoa(i) }
