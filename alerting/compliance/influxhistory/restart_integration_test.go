package influxhistory

import (
	"context"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

func date(m time.Month, d int) devices.Date { return devices.Date{Year: 2026, Month: m, Day: d} }

// registry: two schools of 双桥区 with a gate controller and an alarm
// terminal only (no guard terminals: guard_staffing and protection_post
// not met; no kitchen: bright_kitchen not applicable).
func registry() *devices.Registry {
	school := func(id string) devices.School {
		return devices.School{ID: id, Name: id, Region: "130802", Type: devices.SchoolPrimary, Pupils: 500, Calendar: "cal",
			Devices: []devices.Device{{ID: id + "-gate", Kind: devices.KindAccess}, {ID: id + "-alarm", Kind: devices.KindAlarm}}}
	}
	reg := &devices.Registry{
		Regions:   []devices.Region{{Code: "130802", Name: "双桥区"}},
		Calendars: []devices.Calendar{{ID: "cal", Terms: []devices.Term{{Start: date(9, 1), End: date(12, 31)}}}},
		Schools:   []devices.School{school("s1"), school("s2")},
	}
	reg.Index()
	return reg
}

// run plays heartbeats every minute from every device of each school from
// Mon 11-23 00:00 to until, except s2's alarm terminal, silent on Wed 11-25
// 10:00–10:30 (alarm_link not met that day, so last week not met).
func run(t *testing.T, store *compliance.Store, reg *devices.Registry, until time.Time) {
	start := devices.Clock(0, 0).At(date(11, 23))
	silentFrom, silentTo := devices.Clock(10, 0).At(date(11, 25)), devices.Clock(10, 30).At(date(11, 25))
	for i := range reg.Schools {
		sch := &reg.Schools[i]
		h := enginetest.New(t, compliance.NewModule(store), sch, start)
		h.Start()
		for at := start; at.Before(until); at = at.Add(time.Minute) {
			h.AdvanceTo(at)
			for _, d := range sch.Devices {
				if d.ID == "s2-alarm" && !at.Before(silentFrom) && at.Before(silentTo) {
					continue
				}
				h.Event(devices.Event{Kind: d.Kind, Device: d.ID, Type: "heartbeat." + string(d.Kind), Channel: devices.ChannelHeartbeat})
			}
		}
		h.AdvanceTo(until)
	}
}

// TestRestartKeepsYesterdayAndLastWeek writes the compliance rows of a
// watched week and a half to a real influxd (as the service does: each
// day's rows after it ended, today's so far), restarts influxd, and
// starts a fresh Store (a restarted campusguard) that reads them back:
// yesterday's, last week's and the term's figures are the same as before
// the restart. Without the read-back (before this change) yesterday had no
// school with a record at all.
func TestRestartKeepsYesterdayAndLastWeek(t *testing.T) {
	srv := testenv.Influx(t)
	reg := registry()
	now := devices.Clock(12, 0).At(date(12, 1)) // Tue 12:00
	yesterday, lastWeek := date(11, 30), date(11, 25)

	before := compliance.NewStore(reg, nil)
	run(t, before, reg, now)
	var lines []byte
	for d := date(11, 23); !now.Before(d.In(devices.Location())); d = d.AddDays(1) {
		lines = append(lines, before.LineProtocol(d, now)...)
	}
	for _, p := range []compliance.Period{compliance.PeriodWeek, compliance.PeriodMonth, compliance.PeriodTerm} {
		lines = append(lines, before.PeriodLineProtocol(p, lastWeek, now)...)
	}
	srv.Write(t, string(lines))
	// InfluxDB took the period rows: last week's city four-100% row.
	if rows := srv.Query(t, `SELECT "met", "not_met" FROM "compliance_period" WHERE "level"='city' AND "measure"='all' AND "period"='week'`); len(rows) != 1 || len(rows[0].Values) != 1 {
		t.Errorf("compliance_period week rows = %+v", rows)
	}
	srv.Stop(t)
	srv.Start(t)

	after := compliance.NewStore(reg, nil)
	if rep := after.DayAt(yesterday, now); rep.City.Counts[compliance.AlarmLink].NotJudged != 2 {
		t.Fatalf("a fresh store already knows yesterday: %+v", rep.City.Counts)
	}
	r, err := New(Options{URL: srv.URL(), Bucket: srv.Bucket()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	n, err := after.Restore(ctx, r, now)
	if err != nil {
		t.Fatal(err)
	}
	// 2 schools × 9 days (11-23 … 12-01).
	if n != 18 {
		t.Errorf("restored %d records, want 18", n)
	}

	// Yesterday (Mon 11-30): gate and alarm met at both schools; no guard
	// terminal: guard_staffing and protection_post not met; no kitchen.
	y := after.DayAt(yesterday, now)
	wantCity(t, "yesterday", y.City, map[compliance.Measure]compliance.Counts{
		compliance.ClosedCampus:   {All: 2, Met: 2},
		compliance.GuardStaffing:  {All: 2, NotMet: 2},
		compliance.ProtectionPost: {All: 2, NotMet: 2},
		compliance.AlarmLink:      {All: 2, Met: 2},
		compliance.BrightKitchen:  {All: 2, NotApplicable: 2},
	})
	sameRollups(t, "yesterday", y.City, before.DayAt(yesterday, now).City)

	// Last week (11-23 – 11-29): s2's alarm terminal was silent 30 min on
	// Wednesday: alarm_link 1 of 2. Saturday and Sunday are not judged.
	w := after.PeriodAt(compliance.PeriodWeek, lastWeek, now)
	if w.From != date(11, 23) || w.To != date(11, 29) || !w.Complete {
		t.Errorf("last week %s – %s complete %v", w.From, w.To, w.Complete)
	}
	wantCity(t, "last week", w.City, map[compliance.Measure]compliance.Counts{
		compliance.ClosedCampus:   {All: 2, Met: 2},
		compliance.GuardStaffing:  {All: 2, NotMet: 2},
		compliance.ProtectionPost: {All: 2, NotMet: 2},
		compliance.AlarmLink:      {All: 2, Met: 1, NotMet: 1},
		compliance.BrightKitchen:  {All: 2, NotApplicable: 2},
	})
	for _, sp := range w.Schools {
		// 5 school days judged, Saturday and Sunday not.
		if got := sp.Measures[compliance.ClosedCampus].Days; got != (compliance.Counts{All: 7, Met: 5, NotJudged: 2}) {
			t.Errorf("%s last week closed_campus days = %+v", sp.School, got)
		}
	}
	sameRollups(t, "last week", w.City, before.PeriodAt(compliance.PeriodWeek, lastWeek, now).City)
	sameRollups(t, "term", after.PeriodAt(compliance.PeriodTerm, yesterday, now).City,
		before.PeriodAt(compliance.PeriodTerm, yesterday, now).City)
}

func wantCity(t *testing.T, what string, got compliance.RegionRollup, want map[compliance.Measure]compliance.Counts) {
	t.Helper()
	for m, w := range want {
		if got.Counts[m] != w {
			t.Errorf("%s %s = %+v, want %+v", what, m, got.Counts[m], w)
		}
	}
}

func sameRollups(t *testing.T, what string, got, want compliance.RegionRollup) {
	t.Helper()
	for _, m := range compliance.Measures {
		if got.Counts[m] != want.Counts[m] {
			t.Errorf("%s %s after restart = %+v, before = %+v", what, m, got.Counts[m], want.Counts[m])
		}
	}
	if got.FourHundredCounts != want.FourHundredCounts {
		t.Errorf("%s four-100%% after restart = %+v, before = %+v", what, got.FourHundredCounts, want.FourHundredCounts)
	}
}
