package spool

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	metricsNamespace = "campusguard"
	metricsSubsystem = "spool"
)

// Reasons for campusguard_spool_append_errors_total, pre-created so the
// series exist from the start.
const (
	reasonTooLarge = "too_large"
	reasonEmpty    = "empty"
	reasonClosed   = "closed"
	reasonCanceled = "canceled"
	reasonIO       = "io"
)

type metrics struct {
	records      prometheus.Gauge
	bytes        prometheus.Gauge
	maxBytes     prometheus.Gauge
	appended     prometheus.Counter
	committed    prometheus.Counter
	fsyncSeconds prometheus.Histogram
	fullWaits    prometheus.Counter
	queueWaits   prometheus.Counter
	corrupt      prometheus.Counter
	appendErrors *prometheus.CounterVec
	diskErrors   *prometheus.CounterVec
	diskFull     prometheus.Gauge
	diskFailing  prometheus.Gauge
	rewound      prometheus.Counter

	reg prometheus.Registerer
}

func newMetrics() *metrics {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: name, Help: help}
	}
	m := &metrics{
		records:   prometheus.NewGauge(prometheus.GaugeOpts(opts("records", "Records durable in the spool and not yet committed by the reader."))),
		bytes:     prometheus.NewGauge(prometheus.GaugeOpts(opts("bytes", "Bytes of durable records in the spool not yet committed by the reader."))),
		maxBytes:  prometheus.NewGauge(prometheus.GaugeOpts(opts("max_bytes", "Configured bound on spooled bytes; appends wait while it is reached."))),
		appended:  prometheus.NewCounter(prometheus.CounterOpts(opts("appended_records_total", "Records written and fsynced to the spool."))),
		committed: prometheus.NewCounter(prometheus.CounterOpts(opts("committed_records_total", "Records consumed and committed by the reader."))),
		fullWaits: prometheus.NewCounter(prometheus.CounterOpts(opts("full_waits_total", "Appends that had to wait because the spool was full."))),
		queueWaits: prometheus.NewCounter(prometheus.CounterOpts(opts("queue_waits_total",
			"Times appends had to wait for the committer because MaxQueuedBytes of records were in memory (a producer faster than the disk)."))),
		corrupt: prometheus.NewCounter(prometheus.CounterOpts(opts("corrupt_records_total", "Damaged records found in the spool; the rest of their segment is skipped."))),
		appendErrors: prometheus.NewCounterVec(prometheus.CounterOpts(opts("append_errors_total",
			"Records whose append failed, by reason.")), []string{"reason"}),
		diskErrors: prometheus.NewCounterVec(prometheus.CounterOpts(opts("disk_errors_total",
			"Failed disk operations of the spool, by op: write, fsync, create (a segment file), cursor (persisting the read cursor).")), []string{"op"}),
		diskFull: prometheus.NewGauge(prometheus.GaugeOpts(opts("disk_full",
			"1 while the spool's last segment or cursor write failed for lack of space (ENOSPC, EDQUOT); appends are retried and the reader keeps draining."))),
		diskFailing: prometheus.NewGauge(prometheus.GaugeOpts(opts("disk_failing",
			"1 while the spool's last segment or cursor write failed for any reason; /readyz is not ready meanwhile."))),
		rewound: prometheus.NewCounter(prometheus.CounterOpts(opts("rewound_records_total",
			"Records handed to the reader again after a Rewind; the consumer writes them a second time."))),
		fsyncSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "fsync_seconds",
			Help:    "Time to fsync one group-commit write to a segment file.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 17), // 100µs .. ~6.5s
		}),
	}
	for _, r := range []string{reasonTooLarge, reasonEmpty, reasonClosed, reasonCanceled, reasonIO} {
		m.appendErrors.WithLabelValues(r)
	}
	for _, op := range diskOps {
		m.diskErrors.WithLabelValues(op)
	}
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.records, m.bytes, m.maxBytes, m.appended, m.committed,
		m.fsyncSeconds, m.fullWaits, m.queueWaits, m.corrupt, m.appendErrors, m.diskErrors, m.diskFull, m.diskFailing, m.rewound}
}

// register adds the metrics to reg (a nil reg registers nothing). On
// failure nothing stays registered.
func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	var done []prometheus.Collector
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			for _, d := range done {
				reg.Unregister(d)
			}
			return fmt.Errorf("spool: register metrics: %w", err)
		}
		done = append(done, c)
	}
	m.reg = reg
	return nil
}

func (m *metrics) unregister() {
	if m.reg == nil {
		return
	}
	for _, c := range m.collectors() {
		m.reg.Unregister(c)
	}
	m.reg = nil
}
