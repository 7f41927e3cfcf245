package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// Route of the compliance trend.
const routeTrend = "GET /api/v1/compliance/trend"

// Trend bounds: the Store keeps today and compliance.HistoryDays past
// days (read back from InfluxDB after a restart).
const (
	trendDefaultDays = 30
	trendMaxDays     = 366
)

// dayAtter is an optional interface of a Compliance: it evaluates a day's
// report at a given instant. *compliance.Store satisfies it; the trend and
// the exports then read every day at the API's own clock, so that "today
// so far" agrees with the "today" they name. Without it they call Day.
type dayAtter interface {
	DayAt(devices.Date, time.Time) compliance.Report
}

// report returns the compliance report of date, evaluated at now when the
// Compliance can.
func (a *API) report(date devices.Date, now time.Time) compliance.Report {
	if d, ok := a.opts.Compliance.(dayAtter); ok {
		return d.DayAt(date, now)
	}
	return a.opts.Compliance.Day(date)
}

// trendAnswer is the answer of GET /api/v1/compliance/trend: one entry per
// day, oldest first, and the schools the viewer sees (with their names, so
// that a board can label them without asking for each).
type trendAnswer struct {
	From    string        `json:"from"`
	To      string        `json:"to"`
	Days    []trendDay    `json:"days"`
	Schools []trendSchool `json:"schools"`
}

// trendDay is one day of the trend, cut to the viewer like
// GET /api/v1/compliance: Scope is recomputed over the schools the viewer
// sees (it is never more than they may see), Regions and City are the
// store's rollups shown only to who sees them whole, FourHundred is the
// verdict of each visible school judged that day (met or not met).
type trendDay struct {
	Date        string                    `json:"date"`
	Scope       trendScope                `json:"scope"`
	Regions     []compliance.RegionRollup `json:"regions"`
	City        *compliance.RegionRollup  `json:"city,omitempty"`
	FourHundred map[string]bool           `json:"four_hundred,omitempty"`
}

// trendScope rolls up the schools a viewer sees, as the store rolls up a
// region: Counts per measure (met, not met, not applicable, not judged
// over every school seen), Rates = met ÷ (met + not met) (absent where no
// school is judged), the same for the four-100% verdict. Schools is every
// school seen that has an entry in the day's report.
type trendScope struct {
	Schools int `json:"schools"`
	// Recorded counts the schools with a record that day (watched, or
	// read back from InfluxDB): 0 is a day without data, not a day of 0 %.
	Recorded          int                                      `json:"recorded"`
	Counts            map[compliance.Measure]compliance.Counts `json:"counts"`
	Rates             map[compliance.Measure]float64           `json:"rates"`
	FourHundredCounts compliance.Counts                        `json:"four_hundred_counts"`
	FourHundredRate   float64                                  `json:"four_hundred_rate"`
}

