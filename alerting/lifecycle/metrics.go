package lifecycle

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/alerting"
)

var severities = []alerting.Severity{alerting.P0, alerting.P1, alerting.P2, alerting.P3}

type metrics struct {
	open        map[alerting.Severity]prometheus.Gauge
	changes     map[string]prometheus.Counter
	storeErrors prometheus.Counter
	held        prometheus.Gauge
	outageHolds prometheus.Gauge
	duration    *prometheus.HistogramVec

	refused        map[SilenceRefusal]prometheus.Counter
	silencesCapped prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	const ns, sub = "campusguard", "alerts"
	open := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "open",
		Help: "Open (firing or acknowledged) alerts, by severity."}, []string{"severity"})
	changes := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "changes_total",
		Help: "Alert changes handed to OnChange, by event."}, []string{"event"})
	m := &metrics{
		open:    map[alerting.Severity]prometheus.Gauge{},
		changes: map[string]prometheus.Counter{},
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "store_errors_total",
			Help: "Alert and silence writes the store failed (the change stays in memory and is still notified)."}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "held",
			Help: "Offline conditions held back by the start-up grace period."}),
		outageHolds: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "outage_holds",
			Help: "Schools whose device-offline alerts are held back because an outage is pending or just ended (school module hold)."}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "duration_seconds",
			Help:    "Time from firing to resolution of resolved alerts, by severity.",
			Buckets: []float64{10, 30, 60, 180, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600}},
			[]string{"severity"}),
	}
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "silences_refused_total",
		Help: "Silences the silence policy refused, by reason."}, []string{"reason"})
	m.refused = map[SilenceRefusal]prometheus.Counter{}
	for _, r := range SilenceRefusals {
		m.refused[r] = refused.WithLabelValues(string(r))
	}
	m.silencesCapped = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "silences_capped_total",
		Help: "Stored silences shortened at start-up because they outlast the silence limits."})
	for _, s := range severities {
		m.open[s] = open.WithLabelValues(string(s))
		m.duration.WithLabelValues(string(s))
	}
	for _, e := range Events {
		m.changes[e] = changes.WithLabelValues(e)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{open, changes, m.storeErrors, m.held, m.outageHolds, m.duration, refused, m.silencesCapped} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// openGauge returns the gauge of s; an unknown severity counts as P3.
func (m *metrics) openGauge(s alerting.Severity) prometheus.Gauge {
	if g, ok := m.open[s]; ok {
		return g
	}
	return m.open[alerting.P3]
}

// silenceRefused counts a refusal of the silence policy.
func (m *metrics) silenceRefused(r SilenceRefusal) {
	if c, ok := m.refused[r]; ok {
		c.Inc()
	}
}
