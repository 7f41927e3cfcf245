package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestScenarioHandlingDay is the school-day scenario of issue 8's
// acceptance list: a district of 24 schools from Monday 05:30 to Tuesday
// 06:30 through real Mosquitto and InfluxDB on a fake clock, with the
// simulator's traffic and scripted events, checking each item:
//
//   - a registered alarm test raises no P0 and counts as tested;
//   - an E602-only panel goes alarm_test_overdue (an E601 one does not);
//   - a forced gate stays open (cleared, not closed) until the police
//     close it, and fails closed_campus; so does a forced impact's
//     gate_intrusion;
//   - a stale 06:45 check-in does not staff the 16:30 peak;
//   - a one-minute guard handover does not fail guard staffing (a
//     ten-minute gap still does);
//
// and that nothing else fires. The school day runs to Tuesday so that the
// forced gate has been open for over 24 hours before it is closed.
func TestScenarioHandlingDay(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated school day and night")
	}
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := districtRegistry(t, 24)
	loc := devices.Location()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, loc) // a Monday in the autumn term, after every terminal's monthly test day
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	start, end := at(5, 30), at(24+6, 30)

	// One school per item, the most particular ones first.
	used := map[string]bool{}
	staleSch := pickSchool(reg, used, func(s *devices.School) bool {
		return s.Type == devices.SchoolKindergarten && guardTerminal(s, devices.PostMainGate) != nil && hasPeakAt(s, 16, 30)
	})
	spareGuard := func(s *devices.School) bool { // a day shift of exactly the required guards, and one resting
		return s.Type == devices.SchoolPrimary && guardTerminal(s, devices.PostGuardroom) != nil && len(s.Guards) == s.RequiredGuards()+1
	}
	handSch := pickSchool(reg, used, spareGuard)
	gapSch := pickSchool(reg, used, spareGuard)
	forcedSch := pickSchool(reg, used, func(s *devices.School) bool { return count(s, devices.KindAccess) > 0 })
	impactSch := pickSchool(reg, used, func(s *devices.School) bool { return count(s, devices.KindAccess) > 0 })
	oneAlarm := func(s *devices.School) bool { return count(s, devices.KindAlarm) == 1 }
	testSch := pickSchool(reg, used, oneAlarm)
	e602Sch := pickSchool(reg, used, oneAlarm)
	e601Sch := pickSchool(reg, used, oneAlarm)
	for _, s := range []*devices.School{staleSch, handSch, gapSch, forcedSch, impactSch, testSch, e602Sch, e601Sch} {
		if s == nil {
			t.Fatal("the generated district lacks a school for one of the items")
		}
	}
	gate, impactGate := firstDevice(forcedSch, devices.KindAccess), firstDevice(impactSch, devices.KindAccess)
	testTerm, e602Term, e601Term := firstDevice(testSch, devices.KindAlarm), firstDevice(e602Sch, devices.KindAlarm), firstDevice(e601Sch, devices.KindAlarm)
	t.Logf("schools: stale check-in %s, handover %s, gap %s, forced gate %s, forced impact %s, registered test %s, E602 %s, E601 %s",
		staleSch.ID, handSch.ID, gapSch.ID, forcedSch.ID, impactSch.ID, testSch.ID, e602Sch.ID, e601Sch.ID)

	// The alarm schools must test every 3 hours instead of every 30 days,
	// so one day shows both sides: started at 05:30, they are overdue at
	// the 09:00 check unless a test came after 06:00; a test at 18:00 is
	// still fresh at 20:30.
	const testMaxAge = "3h"
	rules := rulesFile(t, map[string]map[string]string{
		testSch.ID: {"alarm_test_max_age": testMaxAge},
		e602Sch.ID: {"alarm_test_max_age": testMaxAge},
		e601Sch.ID: {"alarm_test_max_age": testMaxAge},
	})
	users := []testUser{
		{User: auth.User{Name: "police-city", DisplayName: "市公安局指挥中心", Role: api.RolePolice}},
		{User: auth.User{Name: "school-test", DisplayName: testSch.Name + "保卫处", Role: api.RoleSchool, Schools: []string{testSch.ID}}},
		{User: auth.User{Name: "school-forced", DisplayName: forcedSch.Name + "保卫处", Role: api.RoleSchool, Schools: []string{forcedSch.ID}}},
	}

	faults := []sim.Fault{
		// A door forced before dawn on Monday: nobody closes it until Tuesday.
		{Kind: sim.FaultGateForced, Device: gate.ID, From: at(5, 45)},
		// Nobody comes for the 16:30 peak at the stale school.
		{Kind: sim.FaultPostUnstaffed, School: staleSch.ID, Post: devices.PostMainGate, From: at(16, 0), To: at(18, 0)},
	}
	clk := &fakeClock{t: start}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.manualClock = true
	cfg.Rules = rules
	cfg.Users, cfg.NoAuth = writeUsers(t, users), false
	a := startAppWithClock(t, cfg, clk)
	base := "http://" + a.http.Addr()
	simr, err := sim.New(sim.Options{Registry: reg, Start: start, Faults: faults, Quiet: true, Seed: 5, HeartbeatScale: 0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := newScenarioRun(t, a, clk, simr, mq.URL())

	// (a) The school registers its monthly alarm test for 17:50-18:20 in
	// the morning; at 18:00 someone presses the panic button.
	r.at(at(5, 35), "register the alarm test", func(time.Time) {
		registerAlarmTest(t, base, "school-test", testSch.ID, testTerm.ID, at(17, 50), at(18, 20))
	})
	r.send(testTerm, at(18, 0), "alarm.panic", map[string]any{"button": "main"})

	// (b) One panel reports only its periodic self-test (Contact ID E602),
	// another a manual test press (E601).
	for _, h := range []int{8, 18} {
		r.send(e602Term, at(h, 0), "alarm.test", map[string]any{"ok": true, "vendor_code": "E602"})
	}
	r.send(e601Term, at(18, 0), "alarm.test", map[string]any{"ok": true, "vendor_code": "E601"})

	// (c) Besides the forced door, a turnstile is rammed (Hikvision 0x87,
	// forced impact) on Monday evening; nobody closes that one.
	r.send(impactGate, at(19, 0), "access.impact", map[string]any{"vendor_code": "0x87"})

	// (d) Two teachers check in at the kindergarten's gate at 06:45 and
	// never check out; the simulator staffs the morning peak as usual.
	staleTerm := guardTerminal(staleSch, devices.PostMainGate)
	for _, id := range []string{"t-stale-1", "t-stale-2"} {
		r.send(staleTerm, at(6, 45), "guard.checkin", map[string]any{"guard": id, "post": devices.PostMainGate, "role": "teacher"})
	}

	// (e) At 10:30 a guard on duty hands over to the resting one, who
	// checks in a minute later; at the other school the next guard comes
	// ten minutes later.
	duty := map[string]*dutyWatch{}
	for i := range reg.Schools {
		if room := guardroomTerminal(&reg.Schools[i]); room != nil {
			duty[reg.Schools[i].ID] = r.watchDuty(room, devices.PostGuardroom)
		}
	}
	handover := func(s *devices.School, gap time.Duration) {
		room := guardroomTerminal(s)
		r.at(at(10, 29), "handover at "+s.ID, func(time.Time) {
			on, off := duty[s.ID].onDuty(s, time.Time{}), duty[s.ID].offDuty(s)
			if len(on) != s.RequiredGuards() || len(off) == 0 {
				t.Errorf("%s at 10:29: guards on duty %v, off %v; want exactly %d on and one resting", s.ID, on, off, s.RequiredGuards())
				return
			}
			r.send(room, at(10, 30), "guard.checkout", map[string]any{"guard": on[0], "post": devices.PostGuardroom, "role": "guard"})
			r.send(room, at(10, 30).Add(gap), "guard.checkin", map[string]any{"guard": off[0], "post": devices.PostGuardroom, "role": "guard"})
		})
	}
	handover(handSch, time.Minute)
	handover(gapSch, 10*time.Minute)

	// Roll call at the evening handover: a guard who stays on for the
	// night checks in again. The simulator merges touching shifts into one
	// check-in, but campusguard forgets a check-in after 16 hours, so a
	// guard on a 24-hour duty who checked in at 06:50 would count as gone
	// at 22:50 and every guard room as unmanned.
	r.at(at(19, 20), "evening roll call", func(vt time.Time) {
		for i := range reg.Schools {
			s := &reg.Schools[i]
			room := guardroomTerminal(s)
			if room == nil {
				continue
			}
			for _, g := range duty[s.ID].onDuty(s, at(18, 0)) {
				r.send(room, vt.Add(time.Minute), "guard.checkin", map[string]any{"guard": g, "post": devices.PostGuardroom, "role": "guard"})
			}
		}
	})

	// Monday evening: the day's compliance and the alerts as they stand.
	var monday compliance.Report
	var mondayAlerts []alerting.Alert
	r.at(at(20, 30), "Monday's figures", func(vt time.Time) {
		monday = a.alerting.Compliance().DayAt(devices.DateOf(vt), vt)
		mondayAlerts = a.alerting.Manager().List(lifecycle.Filter{})
	})

	// (c) Tuesday 06:00, 24 h 15 min after the door was forced: the
	// school reports what it did and cannot close it; the police close it.
	var tuesday compliance.Report
	var forcedBefore alerting.Alert
	var schoolClose, schoolReport, policeClose int
	r.at(at(24+6, 0), "the police close the forced gate", func(vt time.Time) {
		tuesday = a.alerting.Compliance().DayAt(devices.DateOf(vt), vt)
		forced := a.alerting.Manager().List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.GateForced}, Schools: []string{forcedSch.ID}})
		if len(forced) != 1 {
			t.Errorf("Tuesday 06:00: %d gate_forced alerts at %s, want 1", len(forced), forcedSch.ID)
			return
		}
		forcedBefore = forced[0]
		school := apiLogin(t, base, "school-forced")
		schoolClose = school.do(t, http.MethodPost, "/api/v1/alerts/"+forcedBefore.ID+"/close", noteJSON("门已修好 / door repaired"), nil)
		schoolReport = school.do(t, http.MethodPost, "/api/v1/alerts/"+forcedBefore.ID+"/report",
			noteJSON("已更换门锁并调取录像 / lock replaced, footage secured"), nil)
		police := apiLogin(t, base, "police-city")
		policeClose = police.do(t, http.MethodPost, "/api/v1/alerts/"+forcedBefore.ID+"/close",
			noteJSON("民警已现场核查，门锁已更换 / officers checked on site, lock replaced"), nil)
	})

	r.run(start, end)
	t.Logf("published %d messages for %d schools from %s to %s", r.published, len(reg.Schools), start.Format("Mon 15:04"), end.Format("Mon 15:04"))
	final := a.alerting.Manager().List(lifecycle.Filter{})
	byKey := func(list []alerting.Alert, rule alerting.RuleID, school, subject string) *alerting.Alert {
		for i := range list {
			if list[i].Rule == rule && list[i].School == school && list[i].Subject == subject {
				return &list[i]
			}
		}
		return nil
	}
	measure := func(rep compliance.Report, school string, m compliance.Measure) compliance.Result {
		for _, sd := range rep.Schools {
			if sd.School == school {
				return sd.Measures[m]
			}
		}
		t.Fatalf("no compliance figures for %s", school)
		return compliance.Result{}
	}

	t.Run("registered alarm test raises no P0 and counts as tested", func(t *testing.T) {
		for _, al := range final {
			if al.School == testSch.ID && (al.Rule == alerting.AlarmPanic || al.Severity == alerting.P0) {
				t.Errorf("the test press raised %s %s (%s)", al.Rule, al.Severity, al.MessageEN)
			}
		}
		od := byKey(final, alerting.AlarmTestOverdue, testSch.ID, testTerm.ID)
		switch {
		case od == nil:
			t.Errorf("no alarm_test_overdue for %s at the 09:00 check (the max age is %s)", testTerm.ID, testMaxAge)
		case od.State != alerting.Resolved || od.ResolvedAt == nil || od.ResolvedAt.Before(at(18, 0)):
			t.Errorf("alarm_test_overdue of %s: state %s resolved %v, want resolved by the 18:00 test press", testTerm.ID, od.State, od.ResolvedAt)
		}
		if r := measure(monday, testSch.ID, compliance.AlarmLink); !r.OK {
			t.Errorf("Monday alarm_link at %s: %+v, want met (tested at 18:00)", testSch.ID, r)
		}
		waitTests(t, db, testSch.ID, alarmtest.InWindow, 1)
	})

	t.Run("E602-only panel goes alarm_test_overdue", func(t *testing.T) {
		od := byKey(final, alerting.AlarmTestOverdue, e602Sch.ID, e602Term.ID)
		if od == nil || !od.Open() {
			t.Errorf("alarm_test_overdue of %s (E602 only at 08:00 and 18:00) = %+v, want open", e602Term.ID, od)
		}
		if r := measure(monday, e602Sch.ID, compliance.AlarmLink); r.OK {
			t.Errorf("Monday alarm_link at %s: met, want not met (no manual test)", e602Sch.ID)
		}
		// The control: an E601 manual test press counts.
		if od := byKey(final, alerting.AlarmTestOverdue, e601Sch.ID, e601Term.ID); od == nil || od.Open() {
			t.Errorf("alarm_test_overdue of %s (E601 at 18:00) = %+v, want resolved", e601Term.ID, od)
		}
		if r := measure(monday, e601Sch.ID, compliance.AlarmLink); !r.OK {
			t.Errorf("Monday alarm_link at %s: %+v, want met (E601 at 18:00)", e601Sch.ID, r)
		}
		waitTests(t, db, e602Sch.ID, alarmtest.Periodic, 2)
		waitTests(t, db, e601Sch.ID, alarmtest.Manual, 1)
	})

	t.Run("forced gate stays open until the owner closes it and fails closed_campus", func(t *testing.T) {
		mon := byKey(mondayAlerts, alerting.GateForced, forcedSch.ID, gate.ID)
		switch {
		case mon == nil:
			t.Fatalf("no gate_forced alert for %s on Monday evening", gate.ID)
		case !mon.Open() || mon.ClearedAt == nil:
			t.Errorf("gate_forced on Monday 20:30: state %s cleared_at %v, want open and cleared", mon.State, mon.ClearedAt)
		}
		if forcedBefore.ID == "" || !forcedBefore.Open() {
			t.Errorf("gate_forced before the police close it on Tuesday: %+v, want open", forcedBefore)
		}
		if schoolClose != http.StatusForbidden {
			t.Errorf("the school closing the police's alert: HTTP %d, want %d", schoolClose, http.StatusForbidden)
		}
		if schoolReport != http.StatusOK {
			t.Errorf("the school reporting what it did: HTTP %d, want 200", schoolReport)
		}
		if policeClose != http.StatusOK {
			t.Errorf("the police closing it: HTTP %d, want 200", policeClose)
		}
		if al := byKey(final, alerting.GateForced, forcedSch.ID, gate.ID); al == nil || al.State != alerting.Resolved || al.ClosedBy != "police-city" ||
			al.ReportedBy != "school-forced" || al.Feedback == "" || al.Owner != alerting.Police {
			t.Errorf("gate_forced after the police closed it: %+v, want resolved, closed by police-city (the owner) after school-forced's report", al)
		}
		if r := measure(tuesday, forcedSch.ID, compliance.ClosedCampus); r.Status != compliance.NotMet {
			t.Errorf("Tuesday closed_campus at %s with the forced gate open 24 h: %s, want %s", forcedSch.ID, r.Status, compliance.NotMet)
		}
		// The rammed turnstile: gate_intrusion, cleared half an hour later,
		// still open at the end.
		if al := byKey(final, alerting.GateIntrusion, impactSch.ID, impactGate.ID); al == nil || !al.Open() || al.ClearedAt == nil {
			t.Errorf("gate_intrusion after the forced impact at %s: %+v, want open and cleared", impactGate.ID, al)
		}
	})

	t.Run("stale 06:45 check-in does not staff the 16:30 peak", func(t *testing.T) {
		subject := devices.PostMainGate + "@16:30"
		if al := byKey(final, alerting.PostUnstaffed, staleSch.ID, subject); al == nil {
			t.Errorf("no post_unstaffed %s at %s: the 06:45 check-ins staffed it", subject, staleSch.ID)
		}
		if r := measure(monday, staleSch.ID, compliance.ProtectionPost); r.OK {
			t.Errorf("Monday protection_post at %s: met, want not met (nobody came for 16:30)", staleSch.ID)
		}
	})

	t.Run("one-minute guard handover does not fail guard staffing", func(t *testing.T) {
		for _, al := range final {
			if al.School == handSch.ID && al.Rule == alerting.GuardUnderstaffed {
				t.Errorf("the one-minute handover at %s raised guard_understaffed (%s)", handSch.ID, al.MessageEN)
			}
		}
		if r := measure(monday, handSch.ID, compliance.GuardStaffing); !r.OK {
			t.Errorf("Monday guard_staffing at %s: %+v, want met", handSch.ID, r)
		}
		// The control: a ten-minute gap is a lapse.
		if al := byKey(final, alerting.GuardUnderstaffed, gapSch.ID, ""); al == nil {
			t.Errorf("no guard_understaffed at %s after a ten-minute gap", gapSch.ID)
		}
		if r := measure(monday, gapSch.ID, compliance.GuardStaffing); r.OK {
			t.Errorf("Monday guard_staffing at %s: met, want not met (ten-minute gap)", gapSch.ID)
		}
	})

	t.Run("nothing else", func(t *testing.T) {
		want := []string{
			alertLine(alerting.AlarmTestOverdue, testSch.ID, testTerm.ID, alerting.Resolved),
			alertLine(alerting.AlarmTestOverdue, e602Sch.ID, e602Term.ID, alerting.Firing),
			alertLine(alerting.AlarmTestOverdue, e601Sch.ID, e601Term.ID, alerting.Resolved),
			alertLine(alerting.GateForced, forcedSch.ID, gate.ID, alerting.Resolved),
			alertLine(alerting.GateIntrusion, impactSch.ID, impactGate.ID, alerting.Firing),
			alertLine(alerting.PostUnstaffed, staleSch.ID, devices.PostMainGate+"@16:30", alerting.Resolved),
			alertLine(alerting.GuardUnderstaffed, gapSch.ID, "", alerting.Resolved),
			// The shipped holiday data ends on 2026-12-31, 31 days on.
			alertLine(alerting.CalendarExpiring, "", devices.DefaultCalendarID, alerting.Firing),
		}
		compareAlerts(t, final, want)
		lapsed := map[string]compliance.Measure{
			e602Sch.ID:  compliance.AlarmLink,
			staleSch.ID: compliance.ProtectionPost,
			gapSch.ID:   compliance.GuardStaffing,
		}
		for _, sd := range monday.Schools {
			for _, m := range compliance.Measures {
				r := sd.Measures[m]
				if r.Status == compliance.NotApplicable {
					continue
				}
				want := compliance.Met
				if lapsed[sd.School] == m {
					want = compliance.NotMet
				}
				if r.Status != want {
					t.Errorf("Monday compliance %s %s: %s, want %s (%s)", sd.School, m, r.Status, want, r.Detail())
				}
			}
		}
	})
}

