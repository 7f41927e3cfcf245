package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// compactStore holds Mon 11-23 – Wed 11-25 read back (Store.Load): every
// measure met everywhere, but on Wednesday schoolB's alarm_link is not
// met and schoolC has no record at all; Thursday has no record anywhere.
func compactStore(t *testing.T) *compliance.Store {
	t.Helper()
	store := compliance.NewStore(testRegistry(), nil)
	var recs []compliance.DayRecord
	for i := 0; i < 3; i++ {
		d := devices.Date{Year: 2026, Month: 11, Day: 23}.AddDays(i)
		for _, s := range []struct{ id, region string }{{schoolA, regionSQ}, {schoolB, regionSQ}, {schoolC, regionSL}} {
			if s.id == schoolC && i == 2 {
				continue
			}
			rec := compliance.DayRecord{School: s.id, Region: s.region, Date: d, Status: map[compliance.Measure]compliance.Status{},
				Value: map[compliance.Measure]float64{}}
			for _, m := range compliance.Measures {
				rec.Status[m], rec.Value[m] = compliance.Met, 1
			}
			if s.id == schoolB && i == 2 {
				rec.Status[compliance.AlarmLink], rec.Value[compliance.AlarmLink] = compliance.NotMet, 0.9876
			}
			recs = append(recs, rec)
		}
	}
	store.Load(recs)
	return store
}

func ids(a compactAnswer) []string {
	var out []string
	for _, s := range a.Schools {
		out = append(out, s.ID)
	}
	return out
}

