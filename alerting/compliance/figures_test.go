package compliance

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// Every expected figure below is worked out by hand from this week; none
// is computed by the code under test.
//
// Registry (testRegistry: calendar "cal", term 2026-09-01 – 2027-01-22,
// Wed 2026-12-02 a holiday):
//
//	双桥区 130802  a  every device, a perfect week
//	               b  no alarm terminal (cannot show alarm_link)
//	               c  every device; alarm terminal silent Tue 10:00–10:10
//	双滦区 130803  d  no kitchen registered, no kitchen camera
//	               e  every device; gate forced Mon 09:00, alert cleared
//	                  09:30 but left open until Tue 12:00 (> 24 h)
//	               f  registered with a kitchen but no devices at all
//
// Watching starts Mon 2026-11-30 00:00 and the figures are read on Fri
// 2026-12-04 at 12:00, when none of Friday's windows has ended.
//
// Day verdicts (M met, N not met, A not applicable, J not judged), in the
// order closed_campus, guard_staffing, protection_post, alarm_link,
// bright_kitchen:
//
//	        Mon 11-30  Tue 12-01  Wed 12-02  Thu 12-03  Fri 12-04 (12:00)
//	a       MMMMM      MMMMM      JJJJJ      MMMMM      JJJJJ
//	b       MMMNM      MMMNM      JJJJJ      MMMNM      JJJNJ   (no terminal: N at once)
//	c       MMMMM      MMMNM      JJJJJ      MMMMM      JJJJJ   (8 of 670 min off: 98.8 %)
//	d       MMMMA      MMMMA      JJJJA      MMMMA      JJJJA
//	e       MMMMM      NMMMM      JJJJJ      MMMMM      JJJJJ   (check Tue 09:10: open 24 h 10 min)
//	f       NNNNN      NNNNN      JJJJJ      NNNNN      NNNNN
var figuresDays = struct{ mon, tue, wed, thu, fri devices.Date }{
	mon: monday, tue: monday.AddDays(1), wed: monday.AddDays(2), thu: monday.AddDays(3), fri: monday.AddDays(4),
}

func figuresStore(t *testing.T) (*Store, time.Time) {
	days := figuresDays
	full := devices.Kinds
	noAlarm := []devices.Kind{devices.KindAccess, devices.KindGuard, devices.KindKitchenCam}
	d := testSchool("d", "130803", devices.KindAccess, devices.KindAlarm, devices.KindGuard)
	d.Kitchens = nil
	reg := testRegistry(
		testSchool("a", "130802", full...),
		testSchool("b", "130802", noAlarm...),
		testSchool("c", "130802", full...),
		d,
		testSchool("e", "130803", full...),
		testSchool("f", "130803", []devices.Kind{}...),
	)
	fa := &fakeAlerts{}
	store := NewStore(reg, fa.open)
	var rigs []*rig
	for i := range reg.Schools {
		r := newRig(t, store, &reg.Schools[i], at(days.mon, 0, 0))
		for _, day := range []devices.Date{days.mon, days.tue, days.wed, days.thu, days.fri} {
			r.perfectDay(day)
		}
		switch r.sch.ID {
		case "c":
			r.quiet(devices.KindAlarm, at(days.tue, 10, 0), at(days.tue, 10, 10))
		case "e":
			r.add(at(days.mon, 9, 0), "forced", r.event(devices.KindAccess, "access.forced"))
		}
		rigs = append(rigs, r)
	}
	// The forced-gate alert: the condition cleared at 09:30 (the gate shut
	// again) but the alert needs a human close and stays open.
	cleared := at(days.mon, 9, 30)
	fa.set(alerting.Alert{Rule: alerting.GateForced, School: "e", State: alerting.Firing,
		StartedAt: at(days.mon, 9, 0), ClearedAt: &cleared})
	for _, r := range rigs {
		r.run(at(days.tue, 12, 0))
	}
	fa.set() // closed by the police on Tuesday at noon
	now := at(days.fri, 12, 0)
	for _, r := range rigs {
		r.run(now)
	}
	return store, now
}

