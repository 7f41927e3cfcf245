package decode

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// skewCounters count alarm messages accepted with the receive time because
// the device's clock was outside the window.
type skewCounters struct {
	future, past atomic.Uint64
}

// ClockSkew reports how many alarm messages this Decoder accepted with the
// receive time instead of a ts too far ahead (future) or behind (past).
func (d *Decoder) ClockSkew() (future, past uint64) {
	return d.skew.future.Load(), d.skew.past.Load()
}

var skewDesc = prometheus.NewDesc("campusguard_ingest_alarm_clock_skew_total",
	"Alarm terminal messages whose ts was outside the accepted window (direction future or past): "+
		"accepted with the receive time, the device's time kept in the device_ts field.",
	[]string{"direction"}, nil)

// Collector exports ClockSkew as the counter
// campusguard_ingest_alarm_clock_skew_total{direction="future"|"past"};
// register it once per Decoder.
func (d *Decoder) Collector() prometheus.Collector { return skewCollector{d} }

type skewCollector struct{ d *Decoder }

func (c skewCollector) Describe(ch chan<- *prometheus.Desc) { ch <- skewDesc }

func (c skewCollector) Collect(ch chan<- prometheus.Metric) {
	future, past := c.d.ClockSkew()
	ch <- prometheus.MustNewConstMetric(skewDesc, prometheus.CounterValue, float64(future), "future")
	ch <- prometheus.MustNewConstMetric(skewDesc, prometheus.CounterValue, float64(past), "past")
}
