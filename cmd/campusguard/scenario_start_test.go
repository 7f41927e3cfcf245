package main

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestScenarioStartInsidePeak starts campusguard at 07:05 on a school day,
// inside the morning peak of every primary and secondary school and just
// before the kindergartens' peaks, with the guards and the post staff
// arriving as the simulator starts (their check-ins from before the start
// come in at once, as after a restart). Issue 8: this used to raise a
// post_understaffed P1 at every school within seconds (each post counted
// one person before the second came in). Now no alert may start before the
// start-up grace period is over; after it, the one post nobody came to
// (a scripted lapse) fires post_unstaffed, and nothing else does: the
// grace period defers the judgement, it does not drop it.
func TestScenarioStartInsidePeak(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated school morning")
	}
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := districtRegistry(t, 24)
	loc := devices.Location()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, loc)
	start, end := day.Add(7*time.Hour+5*time.Minute), day.Add(8*time.Hour+30*time.Minute)
	grace := config.Defaults().GracePeriod

	inside := 0
	for i := range reg.Schools {
		for _, w := range reg.Schools[i].Windows.Peaks {
			if !start.Before(w.Start.At(devices.DateOf(start))) && start.Before(w.End.At(devices.DateOf(start))) {
				inside++
			}
		}
	}
	if inside == 0 {
		t.Fatal("no school is inside a peak window at the start")
	}
	t.Logf("%d of %d schools start inside a peak window; grace period %s", inside, len(reg.Schools), grace)
	emptySch := pickSchool(reg, map[string]bool{}, func(s *devices.School) bool {
		return s.Type == devices.SchoolPrimary && hasPeakAt(s, 7, 0) && guardTerminal(s, devices.PostMainGate) != nil
	})
	if emptySch == nil {
		t.Fatal("no primary school with a 07:00 peak at its main gate")
	}
	faults := []sim.Fault{{Kind: sim.FaultPostUnstaffed, School: emptySch.ID, Post: devices.PostMainGate, From: day.Add(6 * time.Hour), To: day.Add(8*time.Hour + 10*time.Minute)}}

	clk := &fakeClock{t: start}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.manualClock = true
	a := startAppWithClock(t, cfg, clk)
	simr, err := sim.New(sim.Options{Registry: reg, Start: start, Faults: faults, Quiet: true, Seed: 7, HeartbeatScale: 0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newScenarioRun(t, a, clk, simr, mq.URL())
	var early []string
	r.at(start.Add(grace).Add(-time.Minute), "the last minute of the grace period", func(time.Time) {
		for _, al := range a.alerting.Manager().List(lifecycle.Filter{}) {
			if al.School == "" {
				continue // not about a school (calendar_expiring: the holiday data runs out)
			}
			early = append(early, alertLine(al.Rule, al.School, al.Subject, al.State)+" at "+al.StartedAt.In(loc).Format("15:04:05"))
		}
	})
	r.run(start, end)

	t.Run("no school alert before the grace period ends", func(t *testing.T) {
		if len(early) > 0 {
			t.Errorf("%d alerts started within the grace period:\n  %s", len(early), strings.Join(early, "\n  "))
		}
	})
	t.Run("after it the empty post and nothing else", func(t *testing.T) {
		final := a.alerting.Manager().List(lifecycle.Filter{})
		subject := devices.PostMainGate + "@07:00"
		compareAlerts(t, final, []string{
			alertLine(alerting.PostUnstaffed, emptySch.ID, subject, alerting.Resolved),
			// The shipped holiday data ends on 2026-12-31, 31 days on.
			alertLine(alerting.CalendarExpiring, "", devices.DefaultCalendarID, alerting.Firing),
		})
	})
}