// trendSchool names a school the viewer sees.
type trendSchool struct {
	School     string `json:"school"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	RegionName string `json:"region_name,omitempty"`
}

// scopeOf rolls up schools.
func scopeOf(schools []compliance.SchoolDay) trendScope {
	r := compliance.Rollup("", "", schools)
	out := trendScope{Schools: r.Schools, Counts: r.Counts, Rates: r.Rates,
		FourHundredCounts: r.FourHundredCounts, FourHundredRate: r.FourHundredRate}
	for i := range schools {
		if !schools[i].NoRecord {
			out.Recorded++
		}
	}
	return out
}

// visibleSchools lists the registry's schools v sees, by region then id.
func visibleSchools(reg *devices.Registry, v Viewer) []*devices.School {
	var out []*devices.School
	for i := range reg.Schools {
		if s := &reg.Schools[i]; v.CanSee(s.Region, s.ID) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *devices.School) int {
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func regionName(reg *devices.Registry, code string) string {
	if r, ok := reg.Region(code); ok {
		return r.Name
	}
	return ""
}

// daysParam reads ?days=, 1 to trendMaxDays, default trendDefaultDays.
func daysParam(q url.Values) (int, *apiError) {
	s, e := singleParam(q, "days")
	if e != nil || s == "" {
		return trendDefaultDays, e
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > trendMaxDays {
		return 0, badParam("days", "应为 1 到 "+strconv.Itoa(trendMaxDays)+" 的整数："+s,
			"must be a whole number from 1 to "+strconv.Itoa(trendMaxDays)+": "+strconv.Quote(s))
	}
	return n, nil
}

// trendParams are the query parameters of the trend: ?school= narrows it
// to one school the viewer sees (a board's drill-down), ?region= to one
// county, ?per_school=false leaves out the per-school verdicts and names
// and ?rollups=false the county and city rollups (a board's chart needs
// only the scope: 31 days of a city's 13 rollups are ~250 KB).
var trendParams = []string{"days", "date", "school", "region", "per_school", "rollups"}

// boolParam reads ?name=true|false (def when absent).
func boolParam(q url.Values, name string, def bool) (bool, *apiError) {
	switch s, e := singleParam(q, name); {
	case e != nil:
		return def, e
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	case s != "":
		return def, badParam(name, "应为 true 或 false："+s, "must be true or false: "+strconv.Quote(s))
	}
	return def, nil
}

func (a *API) complianceTrend(w http.ResponseWriter, r *http.Request, v Viewer) {
	q := r.URL.Query()
	if e := checkParams(q, trendParams...); e != nil {
		writeError(w, e)
		return
	}
	school, e := singleParam(q, "school")
	if e != nil {
		writeError(w, e)
		return
	}
	if school != "" {
		_, sch, e := a.visibleSchool(school, v)
		if e != nil {
			writeError(w, e)
			return
		}
		v = v.only(sch.Region, sch.ID)
	}
	region, e := singleParam(q, "region")
	if e != nil {
		writeError(w, e)
		return
	}
	if region != "" {
		if !regionPattern.MatchString(region) {
			writeError(w, badParam("region", "应为 6 位区划代码："+region, "must be a 6-digit division code: "+strconv.Quote(region)))
			return
		}
		v = v.inRegion(region)
	}
	perSchool, e := boolParam(q, "per_school", true)
	if e != nil {
		writeError(w, e)
		return
	}
	rollups, e := boolParam(q, "rollups", true)
	if e != nil {
		writeError(w, e)
		return
	}
	now := a.opts.Clock()
	to, e := dateParam(q, devices.DateOf(now.In(devices.Location())))
	if e != nil {
		writeError(w, e)
		return
	}
	days, e := daysParam(q)
	if e != nil {
		writeError(w, e)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	from := to.AddDays(1 - days)
	out := trendAnswer{From: from.String(), To: to.String(), Days: make([]trendDay, 0, days), Schools: []trendSchool{}}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		cut := cutReport(a.report(d, now), d, v)
		day := trendDay{Date: d.String(), Regions: cut.Regions, City: cut.City, FourHundred: make(map[string]bool, len(cut.Schools))}
		sds := make([]compliance.SchoolDay, 0, len(cut.Schools))
		for _, sd := range cut.Schools {
			sds = append(sds, sd.SchoolDay)
			if st := sd.FourHundredStatus; st == "" || st.Judged() { // a day not judged has no square colour
				day.FourHundred[sd.School] = sd.FourHundred
			}
		}
		day.Scope = scopeOf(sds)
		if !perSchool {
			day.FourHundred = nil
		}
		if !rollups {
			day.Regions, day.City = []compliance.RegionRollup{}, nil
		}
		out.Days = append(out.Days, day)
	}
	if !perSchool {
		writeJSON(w, http.StatusOK, out)
		return
	}
	for _, s := range visibleSchools(reg, v) {
		out.Schools = append(out.Schools, trendSchool{School: s.ID, Name: s.Name, Region: s.Region, RegionName: regionName(reg, s.Region)})
	}
	writeJSON(w, http.StatusOK, out)
}

// only returns v narrowed to one school it sees (no rollup of a region or
// the city is then shown).
func (v Viewer) only(region, school string) Viewer {
	v.Regions, v.Schools = []string{region}, []string{school}
	return v
}

// inRegion returns v narrowed to one county: the schools of it v sees (a
// county v does not see leaves nothing).
func (v Viewer) inRegion(region string) Viewer {
	if len(v.Regions) > 0 && !slices.Contains(v.Regions, region) {
		v.Schools = []string{""} // sees no school
	}
	v.Regions = []string{region}
	return v
}
