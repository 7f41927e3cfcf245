package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// fakeClock is the scenario's virtual time, shared by the simulator's
// timestamps and campusguard's alerting side.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// districtRegistry is a district of n schools (all in 双桥区).
func districtRegistry(t *testing.T, n int) (*devices.Registry, string) {
	t.Helper()
	reg := devices.Generate(devices.GenerateOptions{Schools: n, Seed: 11})
	for i := range reg.Schools {
		reg.Schools[i].Region = "130802"
	}
	reg.Index()
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "district.yaml")
	if err := writeRegistry(reg, path, nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := devices.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, path
}

// firstDevice returns the first device of kind in school s.
func firstDevice(s *devices.School, k devices.Kind) *devices.Device {
	for i := range s.Devices {
		if s.Devices[i].Kind == k {
			return &s.Devices[i]
		}
	}
	return nil
}

func count(s *devices.School, k devices.Kind) int {
	n := 0
	for i := range s.Devices {
		if s.Devices[i].Kind == k {
			n++
		}
	}
	return n
}

// pickSchool returns the first school (not in used) matching ok.
func pickSchool(reg *devices.Registry, used map[string]bool, ok func(*devices.School) bool) *devices.School {
	for i := range reg.Schools {
		s := &reg.Schools[i]
		if !used[s.ID] && ok(s) {
			used[s.ID] = true
			return s
		}
	}
	return nil
}

// TestScenarioSchoolDay runs one simulated school day for a district of
// 24 schools through real Mosquitto and InfluxDB, on a fake clock, with
// scripted lapses, and checks that campusguard raises exactly the expected
// alerts and compliance figures: nothing missing, nothing extra.
func TestScenarioSchoolDay(t *testing.T) {
	if testing.Short() {
		t.Skip("a whole simulated school day")
	}
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := districtRegistry(t, 24)
	loc := devices.Location()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, loc) // a Monday in the autumn term
	start, end := day.Add(5*time.Hour+30*time.Minute), day.Add(20*time.Hour+30*time.Minute)

	// Scripted lapses, each at its own school.
	used := map[string]bool{}
	silentSch := pickSchool(reg, used, func(s *devices.School) bool { return count(s, devices.KindAlarm) == 1 })
	postSch := pickSchool(reg, used, func(s *devices.School) bool {
		return s.Type == devices.SchoolPrimary && count(s, devices.KindGuard) > 0
	})
	kitchenSch := pickSchool(reg, used, func(s *devices.School) bool {
		return count(s, devices.KindKitchenCam) > 0 && s.Type != devices.SchoolKindergarten
	})
	panicSch := pickSchool(reg, used, func(s *devices.School) bool { return true })
	forcedSch := pickSchool(reg, used, func(s *devices.School) bool { return count(s, devices.KindAccess) > 0 })
	if silentSch == nil || postSch == nil || kitchenSch == nil || panicSch == nil || forcedSch == nil {
		t.Fatal("the generated district lacks a school for one of the lapses")
	}
	silent := firstDevice(silentSch, devices.KindAlarm)
	cam := firstDevice(kitchenSch, devices.KindKitchenCam)
	panicDev := firstDevice(panicSch, devices.KindAlarm)
	gate := firstDevice(forcedSch, devices.KindAccess)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	faults := []sim.Fault{
		{Kind: sim.FaultSilentDevice, Device: silent.ID, From: at(9, 0), To: at(10, 0)},
		{Kind: sim.FaultPostUnstaffed, School: postSch.ID, Post: devices.PostMainGate, From: at(6, 0), To: at(8, 10)},
		{Kind: sim.FaultKitchenCamOff, Device: cam.ID, From: at(11, 0), To: at(12, 30)},
		{Kind: sim.FaultPanicPress, Device: panicDev.ID, From: at(10, 30)},
		{Kind: sim.FaultGateForced, Device: gate.ID, From: at(19, 0)},
	}
	type want struct {
		rule    alerting.RuleID
		school  string
		subject string
		state   alerting.State
	}
	wantAlerts := []want{
		{alerting.AlarmOffline, silentSch.ID, silent.ID, alerting.Resolved},
		{alerting.PostUnstaffed, postSch.ID, devices.PostMainGate + "@07:00", alerting.Resolved},
		{alerting.KitchenCamOffline, kitchenSch.ID, cam.ID, alerting.Resolved},
		{alerting.AlarmPanic, panicSch.ID, panicDev.ID, alerting.Acknowledged},
		{alerting.GateForced, forcedSch.ID, gate.ID, alerting.Firing}, // cleared, open until the police close it (issue 8)
		// 2026-11-30 is 31 days before the shipped national holiday data end.
		{alerting.CalendarExpiring, "", devices.DefaultCalendarID, alerting.Firing},
	}

	clk := &fakeClock{t: start}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.manualClock = true
	a := startAppWithClock(t, cfg, clk)

	simr, err := sim.New(sim.Options{Registry: reg, Start: start, Faults: faults, Quiet: true, Seed: 3, HeartbeatScale: 0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := newPublisher(t, mq.URL(), "scenario-pub")
	var published, deliveries int
	panicAcked := false
	for vt := start; !vt.After(end); vt = vt.Add(time.Minute) {
		var batch []sample
		simr.Step(vt, func(topic string, retained bool, payload []byte) {
			batch = append(batch, sample{topic: topic, payload: append([]byte(nil), payload...), retained: retained})
		})
		clk.Set(vt)
		pub.publishAll(t, batch)
		published += len(batch)
		deliveries += len(batch) + alarmEvents(batch)
		settle(t, a, deliveries)
		a.alerting.Engine().Advance(vt)
		a.alerting.Manager().Tick(vt)
		waitIdle(t, a)
		// The police acknowledge the panic half a minute after the press.
		if !panicAcked && !vt.Before(at(10, 30)) {
			clk.Set(vt.Add(30 * time.Second))
			for _, al := range a.alerting.Manager().List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.AlarmPanic}}) {
				if _, err := a.alerting.Manager().Ack(al.ID, alerting.Actor{Name: "110-duty", Agency: alerting.Police}, "民警已出警 / officers dispatched"); err != nil {
					t.Fatal(err)
				}
				panicAcked = true
			}
		}
	}
	t.Logf("published %d messages for %d schools from %s to %s", published, len(reg.Schools), start.Format("15:04"), end.Format("15:04"))

	all := a.alerting.Manager().List(lifecycle.Filter{})
	var got []string
	for _, al := range all {
		got = append(got, fmt.Sprintf("%s %s %s %s", al.Rule, al.School, al.Subject, al.State))
	}
	var wantS []string
	for _, w := range wantAlerts {
		wantS = append(wantS, fmt.Sprintf("%s %s %s %s", w.rule, w.school, w.subject, w.state))
	}
	sort.Strings(got)
	sort.Strings(wantS)
	if strings.Join(got, "\n") != strings.Join(wantS, "\n") {
		t.Errorf("alerts:\n got:\n  %s\n want:\n  %s", strings.Join(got, "\n  "), strings.Join(wantS, "\n  "))
		for _, al := range all {
			t.Logf("%s %s %s %s started %s: %s", al.Rule, al.School, al.Subject, al.Severity, al.StartedAt.In(loc).Format("15:04:05"), al.MessageEN)
		}
	}

	// Compliance: every measure holds at every school but the lapsed ones.
	report := a.alerting.Compliance().DayAt(devices.DateOf(end), end)
	lapsed := map[string]compliance.Measure{
		silentSch.ID:  compliance.AlarmLink,
		postSch.ID:    compliance.ProtectionPost,
		kitchenSch.ID: compliance.BrightKitchen,
	}
	for _, sd := range report.Schools {
		for _, m := range compliance.Measures {
			r := sd.Measures[m]
			if !r.Applicable {
				continue
			}
			wantOK := lapsed[sd.School] != m
			if r.OK != wantOK {
				t.Errorf("compliance %s %s: ok=%v, want %v (%s)", sd.School, m, r.OK, wantOK, r.Detail())
			}
		}
	}
	t.Logf("district four-100%% rate %.2f", report.City.FourHundredRate)

	// The alert history and the compliance rows reach InfluxDB too.
	eventually(t, 60*time.Second, "alert history and compliance rows in InfluxDB", func() (bool, string) {
		na, nc := db.Count(t, "alert"), db.Count(t, "compliance")
		return na >= len(wantAlerts) && nc > 0, fmt.Sprintf("alert %d, compliance %d", na, nc)
	})
	rows := db.Query(t, `SELECT count("ok") FROM compliance WHERE "measure"='protection_post' AND "school"='`+postSch.ID+`' AND "ok"=false`)
	if len(rows) == 0 {
		t.Errorf("no failed protection_post row for %s in InfluxDB", postSch.ID)
	}
}

