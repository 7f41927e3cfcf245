package api

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// *compliance.Store evaluates days at the API's clock.
var _ dayAtter = (*compliance.Store)(nil)

// daysCompliance keeps one report per date and, like *compliance.Store,
// answers DayAt; it remembers the instants asked.
type daysCompliance struct {
	mu    sync.Mutex
	days  map[devices.Date]compliance.Report
	nows  []time.Time
	plain int // calls of Day
}

func (d *daysCompliance) Day(date devices.Date) compliance.Report {
	d.mu.Lock()
	d.plain++
	d.mu.Unlock()
	return d.DayAt(date, time.Time{})
}

func (d *daysCompliance) DayAt(date devices.Date, now time.Time) compliance.Report {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !now.IsZero() {
		d.nows = append(d.nows, now)
	}
	rep, ok := d.days[date]
	if !ok {
		return compliance.Report{Date: date}
	}
	return rep
}

func (d *daysCompliance) School(id string, date devices.Date) (compliance.SchoolDay, bool) {
	for _, sd := range d.DayAt(date, time.Time{}).Schools {
		if sd.School == id {
			return sd, true
		}
	}
	return compliance.SchoolDay{}, false
}

var (
	day27 = devices.Date{Year: 2026, Month: 11, Day: 27}
	day28 = devices.Date{Year: 2026, Month: 11, Day: 28}
	day29 = devices.Date{Year: 2026, Month: 11, Day: 29}
	day30 = devices.Date{Year: 2026, Month: 11, Day: 30} // t0's day
)

// fullDay returns a report of date where every school has all five
// measures applicable; failing names the schools that fail closed_campus
// (and so four-100%), kitchen gives each school's bright_kitchen value.
func fullDay(date devices.Date, failing []string, kitchen map[string]float64) compliance.Report {
	rep := compliance.Report{Date: date}
	for _, s := range []struct{ id, region string }{{schoolA, regionSQ}, {schoolB, regionSQ}, {schoolC, regionSL}} {
		ms := map[compliance.Measure]compliance.Result{}
		for _, m := range compliance.Measures {
			ms[m] = compliance.Result{Applicable: true, OK: true, Value: 1}
		}
		fails := slices.Contains(failing, s.id)
		if fails {
			ms[compliance.ClosedCampus] = compliance.Result{Applicable: true, Value: 0.5, DetailZH: "门禁离线", DetailEN: "gate offline"}
		}
		if v, ok := kitchen[s.id]; ok {
			ms[compliance.BrightKitchen] = compliance.Result{Applicable: true, OK: v >= compliance.KitchenOnlineMin, Value: v}
		}
		rep.Schools = append(rep.Schools, compliance.SchoolDay{School: s.id, Region: s.region, Date: date, Measures: ms, FourHundred: !fails})
	}
	rep.Regions = []compliance.RegionRollup{
		{Region: regionSQ, Name: "双桥区", Schools: 2, Rates: map[compliance.Measure]float64{}},
		{Region: regionSL, Name: "双滦区", Schools: 1, Rates: map[compliance.Measure]float64{}},
	}
	rep.City = compliance.RegionRollup{Region: "130800", Name: "承德市", Schools: 3}
	return rep
}

// newDaysEnv is newEnv on a daysCompliance holding 28–30 November (the
// 27th has no record): B fails on the 28th, B and C on the 30th.
func newDaysEnv(t *testing.T) (*env, *daysCompliance) {
	dc := &daysCompliance{days: map[devices.Date]compliance.Report{
		day28: fullDay(day28, []string{schoolB}, map[string]float64{schoolA: 0.9}),
		day29: fullDay(day29, nil, map[string]float64{schoolA: 1}),
		day30: fullDay(day30, []string{schoolB, schoolC}, map[string]float64{schoolA: 0.8}),
	}}
	e := newEnv(t, func(o *Options) { o.Compliance = dc })
	return e, dc
}

