package notify

import "github.com/prometheus/client_golang/prometheus"

// Results of campusguard_notify_sent_total.
const (
	resultOK      = "ok"      // delivered
	resultError   = "error"   // refused for good by the receiver (not retried)
	resultDropped = "dropped" // given up: MaxAttempts failed, or shed from a full queue
)

// metrics are the Dispatcher's Prometheus series (campusguard_notify_*).
type metrics struct {
	sent     *prometheus.CounterVec
	dropped  *prometheus.CounterVec
	failures *prometheus.CounterVec
	digests  *prometheus.CounterVec
	queue    *prometheus.GaugeVec
	delivery *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer, receivers []string) (*metrics, error) {
	const ns, sub = "campusguard", "notify"
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "sent_total",
			Help: "Notifications by receiver and final result: ok (delivered), error (refused for good, not retried), dropped (given up after max attempts, or shed from a full queue).",
		}, []string{"receiver", "result"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "dropped_total",
			Help: "Notifications shed because the receiver's queue was full, by the alert's severity (the oldest of the least severe goes first; P0 is never shed); also counted in sent_total{result=\"dropped\"}.",
		}, []string{"receiver", "severity"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "failed_attempts_total",
			Help: "Delivery attempts that failed, retried or not.",
		}, []string{"receiver"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "digests_total",
			Help: "Digest messages delivered: one message for several notifications of a group (each is also counted in sent_total).",
		}, []string{"receiver"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "queue_length",
			Help: "Notifications waiting in the receiver's queue (not counting the one being delivered).",
		}, []string{"receiver"}),
		delivery: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "delivery_seconds",
			Help:    "Time from Send to successful delivery, including queueing and retries.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800},
		}, []string{"receiver"}),
	}
	for _, r := range receivers {
		for _, res := range []string{resultOK, resultError, resultDropped} {
			m.sent.WithLabelValues(r, res)
		}
		for rank := range ranks {
			m.dropped.WithLabelValues(r, severityLabel(rank))
		}
		m.failures.WithLabelValues(r)
		m.digests.WithLabelValues(r)
		m.queue.WithLabelValues(r)
		m.delivery.WithLabelValues(r)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sent, m.dropped, m.failures, m.digests, m.queue, m.delivery} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
