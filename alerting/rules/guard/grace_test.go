package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// withLifecycle feeds the module's conditions to a real lifecycle Manager
// started at the harness's start (default 5-minute grace period), on the
// same fake clock.
type withLifecycle struct {
	t     *testing.T
	h     *enginetest.Harness
	clock *enginetest.Clock
	m     *lifecycle.Manager
	fed   int
}

func newWithLifecycle(t *testing.T, start time.Time) *withLifecycle {
	t.Helper()
	h := newHarness(t, start, nil)
	w := &withLifecycle{t: t, h: h, clock: enginetest.NewClock(start)}
	m, err := lifecycle.Open(lifecycle.Options{Store: lifecycle.NewMemStore(), Clock: w.clock, StartedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	w.m = m
	w.feed()
	return w
}

// advanceTo moves both to t minute by minute, feeding conditions and
// ticking the lifecycle as the service does.
func (w *withLifecycle) advanceTo(t time.Time) {
	for w.h.Now().Before(t) {
		next := w.h.Now().Add(time.Minute)
		if next.After(t) {
			next = t
		}
		w.h.AdvanceTo(next)
		w.feed()
	}
}

func (w *withLifecycle) feed() {
	for ; w.fed < len(w.h.Conds); w.fed++ {
		c := w.h.Conds[w.fed]
		w.clock.Set(c.At)
		w.m.Apply(c)
	}
	w.clock.Set(w.h.Now())
	w.m.Tick(w.h.Now())
}

// open returns the open alerts of the presence rules.
func (w *withLifecycle) open() []alerting.Alert {
	return w.m.List(lifecycle.Filter{States: []alerting.State{alerting.Firing},
		Rules: []alerting.RuleID{alerting.PostUnstaffed, alerting.PostUnderstaffed, alerting.PostLeftEarly,
			alerting.GuardUnderstaffed, alerting.GuardroomUnmanned}})
}

func describe(as []alerting.Alert) string {
	var sb strings.Builder
	for _, a := range as {
		sb.WriteString(string(a.Rule) + "/" + a.Subject + " ")
	}
	return sb.String()
}

// Regression (issue 8): starting the service inside a post window raised
// a P1 for every post at once (523 in 2 s across the city), before anyone
// could check in again.
func TestStartInsideWindowGrace(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	gate := devices.PostMainGate

	t.Run("people check in during the grace period: nothing is raised", func(t *testing.T) {
		w := newWithLifecycle(t, mon(16, 10)) // inside 16:00-17:50
		if got := w.open(); len(got) != 0 {
			t.Fatalf("at start: %s", describe(got))
		}
		w.advanceTo(mon(16, 11))
		in(w.h, "g3", gate, "guard") // one of two: understaffed, held
		w.feed()
		w.advanceTo(mon(16, 13))
		in(w.h, "t1", gate, "teacher")
		w.feed()
		w.advanceTo(mon(16, 30))
		if got := w.open(); len(got) != 0 {
			t.Fatalf("raised: %s", describe(got))
		}
		if len(w.h.Fired(alerting.PostUnstaffed)) == 0 {
			t.Fatal("the module judged nothing at start: the test would pass without the grace period")
		}
	})

	t.Run("still unstaffed when the grace period ends: raised then", func(t *testing.T) {
		w := newWithLifecycle(t, mon(16, 10))
		w.advanceTo(mon(16, 14))
		if got := w.open(); len(got) != 0 {
			t.Fatalf("raised inside the grace period: %s", describe(got))
		}
		w.advanceTo(mon(16, 15)) // 5-minute grace over
		got := w.open()
		if len(got) != 1 || got[0].Rule != alerting.PostUnstaffed || got[0].Subject != "main-gate@16:00" {
			t.Fatalf("after the grace period: %s, want post_unstaffed/main-gate@16:00", describe(got))
		}
	})
}