// TestComplianceCompact: the default answer carries the rollups with the
// counts of every verdict and lists the schools that need attention,
// failing first; a school without a record is listed as not judged with
// nr, and a day without any record has rec 0 (the board says "no data
// recorded", not 0 schools). Before the compact answer (issue 9) the
// default listed every school with every detail (617 KB on the demo city).
func TestComplianceCompact(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Compliance = compactStore(t) })
	get := func(q, viewer string) compactAnswer {
		t.Helper()
		return decode[compactAnswer](t, e.do("GET", "/api/v1/compliance?"+q, viewer, ""), http.StatusOK)
	}

	wed := get("date=2026-11-25", "admin")
	if !slices.Equal(wed.M, []string{"closed_campus", "guard_staffing", "protection_post", "alarm_link", "bright_kitchen", "four_hundred"}) {
		t.Fatalf("m = %q", wed.M)
	}
	// Failing B first, then C (no record: not judged), A (all met) not listed.
	if got := ids(wed); !slices.Equal(got, []string{schoolB, schoolC}) || wed.Total != 2 || wed.List != listAttention {
		t.Fatalf("listed %q (total %d, list %s)", got, wed.Total, wed.List)
	}
	b, c := wed.Schools[0], wed.Schools[1]
	if b.V != "111010" || b.NR || b.X[3] != 0.988 {
		t.Errorf("schoolB v=%q nr=%v x=%v, want 111010, a record, alarm_link 0.988", b.V, b.NR, b.X)
	}
	if c.V != "????-?" || !c.NR { // no kitchen: bright_kitchen not applicable
		t.Errorf("schoolC v=%q nr=%v, want every column not judged (bright_kitchen n/a) and no record", c.V, c.NR)
	}
	// City: alarm_link met 1, not met 1, not judged 1 (C); 2 of 3 recorded.
	if wed.City == nil || wed.City.S != 3 || wed.City.Rec != 2 || wed.City.C[3] != [4]int{1, 1, 0, 1} || wed.City.C[5] != [4]int{1, 1, 0, 1} {
		t.Errorf("city %+v", wed.City)
	}
	if wed.Scope.S != 3 || wed.Scope.C[3] != [4]int{1, 1, 0, 1} || !wed.Complete {
		t.Errorf("scope %+v complete %v", wed.Scope, wed.Complete)
	}
	if len(wed.Regions) != 2 || wed.Regions[0].R != regionSQ || wed.Regions[0].Rec != 2 || wed.Regions[1].Rec != 0 {
		t.Errorf("regions %+v", wed.Regions)
	}

	// Only failing; every school, failing first, paged.
	if got := ids(get("date=2026-11-25&schools=failing", "admin")); !slices.Equal(got, []string{schoolB}) {
		t.Errorf("failing %q", got)
	}
	all := get("date=2026-11-25&schools=all&limit=2", "admin")
	if got := ids(all); !slices.Equal(got, []string{schoolB, schoolC}) || all.Total != 3 || all.Limit != 2 {
		t.Errorf("all, first page: %q total %d", got, all.Total)
	}
	if got := ids(get("date=2026-11-25&schools=all&limit=2&offset=2", "admin")); !slices.Equal(got, []string{schoolA}) {
		t.Errorf("all, second page: %q", got)
	}
	// ?region= narrows the scope and the list, not the rollups.
	sl := get("date=2026-11-25&region="+regionSL, "admin")
	if got := ids(sl); !slices.Equal(got, []string{schoolC}) || sl.Scope.S != 1 || len(sl.Regions) != 2 {
		t.Errorf("region %s: %q scope %+v", regionSL, got, sl.Scope)
	}

	// Thursday: no record anywhere → rec 0, every school listed not judged.
	thu := get("date=2026-11-26", "admin")
	if thu.Scope.Rec != 0 || thu.City.Rec != 0 || thu.Scope.S != 3 || thu.Scope.C[5] != [4]int{0, 0, 0, 3} {
		t.Errorf("a day without records: scope %+v city %+v", thu.Scope, thu.City)
	}

	// A county's police: their county, no city, their school only.
	p := get("date=2026-11-25", "police-sl")
	if p.City != nil || len(p.Regions) != 1 || p.Regions[0].R != regionSL || !slices.Equal(ids(p), []string{schoolC}) || p.Scope.S != 1 {
		t.Errorf("police-sl: %+v", p)
	}

	// The week: B failed Wednesday, so B is not met for the week (days
	// per measure); C met on the days it has, so it is not listed.
	w := get("period=week&date=2026-11-25", "admin")
	if w.Period != compliance.PeriodWeek || w.From != "2026-11-23" || w.To != "2026-11-29" || !slices.Equal(ids(w), []string{schoolB}) {
		t.Fatalf("week %s %s–%s %q", w.Period, w.From, w.To, ids(w))
	}
	if d := w.Schools[0].D[3]; d != [4]int{2, 1, 0, 4} || w.Schools[0].V[3] != '0' || w.Schools[0].X != nil {
		t.Errorf("B's week alarm_link days %v v %q", d, w.Schools[0].V)
	}
	if w.Scope.Rec != 3 || w.Scope.C[3] != [4]int{2, 1, 0, 0} {
		t.Errorf("week scope %+v", w.Scope)
	}

	for _, q := range []string{"schools=some", "limit=0", "limit=5001", "offset=-1", "region=1308", "format=xml", "schools=all&schools=failing"} {
		errorOf(t, e.do("GET", "/api/v1/compliance?"+q, "admin", ""), http.StatusBadRequest, codeBadParameter)
	}
}

