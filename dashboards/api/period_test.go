package api

import (
	"net/http"
	"testing"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// periodOut mirrors periodReport for decoding.
type periodOut struct {
	Period   string `json:"period"`
	From     string `json:"from"`
	To       string `json:"to"`
	Complete bool   `json:"complete"`
	Schools  []struct {
		School   string                                         `json:"school"`
		Measures map[compliance.Measure]compliance.PeriodResult `json:"measures"`
	} `json:"schools"`
	Regions []compliance.RegionRollup `json:"regions"`
	City    *compliance.RegionRollup  `json:"city"`
}

// TestCompliancePeriod serves the week and month of a store whose days
// were read back (Store.Load, as after a restart): Mon 11-23 – Fri 11-27,
// every measure met everywhere but schoolB's alarm_link on Wednesday.
func TestCompliancePeriod(t *testing.T) {
	store := compliance.NewStore(testRegistry(), nil)
	var recs []compliance.DayRecord
	for i := 0; i < 5; i++ {
		d := devices.Date{Year: 2026, Month: 11, Day: 23}.AddDays(i)
		for _, s := range []struct{ id, region string }{{schoolA, regionSQ}, {schoolB, regionSQ}, {schoolC, regionSL}} {
			rec := compliance.DayRecord{School: s.id, Region: s.region, Date: d, Status: map[compliance.Measure]compliance.Status{}}
			for _, m := range compliance.Measures {
				rec.Status[m] = compliance.Met
			}
			if s.id == schoolB && i == 2 {
				rec.Status[compliance.AlarmLink] = compliance.NotMet
			}
			recs = append(recs, rec)
		}
	}
	store.Load(recs)
	e := newEnv(t, func(o *Options) { o.Compliance = store })

	got := decode[periodOut](t, e.do("GET", "/api/v1/compliance?format=full&period=week&date=2026-11-25", "admin", ""), http.StatusOK)
	if got.Period != "week" || got.From != "2026-11-23" || got.To != "2026-11-29" || !got.Complete {
		t.Errorf("week %s %s – %s complete %v", got.Period, got.From, got.To, got.Complete)
	}
	// 3 schools; alarm_link: A and C met every judged day, B not on Wed.
	if c := got.City.Counts[compliance.AlarmLink]; c != (compliance.Counts{All: 3, Met: 2, NotMet: 1}) {
		t.Errorf("city alarm_link = %+v", c)
	}
	if c := got.City.FourHundredCounts; c != (compliance.Counts{All: 3, Met: 2, NotMet: 1}) {
		t.Errorf("city four-100%% = %+v", c)
	}
	for _, s := range got.Schools {
		// 7 days: 5 with a record, Saturday and Sunday without.
		if d := s.Measures[compliance.ClosedCampus].Days; d != (compliance.Counts{All: 7, Met: 5, NotJudged: 2}) {
			t.Errorf("%s closed_campus days = %+v", s.School, d)
		}
	}

	// A county's police see their schools and their county, not the city.
	got = decode[periodOut](t, e.do("GET", "/api/v1/compliance?format=full&period=month&date=2026-11-02", "police-sl", ""), http.StatusOK)
	if got.From != "2026-11-01" || got.To != "2026-11-30" || got.Complete || len(got.Schools) != 1 || got.Schools[0].School != schoolC ||
		len(got.Regions) != 1 || got.City != nil {
		t.Errorf("police-sl month: %+v", got)
	}
	if c := got.Regions[0].Counts[compliance.AlarmLink]; c != (compliance.Counts{All: 1, Met: 1}) {
		t.Errorf("双滦区 alarm_link = %+v", c)
	}

	// The trend reads the same history: Wednesday judged (B not four-100%),
	// Saturday without a record is not judged, so no school has a verdict.
	tr := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?date=2026-11-28&days=4", "admin", ""), http.StatusOK)
	if len(tr.Days) != 4 || tr.Days[0].Date != "2026-11-25" || len(tr.Days[0].FourHundred) != 3 || tr.Days[0].FourHundred[schoolB] ||
		len(tr.Days[3].FourHundred) != 0 || len(tr.Days[3].Scope.Rates) != 0 {
		t.Errorf("trend: %+v", tr.Days)
	}

	errorOf(t, e.do("GET", "/api/v1/compliance?period=year", "admin", ""), http.StatusBadRequest, codeBadParameter)
	// The fake Compliance serves days only.
	e = newEnv(t, nil)
	errorOf(t, e.do("GET", "/api/v1/compliance?period=week", "admin", ""), http.StatusBadRequest, codeBadParameter)
}