// Hand-computed rollups. Rates are met ÷ (met + not met).
type wantRollup struct {
	region string
	counts map[Measure]Counts // measures not listed: every school met
	four   Counts
}

func TestHandComputedFigures(t *testing.T) {
	store, now := figuresStore(t)
	days := figuresDays
	c := func(all, met, notMet, na, nj int) Counts {
		return Counts{All: all, Met: met, NotMet: notMet, NotApplicable: na, NotJudged: nj}
	}

	t.Run("Tuesday", func(t *testing.T) {
		rep := store.DayAt(days.tue, now)
		checkRollups(t, rep.Regions, rep.City, []wantRollup{
			// 双桥区 a b c: alarm_link a M, b N, c N → 1/3; four a → 1/3.
			{"130802", map[Measure]Counts{AlarmLink: c(3, 1, 2, 0, 0)}, c(3, 1, 2, 0, 0)},
			// 双滦区 d e f: closed_campus d → 1/3; guard, post, alarm d e → 2/3;
			// bright_kitchen e M, f N, d A → 1/2; four d → 1/3.
			{"130803", map[Measure]Counts{ClosedCampus: c(3, 1, 2, 0, 0), GuardStaffing: c(3, 2, 1, 0, 0),
				ProtectionPost: c(3, 2, 1, 0, 0), AlarmLink: c(3, 2, 1, 0, 0), BrightKitchen: c(3, 1, 1, 1, 0)}, c(3, 1, 2, 0, 0)},
			// City (6): closed a b c d → 4/6; guard, post 5/6; alarm a d e → 3/6;
			// kitchen a b c e M, f N, d A → 4/5; four a d → 2/6.
			{"130800", map[Measure]Counts{ClosedCampus: c(6, 4, 2, 0, 0), GuardStaffing: c(6, 5, 1, 0, 0),
				ProtectionPost: c(6, 5, 1, 0, 0), AlarmLink: c(6, 3, 3, 0, 0), BrightKitchen: c(6, 4, 1, 1, 0)}, c(6, 2, 4, 0, 0)},
		})
		wantRate(t, rep.City.Rates, AlarmLink, 3.0/6)
		wantRate(t, rep.City.Rates, BrightKitchen, 4.0/5)
		if math.Abs(rep.City.FourHundredRate-2.0/6) > 1e-9 {
			t.Errorf("city four-100%% rate = %v, want 2/6", rep.City.FourHundredRate)
		}
	})

	t.Run("Friday noon", func(t *testing.T) {
		// No window has ended: only what has already failed is judged.
		rep := store.DayAt(days.fri, now)
		nj3 := c(3, 0, 0, 0, 3)
		checkRollups(t, rep.Regions, rep.City, []wantRollup{
			// 双桥区: b's alarm_link N (no terminal), a c J; four b N, a c J.
			{"130802", map[Measure]Counts{ClosedCampus: nj3, GuardStaffing: nj3, ProtectionPost: nj3,
				AlarmLink: c(3, 0, 1, 0, 2), BrightKitchen: nj3}, c(3, 0, 1, 0, 2)},
			// 双滦区: f N everywhere; d e J; d's kitchen A.
			{"130803", map[Measure]Counts{ClosedCampus: c(3, 0, 1, 0, 2), GuardStaffing: c(3, 0, 1, 0, 2),
				ProtectionPost: c(3, 0, 1, 0, 2), AlarmLink: c(3, 0, 1, 0, 2), BrightKitchen: c(3, 0, 1, 1, 1)}, c(3, 0, 1, 0, 2)},
			// City: b f N on alarm_link; f N on the rest; four b f N.
			{"130800", map[Measure]Counts{ClosedCampus: c(6, 0, 1, 0, 5), GuardStaffing: c(6, 0, 1, 0, 5),
				ProtectionPost: c(6, 0, 1, 0, 5), AlarmLink: c(6, 0, 2, 0, 4), BrightKitchen: c(6, 0, 1, 1, 4)}, c(6, 0, 2, 0, 4)},
		})
		if _, ok := rep.Regions[0].Rates[ClosedCampus]; ok {
			t.Error("双桥区 has a closed_campus rate though no school is judged yet")
		}
	})

	// Week Mon 11-30 – Sun 12-06, month of December (12-01 – 12-31) and the
	// term (09-01 – 01-22) read on Friday: a school meets a measure only if
	// it met it on every judged day. Verdicts: a M; b alarm N; c alarm N
	// (Tue); d kitchen A; e closed N (Tue); f N.
	weekLike := []wantRollup{
		{"130802", map[Measure]Counts{AlarmLink: c(3, 1, 2, 0, 0)}, c(3, 1, 2, 0, 0)},
		{"130803", map[Measure]Counts{ClosedCampus: c(3, 1, 2, 0, 0), GuardStaffing: c(3, 2, 1, 0, 0),
			ProtectionPost: c(3, 2, 1, 0, 0), AlarmLink: c(3, 2, 1, 0, 0), BrightKitchen: c(3, 1, 1, 1, 0)}, c(3, 1, 2, 0, 0)},
		{"130800", map[Measure]Counts{ClosedCampus: c(6, 4, 2, 0, 0), GuardStaffing: c(6, 5, 1, 0, 0),
			ProtectionPost: c(6, 5, 1, 0, 0), AlarmLink: c(6, 3, 3, 0, 0), BrightKitchen: c(6, 4, 1, 1, 0)}, c(6, 2, 4, 0, 0)},
	}
	for _, tc := range []struct {
		name     string
		period   Period
		date     devices.Date
		from, to devices.Date
		want     []wantRollup
		// a's and f's closed_campus days (a: met Mon Tue Thu, not judged Wed
		// Fri and days without a record; f: not met every school day).
		aDays, fDays Counts
	}{
		{"week", PeriodWeek, days.wed, days.mon, days.mon.AddDays(6), weekLike,
			c(5, 3, 0, 0, 2), c(5, 0, 4, 0, 1)},
		{"December", PeriodMonth, days.fri, days.tue, devices.Date{Year: 2026, Month: 12, Day: 31}, weekLike,
			c(4, 2, 0, 0, 2), c(4, 0, 3, 0, 1)},
		// November holds only Monday: b (no terminal) and f fail; c's Tuesday
		// and e's Tuesday are December's.
		{"November", PeriodMonth, days.mon, devices.Date{Year: 2026, Month: 11, Day: 1}, days.mon, []wantRollup{
			{"130802", map[Measure]Counts{AlarmLink: c(3, 2, 1, 0, 0)}, c(3, 2, 1, 0, 0)},
			{"130803", map[Measure]Counts{ClosedCampus: c(3, 2, 1, 0, 0), GuardStaffing: c(3, 2, 1, 0, 0),
				ProtectionPost: c(3, 2, 1, 0, 0), AlarmLink: c(3, 2, 1, 0, 0), BrightKitchen: c(3, 1, 1, 1, 0)}, c(3, 2, 1, 0, 0)},
			{"130800", map[Measure]Counts{ClosedCampus: c(6, 5, 1, 0, 0), GuardStaffing: c(6, 5, 1, 0, 0),
				ProtectionPost: c(6, 5, 1, 0, 0), AlarmLink: c(6, 4, 2, 0, 0), BrightKitchen: c(6, 4, 1, 1, 0)}, c(6, 4, 2, 0, 0)},
		}, c(30, 1, 0, 0, 29), c(30, 0, 1, 0, 29)},
		// The term: 30 (Sep) + 31 (Oct) + 30 (Nov) + 4 (Dec) = 95 days so far,
		// 90 of them before watching began (no record: not judged).
		{"term", PeriodTerm, days.thu, devices.Date{Year: 2026, Month: 9, Day: 1}, devices.Date{Year: 2027, Month: 1, Day: 22}, weekLike,
			c(95, 3, 0, 0, 92), c(95, 0, 4, 0, 91)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := store.PeriodAt(tc.period, tc.date, now)
			if rep.From != tc.from || rep.To != tc.to || rep.Complete != (tc.name == "November") {
				t.Errorf("period %s – %s complete %v, want %s – %s", rep.From, rep.To, rep.Complete, tc.from, tc.to)
			}
			checkRollups(t, rep.Regions, rep.City, tc.want)
			for _, sp := range rep.Schools {
				switch sp.School {
				case "a":
					if got := sp.Measures[ClosedCampus].Days; got != tc.aDays {
						t.Errorf("a closed_campus days = %+v, want %+v", got, tc.aDays)
					}
				case "f":
					if got := sp.Measures[ClosedCampus].Days; got != tc.fDays {
						t.Errorf("f closed_campus days = %+v, want %+v", got, tc.fDays)
					}
				}
			}
		})
	}
}

