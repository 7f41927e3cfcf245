package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestDemoPlanAlertsEveryAudience: the demo's fault plan (make run), run
// through campusguard on a fake clock from 23:00 on a Saturday — no peak,
// no meal window, no school day — gives each of the four boards an open
// alert within five minutes: police, education, market, and the demo
// school account's school. (Before, the demo injected no fault and every
// board stayed green and empty.)
func TestDemoPlanAlertsEveryAudience(t *testing.T) {
	mq := testenv.Mosquitto(t)
	reg, regPath := testRegistry(t, 6)
	loc := devices.Location()
	start := time.Date(2026, 11, 28, 23, 0, 0, 0, loc) // a Saturday night
	plan, err := sim.DemoPlan(reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plan:\n%s", plan)

	clk := &fakeClock{t: start}
	cfg := baseConfig(t, regPath, mq.URL(), deadInflux, "campusguard/autogen")
	cfg.manualClock = true
	a := startAppWithClock(t, cfg, clk)
	simr, err := sim.New(sim.Options{Registry: reg, Start: start, Faults: plan.Faults(start), Quiet: true, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := newPublisher(t, mq.URL(), "demoplan-pub")
	school := reg.Schools[0].ID // the demo's school account (deploy/run-demo.sh)
	seen := map[alerting.Audience]time.Duration{}
	// The plan's faults whose rules fire at any hour; calendar_expiring
	// (the shipped calendar ends soon after this date) is not the plan's.
	rules := map[alerting.RuleID]bool{alerting.AlarmPanic: false, alerting.GateForced: false,
		alerting.KitchenViolation: false, alerting.SchoolOffline: false}
	deliveries := 0
	for vt := start; !vt.After(start.Add(5 * time.Minute)); vt = vt.Add(10 * time.Second) {
		var batch []sample
		simr.Step(vt, func(topic string, retained bool, payload []byte) {
			batch = append(batch, sample{topic: topic, payload: append([]byte(nil), payload...), retained: retained})
		})
		clk.Set(vt)
		pub.publishAll(t, batch)
		deliveries += len(batch) + alarmEvents(batch)
		settle(t, a, deliveries)
		a.alerting.Engine().Advance(vt)
		a.alerting.Manager().Tick(vt)
		waitIdle(t, a)
		for _, al := range a.alerting.Manager().List(lifecycle.Filter{}) {
			if _, ok := rules[al.Rule]; !ok || al.State == alerting.Resolved {
				continue
			}
			if !rules[al.Rule] {
				rules[al.Rule] = true
				t.Logf("+%s %s at %s (%s)", vt.Sub(start), al.Rule, al.School, al.Severity)
			}
			for _, aud := range al.Audience {
				if aud == alerting.SchoolAud && al.School != school {
					continue
				}
				if _, ok := seen[aud]; !ok {
					seen[aud] = vt.Sub(start)
					t.Logf("+%s first alert for %s", vt.Sub(start), aud)
				}
			}
		}
	}
	var missing []string
	for r, ok := range rules {
		if !ok {
			missing = append(missing, string(r))
		}
	}
	for _, aud := range alerting.Audiences {
		if _, ok := seen[aud]; !ok {
			missing = append(missing, string(aud))
		}
	}
	if len(missing) > 0 {
		var open []string
		for _, al := range a.alerting.Manager().List(lifecycle.Filter{}) {
			open = append(open, fmt.Sprintf("%s %s %s %v", al.Rule, al.School, al.State, al.Audience))
		}
		slices.Sort(open)
		t.Fatalf("no open alert within 5 min of %v; alerts:\n  %s", missing, strings.Join(open, "\n  "))
	}
}

// TestSimFaultsPlan: --sim-plan demo adds the plan's faults placed at the
// start, none adds nothing, and an unknown plan is an error naming both.
func TestSimFaultsPlan(t *testing.T) {
	reg, _ := testRegistry(t, 4)
	start := time.Date(2026, 12, 2, 15, 0, 0, 0, devices.Location())
	log := zerolog.Nop()
	fs, err := simFaults(reg, []string{"silent_device:" + reg.Schools[1].Devices[0].ID}, sim.PlanDemo, start, log)
	if err != nil {
		t.Fatal(err)
	}
	plan, _ := sim.DemoPlan(reg)
	if len(fs) != 1+len(plan) || len(plan) == 0 {
		t.Fatalf("%d faults, want 1 + %d", len(fs), len(plan))
	}
	for i, st := range plan {
		if f := fs[1+i]; f.Kind != st.Fault.Kind || !f.From.Equal(start.Add(st.At)) {
			t.Errorf("fault %d = %s from %s, want %s from +%s", i, f.Kind, f.From, st.Fault.Kind, st.At)
		}
	}
	if fs, err := simFaults(reg, nil, sim.PlanNone, start, log); err != nil || len(fs) != 0 {
		t.Errorf("plan none: %d faults, %v", len(fs), err)
	}
	if _, err := simFaults(reg, nil, "chaos", start, log); err == nil || !strings.Contains(err.Error(), "demo") {
		t.Errorf("unknown plan: %v", err)
	}
}
