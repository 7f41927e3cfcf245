package calendarwatch

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// registry writes a registry with one national calendar (terms until
// 2027-07-09) used by two schools, and an unused calendar that ran out long
// ago, plus holiday files, and loads it.
func registry(t *testing.T, dir string, holidayFiles ...string) *devices.Registry {
	t.Helper()
	doc := `regions: [{code: "130802", name: 双桥区}]
calendars:
  - id: chengde
    national: true
    terms: [{start: "2026-09-01", end: "2027-01-22"}, {start: "2027-02-22", end: "2027-07-09"}]
  - id: unused
    national: true
    terms: [{start: "2026-03-01", end: "2026-07-01"}]
schools:
  - {id: a, name: A, region: "130802", type: primary, calendar: chengde, devices: [{id: a-1, kind: alarm}]}
  - {id: b, name: B, region: "130802", type: primary, calendar: chengde, devices: [{id: b-1, kind: alarm}]}
`
	if len(holidayFiles) > 0 {
		doc = "holiday_files: [" + strings.Join(holidayFiles, ", ") + "]\n" + doc
	}
	p := filepath.Join(dir, "registry.yaml")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := devices.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func shanghai(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, devices.Location())
}

// TestExpiryWarning walks a fake clock towards the end of the shipped
// national data (2026-12-31): no warning 61 days before; at 60 days a log
// warning, the gauge and one P3 calendar_expiring alert for education;
// once a day it is refreshed (not twice a day); a reload that adds the
// 2027 holiday file extends the calendar to its last term and resolves
// the alert.
func TestExpiryWarning(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: shanghai(2026, 10, 31, 9)} // 61 days before 2026-12-31
	var mu sync.Mutex
	var changes []lifecycle.Change
	m, err := lifecycle.Open(lifecycle.Options{Store: lifecycle.NewMemStore(), Clock: clock, StartedAt: clock.Now().Add(-time.Hour),
		OnChange: func(c lifecycle.Change) { mu.Lock(); changes = append(changes, c); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, c := range changes {
			out = append(out, c.Event+" "+string(c.Alert.Rule)+" "+c.Alert.Subject)
		}
		changes = nil
		return out
	}
	var logs bytes.Buffer
	prom := prometheus.NewRegistry()
	w, err := New(Options{Clock: clock, Apply: m.Apply, Logger: zerolog.New(&logs), Registerer: prom})
	if err != nil {
		t.Fatal(err)
	}
	gauge := func() float64 { return testutil.ToFloat64(w.gauge.WithLabelValues("chengde")) }

	reg := registry(t, dir)
	w.Check(reg)
	if ev := take(); len(ev) != 0 {
		t.Fatalf("61 days before: %q", ev)
	}
	if gauge() != 61 || strings.Contains(logs.String(), `"level":"warn"`) {
		t.Fatalf("61 days before: gauge %v, logs %s", gauge(), logs.String())
	}
	if n := testutil.CollectAndCount(prom, "campusguard_calendar_days_left"); n != 1 {
		t.Errorf("%d gauge series, want 1 (the unused calendar is not watched)", n)
	}

	// The next day: 60 days left.
	clock.set(shanghai(2026, 11, 1, 0))
	w.Tick()
	if ev := take(); len(ev) != 1 || ev[0] != "fired calendar_expiring chengde" {
		t.Fatalf("60 days before: %q", ev)
	}
	open := m.List(lifecycle.Filter{})
	if len(open) != 1 {
		t.Fatalf("open alerts %d", len(open))
	}
	a := open[0]
	if a.Severity != alerting.P3 || len(a.Audience) != 1 || a.Audience[0] != alerting.Education ||
		a.School != "" || !strings.Contains(a.MessageZH, "2026-12-31") || !strings.Contains(a.MessageEN, "60 days left, 2 schools") {
		t.Errorf("alert %+v", a)
	}
	if info, _ := alerting.Info(alerting.CalendarExpiring); info.Owner != alerting.Education || info.NeedsClose {
		t.Errorf("catalogue: %+v", info)
	}
	if gauge() != 60 || !strings.Contains(logs.String(), `"level":"warn","component":"calendarwatch","calendar":"chengde","until":"2026-12-31","days_left":60`) {
		t.Errorf("gauge %v, logs %s", gauge(), logs.String())
	}

	// Later the same day: nothing new. The next day: refreshed, 59 left.
	logs.Reset()
	clock.set(shanghai(2026, 11, 1, 23))
	w.Tick()
	if ev := take(); len(ev) != 0 || logs.Len() != 0 {
		t.Fatalf("same day: %q %s", ev, logs.String())
	}
	clock.set(shanghai(2026, 11, 2, 0))
	w.Tick()
	if gauge() != 59 || !strings.Contains(logs.String(), `"days_left":59`) {
		t.Errorf("next day: gauge %v, logs %s", gauge(), logs.String())
	}
	if a, ok := m.Get(a.ID); !ok || a.State == alerting.Resolved || !strings.Contains(a.MessageEN, "59 days left") {
		t.Errorf("next day: %+v", a)
	}
	take()

	// A reload with the 2027 holiday file: the calendar runs to its last
	// term (2027-07-09), the alert resolves.
	y2027 := "year: 2027\nnotice: test\nfestivals: [{name: 元旦, off: {from: \"2027-01-01\", to: \"2027-01-03\"}}]\n"
	if err := os.WriteFile(filepath.Join(dir, "cn-2027.yaml"), []byte(y2027), 0o644); err != nil {
		t.Fatal(err)
	}
	w.Check(registry(t, dir, "cn-2027.yaml"))
	if ev := take(); len(ev) != 1 || ev[0] != "resolved calendar_expiring chengde" {
		t.Fatalf("after the reload: %q", ev)
	}
	if want := float64(249); gauge() != want { // 2026-11-02 .. 2027-07-09
		t.Errorf("after the reload: gauge %v, want %v", gauge(), want)
	}
}

// TestExpiredAndRemoved: a calendar past its end says so; when no school
// uses it any more its gauge goes and its alert resolves.
func TestExpiredAndRemoved(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: shanghai(2027, 1, 5, 9)}
	var conds []alerting.Condition
	w, err := New(Options{Clock: clock, Apply: func(c alerting.Condition) { conds = append(conds, c) }, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	w.Check(registry(t, dir))
	if len(conds) != 1 || !conds[0].Firing || !strings.Contains(conds[0].MessageEN, "ran out on 2026-12-31") ||
		!strings.Contains(conds[0].MessageZH, "已于 2026-12-31 到期") {
		t.Fatalf("expired: %+v", conds)
	}
	if got := testutil.ToFloat64(w.gauge.WithLabelValues("chengde")); got != -5 {
		t.Errorf("gauge %v, want -5", got)
	}
	conds = nil
	r := registry(t, dir)
	for i := range r.Schools {
		r.Schools[i].Calendar = "unused"
	}
	r.Index()
	w.Check(r)
	var resolvedChengde bool
	for _, c := range conds {
		if c.Subject == "chengde" && !c.Firing {
			resolvedChengde = true
		}
	}
	if !resolvedChengde {
		t.Errorf("a calendar no school uses keeps its alert: %+v", conds)
	}
	if n := testutil.CollectAndCount(w.gauge); n != 1 {
		t.Errorf("%d series, want only the calendar in use", n)
	}
}

func TestStatusesDays(t *testing.T) {
	r := registry(t, t.TempDir())
	st := Statuses(r, devices.Date{Year: 2026, Month: 12, Day: 31})
	if len(st) != 1 || st[0].DaysLeft != 0 || st[0].Schools != 2 {
		t.Errorf("%+v", st)
	}
}

// TestDisabled: with calendar_expiring disabled in the rules file the
// warning is still logged and the gauge set, but no alert is raised.
func TestDisabled(t *testing.T) {
	clock := &fakeClock{t: shanghai(2026, 12, 1, 9)}
	var conds []alerting.Condition
	var logs bytes.Buffer
	w, err := New(Options{Clock: clock, Apply: func(c alerting.Condition) { conds = append(conds, c) },
		Logger: zerolog.New(&logs), Enabled: func() bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	w.Check(registry(t, t.TempDir()))
	if len(conds) != 1 || conds[0].Firing {
		t.Errorf("disabled: %+v", conds)
	}
	if !strings.Contains(logs.String(), `"level":"warn"`) || !strings.Contains(logs.String(), "disabled in the rules file") ||
		testutil.ToFloat64(w.gauge.WithLabelValues("chengde")) != 30 {
		t.Errorf("disabled: gauge %v, logs %s", testutil.ToFloat64(w.gauge.WithLabelValues("chengde")), logs.String())
	}
}