// checkRollups compares regions (in order) and then the city with want.
func checkRollups(t *testing.T, regions []RegionRollup, city RegionRollup, want []wantRollup) {
	t.Helper()
	got := append(append([]RegionRollup(nil), regions...), city)
	if len(got) != len(want) {
		t.Fatalf("%d rollups, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Region != w.region {
			t.Errorf("rollup %d is %s, want %s", i, g.Region, w.region)
			continue
		}
		all := w.four.All
		for _, m := range Measures {
			wc, ok := w.counts[m]
			if !ok {
				wc = Counts{All: all, Met: all}
			}
			if g.Counts[m] != wc {
				t.Errorf("%s %s counts = %+v, want %+v", w.region, m, g.Counts[m], wc)
			}
			rate, judged := g.Rates[m]
			if n := wc.Met + wc.NotMet; judged != (n > 0) || (n > 0 && math.Abs(rate-float64(wc.Met)/float64(n)) > 1e-9) {
				t.Errorf("%s %s rate = %v (%v), want %d/%d", w.region, m, rate, judged, wc.Met, n)
			}
		}
		if g.FourHundredCounts != w.four || g.Schools != all {
			t.Errorf("%s four-100%% counts = %+v (schools %d), want %+v", w.region, g.FourHundredCounts, g.Schools, w.four)
		}
	}
}

