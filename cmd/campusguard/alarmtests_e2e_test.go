package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestAlarmTestsEndToEnd (issue 8, items 3 and 4) through real Mosquitto
// and InfluxDB on a fake clock, with alarm_test_max_age 2d:
//   - a test window registered through the HTTP API: a panic press inside
//     it, which takes the urgent alarm lane, raises no P0, is recorded
//     (metric, InfluxDB alarm_test point) and counts as a test for
//     alarm_test_overdue and compliance's alarm_link; a press at another
//     school, and a press at the same terminal after the window, are P0;
//   - a panel that only sends its periodic self-test (E602, told by its
//     vendor_code) goes alarm_test_overdue and fails alarm_link's test;
//   - reverse entry (access.reverse) and forced impact (access.impact)
//     raise gate_intrusion.
//
// On the old code the in-window press was a P0 (nothing wired the windows
// in), the E602 panel was never overdue and the gate events were rejected
// as unknown types.
func TestAlarmTestsEndToEnd(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := districtRegistry(t, 12)
	used := map[string]bool{}
	one := func(s *devices.School) bool { return count(s, devices.KindAlarm) == 1 }
	schA, schB, schD := pickSchool(reg, used, one), pickSchool(reg, used, one), pickSchool(reg, used, one)
	var gates []*devices.Device
	for i := range reg.Schools {
		if g := firstDevice(&reg.Schools[i], devices.KindAccess); g != nil && len(gates) < 2 {
			gates = append(gates, g)
		}
	}
	if schA == nil || schB == nil || schD == nil || len(gates) < 2 {
		t.Fatal("the generated district lacks schools with one alarm terminal or two gates")
	}
	alarmA, alarmB, alarmD := firstDevice(schA, devices.KindAlarm), firstDevice(schB, devices.KindAlarm), firstDevice(schD, devices.KindAlarm)

	rules := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(rules, []byte("defaults:\n  alarm_test_max_age: 2d\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, devices.Location()) // a Monday in term
	at := func(d, h, m int) time.Time {
		return day.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	clk := &fakeClock{t: at(0, 8, 0)}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.manualClock, cfg.Rules = true, rules
	a := startAppWithClock(t, cfg, clk)
	if a.ingest.alarm == nil {
		t.Fatal("no alarm lane session: the test would not cover it")
	}
	pub := newPublisher(t, mq.URL(), "alarmtests-pub")
	published := 0
	step := func(vt time.Time, msgs ...sample) {
		t.Helper()
		clk.Set(vt)
		pub.publishAll(t, msgs)
		published += len(msgs)
		settle(t, a, published)
		a.alerting.Engine().Advance(vt)
		a.alerting.Manager().Tick(vt)
		waitIdle(t, a)
	}
	event := func(d *devices.Device, id, typ string, vt time.Time, extra string) sample {
		return sample{topic: topicOf(d, devices.ChannelEvent),
			payload: []byte(fmt.Sprintf(`{"id":%q,"ts":%q,"type":%q%s}`, id, vt.Format(time.RFC3339), typ, extra))}
	}
	alerts := func(rule alerting.RuleID) []string {
		var out []string
		for _, al := range a.alerting.Manager().List(lifecycle.Filter{Rules: []alerting.RuleID{rule}}) {
			out = append(out, al.School+"/"+al.Subject+" "+string(al.Severity))
		}
		slices.Sort(out)
		return out
	}

	// 08:05 the school registers 09:55–10:25 for its terminal.
	step(at(0, 8, 5))
	body := fmt.Sprintf(`{"school":%q,"device":%q,"start":%q,"end":%q,"note":"月度一键报警测试 monthly test"}`,
		schA.ID, alarmA.ID, at(0, 9, 55).Format(time.RFC3339), at(0, 10, 25).Format(time.RFC3339))
	resp, err := http.Post("http://"+a.http.Addr()+"/api/v1/alarm-tests", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register the window: HTTP %d", resp.StatusCode)
	}

	// 10:00 a press in the window, a press elsewhere, two gate events.
	t10 := at(0, 10, 0)
	step(t10, event(alarmA, "test-press-1", "alarm.panic", t10, ""), event(alarmD, "real-press-1", "alarm.panic", t10, ""),
		event(gates[0], "reverse-1", "access.reverse", t10, `,"vendor_code":"0x86"`),
		event(gates[1], "impact-1", "access.impact", t10, `,"vendor_code":"0x87"`))
	if got, want := alerts(alerting.AlarmPanic), []string{schD.ID + "/" + alarmD.ID + " P0"}; !slices.Equal(got, want) {
		t.Errorf("alarm_panic after the 10:00 presses = %q, want only %q (the press in the window is a test)", got, want)
	}
	if v := promLabel(t, a, "campusguard_alarm_tests_total", "outcome", "window"); v != 1 {
		t.Errorf("campusguard_alarm_tests_total{outcome=window} = %v, want 1", v)
	}
	wantGates := []string{gates[0].School().ID + "/" + gates[0].ID + " P1", gates[1].School().ID + "/" + gates[1].ID + " P1"}
	slices.Sort(wantGates)
	if got := alerts(alerting.GateIntrusion); !slices.Equal(got, wantGates) {
		t.Errorf("gate_intrusion = %q, want %q", got, wantGates)
	}

	// 10:30, after the window: the same terminal's press is real.
	step(at(0, 10, 30), event(alarmA, "real-press-2", "alarm.panic", at(0, 10, 30), ""))
	if got := alerts(alerting.AlarmPanic); len(got) != 2 || !slices.Contains(got, schA.ID+"/"+alarmA.ID+" P0") {
		t.Errorf("alarm_panic after the window = %q, want school %s's P0 too", got, schA.ID)
	}

	// School B's panel sends its E602 self-test every night; nobody presses.
	for d := range 2 {
		vt := at(d, 23, 0)
		step(vt, event(alarmB, fmt.Sprintf("selftest-%d", d), "alarm.test", vt, `,"ok":true,"vendor_code":"E602"`))
	}
	// Wednesday 09:00 check: B untested since Monday 08:00 (49 h); A's
	// window press Monday 10:00 was 47 h ago.
	check := at(2, 9, 30)
	step(check)
	overdue := alerts(alerting.AlarmTestOverdue)
	if !slices.Contains(overdue, schB.ID+"/"+alarmB.ID+" P2") {
		t.Errorf("alarm_test_overdue = %q: the E602-only panel %s is not overdue", overdue, alarmB.ID)
	}
	if slices.ContainsFunc(overdue, func(s string) bool { return strings.HasPrefix(s, schA.ID+"/") }) {
		t.Errorf("alarm_test_overdue = %q: the press in the window did not count as a test", overdue)
	}
	for _, c := range []struct {
		s      *devices.School
		failed bool
	}{{schA, false}, {schB, true}} {
		sd, ok := a.alerting.Compliance().SchoolAt(c.s.ID, devices.DateOf(check), check)
		detail := sd.Measures["alarm_link"].Detail()
		if !ok || strings.Contains(detail, "no successful test") != c.failed {
			t.Errorf("compliance alarm_link of %s: %q (untested: want %v)", c.s.ID, detail, c.failed)
		}
	}

	// InfluxDB: the test records (1 window press, 2 self-tests) and the
	// self-tests stored with mode=periodic.
	eventually(t, 60*time.Second, "alarm_test records in InfluxDB", func() (bool, string) {
		n := db.Count(t, "alarm_test")
		return n == 3, fmt.Sprintf("%d alarm_test points", n)
	})
	rows := db.Query(t, `SELECT count("event") FROM alarm_test WHERE "outcome"='window' AND "school"='`+schA.ID+`'`)
	if len(rows) != 1 || len(rows[0].Values) != 1 || fmt.Sprint(rows[0].Values[0][1]) != "1" {
		t.Errorf("window test records of %s: %+v", schA.ID, rows)
	}
	rows = db.Query(t, `SELECT count("id") FROM alarm WHERE "mode"='periodic' AND "device"='`+alarmB.ID+`'`)
	if len(rows) != 1 || fmt.Sprint(rows[0].Values[0][1]) != "2" {
		t.Errorf("periodic alarm.test points of %s: %+v", alarmB.ID, rows)
	}
}

// promLabel is the value of the counter name's series with label=value.
func promLabel(t *testing.T, a *app, name, label, value string) float64 {
	t.Helper()
	mfs, err := a.promReg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// TestAlarmTestWindowsSurviveRestart: a window registered over HTTP is in
// alarmtests.db in --state-dir, so campusguard stopped and started again on
// the same state still lists it and still treats a press inside it as a
// test (no P0).
func TestAlarmTestWindowsSurviveRestart(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 4)
	alarm := firstAlarm(t, reg)
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())

	a, stop := startStoppable(t, cfg)
	now := time.Now()
	body := fmt.Sprintf(`{"school":%q,"device":%q,"start":%q,"end":%q}`, alarm.School().ID, alarm.ID,
		now.Add(-30*time.Second).Format(time.RFC3339), now.Add(time.Hour).Format(time.RFC3339))
	resp, err := http.Post("http://"+a.http.Addr()+"/api/v1/alarm-tests", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: HTTP %d", resp.StatusCode)
	}
	stop()

	a = startApp(t, cfg)
	if got := a.alerting.AlarmTests().List(alarmtest.Filter{Schools: []string{alarm.School().ID}}); len(got) != 1 || got[0].Device != alarm.ID {
		t.Fatalf("after the restart: %+v, want the registered window", got)
	}
	newPublisher(t, mq.URL(), "restart-press").publishAll(t, []sample{{topic: topicOf(alarm, devices.ChannelEvent),
		payload: panicPayload("restart-press-1", time.Now())}})
	eventually(t, 60*time.Second, "the press recorded as a test", func() (bool, string) {
		v := promLabel(t, a, "campusguard_alarm_tests_total", "outcome", "window")
		return v == 1, fmt.Sprintf("window tests %v", v)
	})
	waitIdle(t, a)
	if got := a.alerting.Manager().List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.AlarmPanic}}); len(got) != 0 {
		t.Errorf("alarm_panic after the restart: %+v, want none (the press is a test)", got)
	}
}
