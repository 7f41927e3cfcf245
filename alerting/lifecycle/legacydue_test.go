package lifecycle

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// TestStoredViolationsGetTheirTiersDeadline: open kitchen violations stored
// before every tier had a deadline (tier 1 and 3 had none) come back with
// their tier's deadline from their first detection, and go overdue when it
// passes; the old code restored them without one, so the market board
// showed "—" for tier 1 and they never went overdue. A stored deadline is
// kept.
func TestStoredViolationsGetTheirTiersDeadline(t *testing.T) {
	st := NewMemStore()
	kept := t0.Add(90 * time.Minute)
	for _, a := range []alerting.Alert{
		{ID: "t1", Rule: alerting.KitchenViolation, Severity: alerting.P1, Subject: "cam-1:rodent:e1"},
		{ID: "t3", Rule: alerting.KitchenViolation, Severity: alerting.P3, Subject: "no_hat@2026-11-30"},
		{ID: "t2", Rule: alerting.KitchenViolation, Severity: alerting.P2, Subject: "cam-1:smoking:e2", DueAt: &kept},
		{ID: "sev", Rule: alerting.KitchenViolation, Severity: alerting.P1, Subject: "cam-1:oddity:e3"},
	} {
		a.State, a.School, a.StartedAt, a.UpdatedAt = alerting.Firing, "s1", t0, t0
		a.Audience = []alerting.Audience{alerting.Market, alerting.SchoolAud}
		if err := st.Put(a); err != nil {
			t.Fatal(err)
		}
	}
	clock := &fakeClock{t: t0.Add(time.Hour)}
	e := newEnv(t, func(o *Options) { o.Store = st; o.Clock = clock })
	want := map[string]time.Time{"t1": t0.Add(4 * time.Hour), "t3": t0.Add(24 * time.Hour), "t2": kept, "sev": t0.Add(4 * time.Hour)}
	for id, w := range want {
		a, ok := e.m.Get(id)
		if !ok || a.DueAt == nil || !a.DueAt.Equal(w) {
			t.Errorf("%s: due %v, want %v", id, a.DueAt, w)
		}
	}
	e.m.Tick(clock.Add(3 * time.Hour)) // t0+4h: tier 1 past its deadline
	var overdue []string
	for _, a := range e.m.List(Filter{Rules: []alerting.RuleID{alerting.KitchenOverdue}}) {
		overdue = append(overdue, a.Subject)
	}
	if len(overdue) != 3 { // rodent, oddity (tier 1 by severity), smoking (kept 1.5 h)
		t.Fatalf("overdue after 4 h: %v", overdue)
	}
}