// waitTests waits until InfluxDB holds n alarm_test records of outcome at
// school (the history lane writes them a little after the fact).
func waitTests(t *testing.T, db *testenv.InfluxServer, school string, outcome alarmtest.Outcome, n int) {
	t.Helper()
	q := `SELECT count("event") FROM ` + alarmtest.Measurement + ` WHERE "school"='` + school + `' AND "outcome"='` + string(outcome) + `'`
	eventually(t, 60*time.Second, fmt.Sprintf("%d alarm_test records of %s at %s in InfluxDB", n, outcome, school), func() (bool, string) {
		got := 0
		for _, s := range db.Query(t, q) {
			for _, v := range s.Values {
				if num, ok := v[1].(json.Number); ok {
					if k, err := num.Int64(); err == nil {
						got += int(k)
					}
				}
			}
		}
		return got == n, fmt.Sprintf("%d", got)
	})
}

// hasPeakAt reports whether one of the school's peak windows starts at h:m.
func hasPeakAt(s *devices.School, h, m int) bool {
	for _, w := range s.Windows.Peaks {
		if w.Start == devices.Clock(h, m) {
			return true
		}
	}
	return false
}

func alertLine(rule alerting.RuleID, school, subject string, state alerting.State) string {
	return fmt.Sprintf("%s %s %q %s", rule, school, subject, state)
}