// TestCompliancePayloadSize: on a demo-size city (devices.Generate, the
// default of `campusguard registry gen`) the compact default answer is a
// small fraction of the full one. The measured figures are in
// docs/performance.md (from the browser test's in-process server, where
// today is evaluated live with every detail).
func TestCompliancePayloadSize(t *testing.T) {
	reg := devices.Generate(devices.GenerateOptions{Seed: 1})
	store := compliance.NewStore(reg, nil)
	day := devices.Date{Year: 2026, Month: 11, Day: 25}
	var recs []compliance.DayRecord
	for i, s := range reg.Schools {
		rec := compliance.DayRecord{School: s.ID, Region: s.Region, Date: day, Status: map[compliance.Measure]compliance.Status{},
			Value: map[compliance.Measure]float64{}}
		for _, m := range compliance.Measures {
			rec.Status[m], rec.Value[m] = compliance.Met, 0.99
		}
		if i%50 == 0 { // 2 % failing
			rec.Status[compliance.AlarmLink] = compliance.NotMet
		}
		recs = append(recs, rec)
	}
	store.Load(recs)
	e := newEnv(t, func(o *Options) {
		o.Compliance = store
		o.Registry = func() *devices.Registry { return reg }
	})
	full := e.do("GET", "/api/v1/compliance?format=full&date=2026-11-25", "admin", "").Body.Len()
	rec := e.do("GET", "/api/v1/compliance?date=2026-11-25", "admin", "")
	got := decode[compactAnswer](t, rec, http.StatusOK)
	t.Logf("%d schools: full %d bytes, compact %d bytes (%d schools listed)", len(reg.Schools), full, rec.Body.Len(), len(got.Schools))
	if got.Total != (len(reg.Schools)+49)/50 || len(got.Schools) != got.Total {
		t.Errorf("listed %d of %d failing", len(got.Schools), got.Total)
	}
	if rec.Body.Len()*10 > full {
		t.Errorf("compact %d bytes is more than a tenth of the full %d", rec.Body.Len(), full)
	}
}

// TestTrendRecordedAndSchool: the trend says how many schools have a
// record each day (a day without data is not a day of 0 %), ?school=
// narrows it to one school (the drill-down's history), and
// ?per_school=false leaves the per-school verdicts and names out (the
// chart's). Before issue 9 a day without data could not be told from a
// day with nothing judged, and the drill-down fetched every school.
func TestTrendRecordedAndSchool(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Compliance = compactStore(t) })
	tr := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?date=2026-11-26&days=2", "admin", ""), http.StatusOK)
	if len(tr.Days) != 2 || tr.Days[0].Scope.Recorded != 2 || tr.Days[1].Scope.Recorded != 0 || tr.Days[1].Scope.Schools != 3 {
		t.Fatalf("recorded per day: %+v", tr.Days)
	}

	one := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?date=2026-11-25&days=3&school="+schoolB, "edu-sq", ""), http.StatusOK)
	if len(one.Schools) != 1 || one.Schools[0].School != schoolB || len(one.Days) != 3 {
		t.Fatalf("one school: %+v", one)
	}
	for i, d := range one.Days {
		if d.Scope.Schools != 1 || len(d.Regions) != 0 || d.City != nil || len(d.FourHundred) != 1 || d.FourHundred[schoolB] != (i < 2) {
			t.Errorf("%s: %+v", d.Date, d)
		}
	}
	// A school outside the viewer's jurisdiction is not found.
	errorOf(t, e.do("GET", "/api/v1/compliance/trend?school="+schoolC, "police-sq", ""), http.StatusNotFound, codeNotFound)

	lean := e.do("GET", "/api/v1/compliance/trend?date=2026-11-25&days=3&per_school=false", "admin", "")
	if b := lean.Body.String(); strings.Contains(b, `"four_hundred":{`) || strings.Contains(b, `"schools":[{`) {
		t.Errorf("per_school=false still lists schools: %s", b)
	}
	errorOf(t, e.do("GET", "/api/v1/compliance/trend?per_school=no", "admin", ""), http.StatusBadRequest, codeBadParameter)

	// ?region= narrows the scope to a county, ?rollups=false drops the rollups.
	sl := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?date=2026-11-25&days=1&rollups=false&region="+regionSL, "admin", ""), http.StatusOK)
	if d := sl.Days[0]; d.Scope.Schools != 1 || d.Scope.Recorded != 0 || len(d.Regions) != 0 || d.City != nil {
		t.Errorf("region %s without rollups: %+v", regionSL, d)
	}
	// A county outside the viewer's: nothing.
	if d := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=1&region="+regionSQ, "police-sl", ""), http.StatusOK).Days[0]; d.Scope.Schools != 0 || len(d.Regions) != 0 {
		t.Errorf("police-sl asking for %s: %+v", regionSQ, d)
	}
	errorOf(t, e.do("GET", "/api/v1/compliance/trend?region=13", "admin", ""), http.StatusBadRequest, codeBadParameter)
}
