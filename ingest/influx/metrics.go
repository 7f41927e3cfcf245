package influx

import "github.com/prometheus/client_golang/prometheus"

// metrics are the Writer's Prometheus series (campusguard_influx_*).
type metrics struct {
	batches    prometheus.Counter
	records    prometheus.Counter
	errors     *prometheus.CounterVec
	duration   prometheus.Histogram
	deadLetter prometheus.Counter
	up         prometheus.Gauge
	// requestLimit is the most records one request carries now (limit.go).
	requestLimit prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	const ns, sub = "campusguard", "influx"
	m := &metrics{
		batches: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "write_batches_total",
			Help: "Spool batches fully delivered to InfluxDB (written or dead-lettered) and committed.",
		}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "written_records_total",
			Help: "Spool records (the line protocol of one message each) accepted by InfluxDB.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "write_errors_total",
			Help: "Failed InfluxDB write requests, by kind: transient (retried as is) or permanent (a record was rejected; the request is split).",
		}, []string{"kind"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: sub, Name: "write_duration_seconds",
			Help:    "Duration of InfluxDB write requests, successful or not.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12), // 1ms .. ~24s
		}),
		deadLetter: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Subsystem: sub, Name: "dead_letter_records_total",
			Help: "Spool records InfluxDB rejected for good, kept in the dead-letter file.",
		}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "up",
			Help: "1 when the last InfluxDB write or ping succeeded, 0 otherwise.",
		}),
		requestLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Subsystem: sub, Name: "request_records_limit",
			Help: "Most records one write request carries now: the batch size, halved after each request InfluxDB did not answer in time and doubled back after each success.",
		}),
	}
	for _, k := range []errKind{kindTransient, kindPermanent} {
		m.errors.WithLabelValues(k.String())
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.batches, m.records, m.errors, m.duration, m.deadLetter, m.up, m.requestLimit} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