func TestTrendShape(t *testing.T) {
	e, dc := newDaysEnv(t)
	got := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=4", "admin", ""), http.StatusOK)
	if got.From != "2026-11-27" || got.To != "2026-11-30" || len(got.Days) != 4 {
		t.Fatalf("from %s to %s, %d days", got.From, got.To, len(got.Days))
	}
	for i, want := range []string{"2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"} {
		if got.Days[i].Date != want {
			t.Errorf("day %d is %s, want %s", i, got.Days[i].Date, want)
		}
	}
	if d := got.Days[0]; d.Scope.Schools != 0 || len(d.FourHundred) != 0 || len(d.Scope.Rates) != 0 {
		t.Errorf("a day without records: %+v", d)
	}
	d28 := got.Days[1]
	if d28.Scope.Schools != 3 || d28.Scope.FourHundredRate != 2.0/3 || d28.Scope.Rates[compliance.ClosedCampus] != 2.0/3 ||
		d28.Scope.Rates[compliance.BrightKitchen] != 2.0/3 || d28.Scope.Rates[compliance.AlarmLink] != 1 {
		t.Errorf("28th scope %+v", d28.Scope)
	}
	if d28.FourHundred[schoolA] != true || d28.FourHundred[schoolB] != false || len(d28.FourHundred) != 3 {
		t.Errorf("28th four_hundred %v", d28.FourHundred)
	}
	if d28.City == nil || len(d28.Regions) != 2 {
		t.Errorf("admin gets the rollups: city %v regions %v", d28.City, d28.Regions)
	}
	if got.Days[3].Scope.FourHundredRate != 1.0/3 {
		t.Errorf("30th scope %+v", got.Days[3].Scope)
	}
	names := map[string]string{}
	for _, s := range got.Schools {
		names[s.School] = s.Name + "/" + s.RegionName
	}
	if len(names) != 3 || names[schoolA] != "双桥第一小学/双桥区" || names[schoolC] != "双滦实验中学/双滦区" {
		t.Errorf("schools %v", got.Schools)
	}
	// Every day was read at the API's clock, through DayAt.
	if dc.plain != 0 || len(dc.nows) != 4 || !dc.nows[0].Equal(t0) {
		t.Errorf("Day called %d times, DayAt at %v", dc.plain, dc.nows)
	}
	// The default is 30 days, ending today; date moves the end.
	got = decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend", "admin", ""), http.StatusOK)
	if len(got.Days) != 30 || got.To != "2026-11-30" || got.From != "2026-11-01" {
		t.Errorf("default: %s..%s, %d days", got.From, got.To, len(got.Days))
	}
	got = decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=2&date=2026-11-29", "admin", ""), http.StatusOK)
	if got.From != "2026-11-28" || got.To != "2026-11-29" {
		t.Errorf("date=2026-11-29: %s..%s", got.From, got.To)
	}
}

func TestTrendFiltering(t *testing.T) {
	e, _ := newDaysEnv(t)
	tests := []struct {
		viewer  string
		schools []string
		regions int
		city    bool
		rate28  float64 // four-100% rate of the 28th over what they see
	}{
		// By region, then id.
		{"admin", []string{schoolB, schoolA, schoolC}, 2, true, 2.0 / 3},
		{"police-sq", []string{schoolB, schoolA}, 1, false, 0.5},
		{"police-sl", []string{schoolC}, 1, false, 1},
		{"school-a", []string{schoolA}, 0, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.viewer, func(t *testing.T) {
			got := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=3", tt.viewer, ""), http.StatusOK)
			var schools []string
			for _, s := range got.Schools {
				schools = append(schools, s.School)
			}
			if !slices.Equal(schools, tt.schools) {
				t.Errorf("schools %v, want %v", schools, tt.schools)
			}
			for _, d := range got.Days {
				if len(d.Regions) != tt.regions || (d.City != nil) != tt.city {
					t.Errorf("%s: %d regions, city %v", d.Date, len(d.Regions), d.City)
				}
				for id := range d.FourHundred {
					if !slices.Contains(tt.schools, id) {
						t.Errorf("%s: sees %s", d.Date, id)
					}
				}
			}
			if d28 := got.Days[0]; d28.Date != "2026-11-28" || d28.Scope.FourHundredRate != tt.rate28 || d28.Scope.Schools != len(tt.schools) {
				t.Errorf("28th: %+v", d28)
			}
		})
	}
}

func TestTrendParams(t *testing.T) {
	e := newEnv(t, nil) // a Compliance without DayAt: Day is used
	got := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=32", "admin", ""), http.StatusOK)
	if len(got.Days) != 32 || got.Days[0].Scope.Schools != 3 {
		t.Fatalf("%d days, first %+v", len(got.Days), got.Days[0])
	}
	// The store keeps compliance.HistoryDays (read back from InfluxDB after
	// a restart): up to a year is served; it used to stop at 32 days.
	got = decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=33", "admin", ""), http.StatusOK)
	if len(got.Days) != 33 {
		t.Errorf("days=33: %d days", len(got.Days))
	}
	for _, q := range []string{"days=0", "days=367", "days=x", "days=1&days=2", "date=2026-11"} {
		errorOf(t, e.do("GET", "/api/v1/compliance/trend?"+q, "admin", ""), http.StatusBadRequest, codeBadParameter)
	}
	errorOf(t, e.do("GET", "/api/v1/compliance/trend?day=1", "admin", ""), http.StatusBadRequest, codeUnknownParameter)
	e = newEnv(t, func(o *Options) { o.Registry = func() *devices.Registry { return nil } })
	errorOf(t, e.do("GET", "/api/v1/compliance/trend", "admin", ""), http.StatusServiceUnavailable, codeUnavailable)
}
