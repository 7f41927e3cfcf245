package kitchen

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
)

// metrics are the module's counters, shared by every school's state (the
// engine's workers update them concurrently; counters are safe for that).
type metrics struct {
	// lowConfidence counts violations below KitchenMinConfidence: stored
	// upstream, raising nothing here. Labelled by category (a closed
	// vocabulary), never by device or school.
	lowConfidence *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		lowConfidence: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "campusguard", Subsystem: "kitchen", Name: "low_confidence_violations_total",
			Help: "Kitchen AI violations below the minimum confidence (kitchen_min_confidence): stored, no alert; by category.",
		}, []string{"category"}),
	}
	cats := make([]string, 0, len(devices.ViolationCategories))
	for cat := range devices.ViolationCategories {
		cats = append(cats, cat)
	}
	sort.Strings(cats)
	for _, cat := range cats {
		m.lowConfidence.WithLabelValues(cat)
	}
	return m
}

func (m *metrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	return reg.Register(m.lowConfidence)
}
