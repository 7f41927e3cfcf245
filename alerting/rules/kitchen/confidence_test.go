package kitchen

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// sure is a violation with the given AI confidence.
func sure(dev, id, cat string, conf float64) devices.Event {
	ev := violation(dev, id, cat)
	for i := range ev.Values {
		if ev.Values[i].Name == "confidence" {
			ev.Values[i].Num = conf
		}
	}
	return ev
}

// TestMinConfidence: a detection below KitchenMinConfidence raises
// nothing — no violation, no repeat, no group — and is counted by
// category; one at the threshold fires.
func TestMinConfidence(t *testing.T) {
	tests := []struct {
		name    string
		min     float64 // below 0: the default 0.6
		conf    float64
		fires   bool
		counted float64
	}{
		{"below the default 0.6", -1, 0.59, false, 1},
		{"at the threshold fires", -1, 0.6, true, 0},
		{"above fires", -1, 0.93, true, 0},
		{"a school that asks for 0.9", 0.9, 0.85, false, 1},
		{"a threshold of 0 takes everything", 0, 0, true, 0},
	}
	for _, tc := range tests {
		for _, cat := range []string{"rodent", "smoking", "no_hat"} {
			t.Run(tc.name+"/"+cat, func(t *testing.T) {
				h := newHarness(t, at(monday, 10, 0))
				if tc.min >= 0 {
					h.Par.KitchenMinConfidence = tc.min
				}
				h.Event(sure("cam-1", "x", cat, tc.conf))
				if got := len(h.Fired(alerting.KitchenViolation)) == 1; got != tc.fires || len(h.Conds) > 1 {
					t.Fatalf("conditions:\n%s", h)
				}
				if got := testutil.ToFloat64(state(h).met.lowConfidence.WithLabelValues(cat)); got != tc.counted {
					t.Errorf("low-confidence count %g, want %g", got, tc.counted)
				}
			})
		}
	}
}

// TestMinConfidenceCountsNothing: low-confidence detections count towards
// no repeat and join no alert group.
func TestMinConfidenceCountsNothing(t *testing.T) {
	h := newHarness(t, at(monday, 10, 0))
	h.Event(sure("cam-1", "a", "no_hat", 0.9))
	h.Event(sure("cam-1", "b", "no_hat", 0.3))
	h.Event(sure("cam-1", "c", "no_hat", 0.3))
	if r := h.Fired(alerting.KitchenRepeat); len(r) != 0 {
		t.Fatalf("tier-3 repeat from low-confidence detections: %+v", r)
	}
	h.Event(sure("cam-1", "d", "smoking", 0.2))
	h.AdvanceTo(at(monday, 11, 0))
	h.Event(sure("cam-1", "e", "smoking", 0.8))
	if r := h.Fired(alerting.KitchenRepeat); len(r) != 0 {
		t.Fatalf("tier-2 repeat from a low-confidence detection: %+v", r)
	}
	f := h.Fired(alerting.KitchenViolation)
	if len(f) != 2 || f[1].Subject != "cam-1:smoking:e" || dueOf(f[1]) != "12-08 11:00" {
		t.Fatalf("violations %+v", f)
	}
	if got := testutil.ToFloat64(state(h).met.lowConfidence.WithLabelValues("no_hat")); got != 2 {
		t.Errorf("no_hat low-confidence count %g, want 2", got)
	}
}

// TestMetricsRegistered: NewWith registers the counter, with every
// category present from the start, and refuses a second registration.
func TestMetricsRegistered(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := NewWith(Options{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	n, err := testutil.GatherAndCount(reg, "campusguard_kitchen_low_confidence_violations_total")
	if err != nil || n != len(devices.ViolationCategories) {
		t.Fatalf("series %d (%v), want one per category (%d)", n, err, len(devices.ViolationCategories))
	}
	if _, err := NewWith(Options{Registerer: reg}); err == nil {
		t.Error("second registration accepted")
	}
	if _, err := NewWith(Options{}); err != nil {
		t.Errorf("no registerer: %v", err)
	}
}