// settle waits until campusguard has handled deliveries messages (an
// alarm event is delivered twice: both MQTT sessions receive it, see
// alarmEvents) and the rule engine has evaluated every event ingest handed
// it (ingest counts an event accepted just before handing it over).
func settle(t *testing.T, a *app, deliveries int) {
	t.Helper()
	eventually(t, 60*time.Second, "campusguard handled every published message", func() (bool, string) {
		n, handed, evaluated := handled(t, a)
		return n >= float64(deliveries) && evaluated >= handed,
			fmt.Sprintf("ingest handled %v of %d; engine evaluated %v of %v", n, deliveries, evaluated, handed)
	})
	a.alerting.Engine().Flush()
}

func waitIdle(t *testing.T, a *app) {
	t.Helper()
	eventually(t, 30*time.Second, "alerting idle", func() (bool, string) { return a.alerting.Idle(), "busy" })
}

// handled counts messages the pipeline has finished with, the events it
// handed the rule engine, and those the engine has evaluated.
func handled(t *testing.T, a *app) (n, handed, evaluated float64) {
	mfs, err := a.promReg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "campusguard_ingest_accepted_total", "campusguard_ingest_retained_replays_total":
				n += m.GetCounter().GetValue()
				handed += m.GetCounter().GetValue()
			case "campusguard_ingest_rejected_total", "campusguard_ingest_duplicates_total":
				n += m.GetCounter().GetValue()
			case "campusguard_engine_event_seconds":
				evaluated += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return n, handed, evaluated
}

// startAppWithClock is startApp with the alerting side on clk.
func startAppWithClock(t testing.TB, c *runConfig, clk *fakeClock) *app {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *app, 1)
	done := make(chan error, 1)
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	go func() { done <- runWithClock(ctx, c, log, func(a *app) { ready <- a }, clk) }()
	var a *app
	select {
	case a = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("campusguard did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("campusguard run: %v", err)
		}
	})
	eventually(t, 30*time.Second, "campusguard subscribed", func() (bool, string) { return a.ingest.connected(), "not subscribed" })
	<-a.alerting.Engine().Started()
	return a
}
