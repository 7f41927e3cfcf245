package sim

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
)

// Stats counts what a Simulator has sent.
type Stats struct {
	// Published counts messages handed to the emit function (Step) or to
	// the Publisher (Run), including those whose Publish failed.
	Published uint64
	// Errors counts Publish calls that returned an error (Run).
	Errors uint64
	// Suppressed counts messages that faults swallowed (silent_device).
	Suppressed uint64
	// ByKind counts Published by device kind and channel.
	ByKind map[devices.Kind]map[devices.Channel]uint64
	// ByType counts Published by payload type ("access.granted",
	// "heartbeat.alarm", "status", ...).
	ByType map[string]uint64
}

// counters are the live counts behind Stats and the metrics; safe to read
// while Run writes them.
type counters struct {
	byKindCh   [4][numChannels]atomic.Uint64
	byType     []atomic.Uint64
	errors     atomic.Uint64
	suppressed atomic.Uint64

	published [4][numChannels]prometheus.Counter
	errCount  prometheus.Counter
}

func newCounters(reg prometheus.Registerer) (*counters, error) {
	c := &counters{byType: make([]atomic.Uint64, len(evTypes))}
	published := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "campusguard", Subsystem: "sim", Name: "published_total",
		Help: "Messages the simulator handed to its publisher, by device kind and channel.",
	}, []string{"kind", "channel"})
	errs := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "campusguard", Subsystem: "sim", Name: "publish_errors_total",
		Help: "Publish calls of the simulator that returned an error.",
	})
	for k, kind := range devices.Kinds {
		for ch, channel := range channels {
			c.published[k][ch] = published.WithLabelValues(string(kind), string(channel))
		}
	}
	c.errCount = errs
	if reg != nil {
		for _, m := range []prometheus.Collector{published, errs} {
			if err := reg.Register(m); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func (c *counters) count(kind, ch int, t *evType) {
	c.byKindCh[kind][ch].Add(1)
	c.byType[t.idx].Add(1)
	c.published[kind][ch].Inc()
}

func (c *counters) failed() {
	c.errors.Add(1)
	c.errCount.Inc()
}

func (c *counters) snapshot() Stats {
	st := Stats{
		Errors:     c.errors.Load(),
		Suppressed: c.suppressed.Load(),
		ByKind:     make(map[devices.Kind]map[devices.Channel]uint64, len(devices.Kinds)),
		ByType:     make(map[string]uint64, len(evTypes)),
	}
	for k, kind := range devices.Kinds {
		m := make(map[devices.Channel]uint64, numChannels)
		for ch, channel := range channels {
			n := c.byKindCh[k][ch].Load()
			m[channel] = n
			st.Published += n
		}
		st.ByKind[kind] = m
	}
	for i, t := range evTypes {
		if n := c.byType[i].Load(); n > 0 {
			st.ByType[t.name] = n
		}
	}
	return st
}