// compareAlerts checks that list holds exactly the alerts of want.
func compareAlerts(t *testing.T, list []alerting.Alert, want []string) {
	t.Helper()
	var got []string
	for _, al := range list {
		got = append(got, alertLine(al.Rule, al.School, al.Subject, al.State))
	}
	sort.Strings(got)
	want = append([]string(nil), want...)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n got:\n  %s\n want:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		for _, al := range list {
			t.Logf("%s %s %q %s %s started %s: %s", al.Rule, al.School, al.Subject, al.Severity, al.State,
				al.StartedAt.In(devices.Location()).Format("Mon 15:04:05"), al.MessageEN)
		}
	}
}

func noteJSON(note string) []byte {
	b, _ := json.Marshal(map[string]string{"note": note})
	return b
}

// registerAlarmTest registers an alarm test window as the school's user
// through the HTTP API (the school board does the same).
func registerAlarmTest(t *testing.T, base, user, school, device string, from, to time.Time) {
	t.Helper()
	s := apiLogin(t, base, user)
	body, _ := json.Marshal(map[string]string{
		"school": school, "device": device,
		"start": from.Format(time.RFC3339), "end": to.Format(time.RFC3339),
		"note": "每月报警测试 / monthly alarm test",
	})
	if code := s.do(t, http.MethodPost, "/api/v1/alarm-tests", body, nil); code != http.StatusOK && code != http.StatusCreated {
		t.Errorf("registering the alarm test %s-%s at %s: HTTP %d", from.Format("15:04"), to.Format("15:04"), school, code)
	}
}

// writeTemp writes a file in the test's temp dir.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