func wantRate(t *testing.T, rates map[Measure]float64, m Measure, want float64) {
	t.Helper()
	if got, ok := rates[m]; !ok || math.Abs(got-want) > 1e-9 {
		t.Errorf("%s rate = %v (%v), want %v", m, got, ok, want)
	}
}

func TestPeriodLineProtocol(t *testing.T) {
	store, now := figuresStore(t)
	got := string(store.PeriodLineProtocol(PeriodWeek, figuresDays.wed, now))
	mon := dayStart(figuresDays.mon).UnixNano()
	// The hand-computed week of TestHandComputedFigures: city four-100% 2
	// of 6; f's closed_campus not met on the 4 school days with a verdict
	// (Mon, Tue, Thu, Fri) of the 5 days so far.
	for _, want := range []string{
		fmt.Sprintf(`compliance_period,level=city,measure=all,period=week,region=130800 schools=6i,met=2i,not_met=4i,not_applicable=0i,not_judged=0i,rate=0.3333,to="2026-12-06",complete=false %d`, mon),
		fmt.Sprintf(`compliance_period,measure=closed_campus,period=week,region=130803,school=f status="not_met",days=5i,days_met=0i,days_not_met=4i,to="2026-12-06",complete=false %d`, mon),
		fmt.Sprintf(`compliance_period,measure=all,period=week,region=130802,school=a status="met",to="2026-12-06",complete=false %d`, mon),
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("missing line %s", want)
		}
	}
	if n := strings.Count(got, "\n"); n != 6*6+3*6 { // 6 schools × (all + 5 measures), 2 regions + city × 6
		t.Errorf("%d lines:\n%s", n, got)
	}
	if store.PeriodLineProtocol(PeriodDay, figuresDays.wed, now) != nil {
		t.Error("day rows under compliance_period")
	}
}
