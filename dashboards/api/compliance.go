package api

import (
	"net/http"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// complianceReport is compliance.Report cut to a viewer: the schools they
// may see, the rollups of the regions they see whole, and the city's
// rollup for city-wide viewers only. Rollups are not recomputed: a region
// rollup is shown only to someone who sees every school in it.
type complianceReport struct {
	Period  compliance.Period         `json:"period"` // day
	Date    string                    `json:"date"`
	Schools []schoolDayJSON           `json:"schools"`
	Regions []compliance.RegionRollup `json:"regions"`
	City    *compliance.RegionRollup  `json:"city,omitempty"`
}

// schoolDayJSON writes a SchoolDay with its date as "YYYY-MM-DD" (the
// outer Date field hides the embedded one from encoding/json).
type schoolDayJSON struct {
	compliance.SchoolDay
	Date string `json:"date"`
}

func schoolDayOut(sd compliance.SchoolDay) schoolDayJSON {
	return schoolDayJSON{SchoolDay: sd, Date: sd.Date.String()}
}

// cutReport returns rep as v may see it.
func cutReport(rep compliance.Report, date devices.Date, v Viewer) complianceReport {
	out := complianceReport{Period: compliance.PeriodDay, Date: date.String(), Schools: []schoolDayJSON{}, Regions: []compliance.RegionRollup{}}
	for _, sd := range rep.Schools {
		if v.CanSee(sd.Region, sd.School) {
			out.Schools = append(out.Schools, schoolDayOut(sd))
		}
	}
	for _, rr := range rep.Regions {
		if v.seesRegion(rr.Region) {
			out.Regions = append(out.Regions, rr)
		}
	}
	if v.CityWide() {
		city := rep.City
		out.City = &city
	}
	return out
}

// periodAtter is an optional interface of a Compliance: the week, month
// and term figures. *compliance.Store satisfies it; without it only
// period=day is served.
type periodAtter interface {
	PeriodAt(compliance.Period, devices.Date, time.Time) compliance.PeriodReport
}

// periodReport is compliance.PeriodReport cut to a viewer as
// complianceReport is.
type periodReport struct {
	Period   compliance.Period         `json:"period"`
	Date     string                    `json:"date"`
	From     string                    `json:"from"`
	To       string                    `json:"to"`
	Complete bool                      `json:"complete"`
	Schools  []schoolPeriodJSON        `json:"schools"`
	Regions  []compliance.RegionRollup `json:"regions"`
	City     *compliance.RegionRollup  `json:"city,omitempty"`
}

// schoolPeriodJSON writes a SchoolPeriod with its dates as "YYYY-MM-DD".
type schoolPeriodJSON struct {
	compliance.SchoolPeriod
	From string `json:"from"`
	To   string `json:"to"`
}

func cutPeriod(rep compliance.PeriodReport, v Viewer) periodReport {
	out := periodReport{Period: rep.Period, Date: rep.Date.String(), From: rep.From.String(), To: rep.To.String(),
		Complete: rep.Complete, Schools: []schoolPeriodJSON{}, Regions: []compliance.RegionRollup{}}
	for _, sp := range rep.Schools {
		if v.CanSee(sp.Region, sp.School) {
			out.Schools = append(out.Schools, schoolPeriodJSON{SchoolPeriod: sp, From: sp.From.String(), To: sp.To.String()})
		}
	}
	for _, rr := range rep.Regions {
		if v.seesRegion(rr.Region) {
			out.Regions = append(out.Regions, rr)
		}
	}
	if v.CityWide() {
		city := rep.City
		out.City = &city
	}
	return out
}

// periodParam reads ?period=, day by default.
func periodParam(q map[string][]string) (compliance.Period, *apiError) {
	s, e := singleParam(q, "period")
	if e != nil || s == "" {
		return compliance.PeriodDay, e
	}
	p, err := compliance.ParsePeriod(s)
	if err != nil {
		return "", badParam("period", "应为 day、week、month 或 term："+s, "must be day, week, month or term: "+s)
	}
	return p, nil
}

// complianceDay answers GET /api/v1/compliance?period=day|week|month|term&date=:
// the day's report, or the week (ISO, Monday to Sunday), month or term
// (the school calendar's) containing date. The answer is compact (see
// compact.go: rollups and the schools that need attention, paged);
// ?format=full gives every school with every measure's detail.
func (a *API) complianceDay(w http.ResponseWriter, r *http.Request, v Viewer) {
	q := r.URL.Query()
	if e := checkParams(q, "date", "period", "format", "schools", "region", "offset", "limit"); e != nil {
		writeError(w, e)
		return
	}
	full := false
	switch f, e := singleParam(q, "format"); {
	case e != nil:
		writeError(w, e)
		return
	case f == "full":
		full = true
	case f != "" && f != "compact":
		writeError(w, badParam("format", "应为 compact 或 full："+f, "must be compact or full: "+f))
		return
	}
	cq, e := compactParams(q)
	if e != nil {
		writeError(w, e)
		return
	}
	date, e := dateParam(q, a.today())
	if e != nil {
		writeError(w, e)
		return
	}
	period, e := periodParam(q)
	if e != nil {
		writeError(w, e)
		return
	}
	if period == compliance.PeriodDay {
		rep := a.report(date, a.opts.Clock())
		if full {
			writeJSON(w, http.StatusOK, cutReport(rep, date, v))
			return
		}
		out := compactDay(rep, date, v, cq)
		out.Complete = date.Before(a.today())
		writeJSON(w, http.StatusOK, out)
		return
	}
	pa, ok := a.opts.Compliance.(periodAtter)
	if !ok {
		writeError(w, badParam("period", "此服务只提供日统计", "only period=day is served here"))
		return
	}
	rep := pa.PeriodAt(period, date, a.opts.Clock())
	if full {
		writeJSON(w, http.StatusOK, cutPeriod(rep, v))
		return
	}
	writeJSON(w, http.StatusOK, compactPeriod(rep, v, cq))
}

func (a *API) complianceSchool(w http.ResponseWriter, r *http.Request, v Viewer) {
	q := r.URL.Query()
	if e := checkParams(q, "date"); e != nil {
		writeError(w, e)
		return
	}
	date, e := dateParam(q, a.today())
	if e != nil {
		writeError(w, e)
		return
	}
	id := r.PathValue("id")
	_, sch, e := a.visibleSchool(id, v)
	if e != nil {
		writeError(w, e)
		return
	}
	sd, ok := a.opts.Compliance.School(sch.ID, date)
	if !ok || !v.CanSee(sd.Region, sd.School) {
		writeError(w, notFound("学校 "+id+" 在 "+date.String()+" 的达标记录", "compliance of school "+id+" on "+date.String()))
		return
	}
	writeJSON(w, http.StatusOK, schoolDayOut(sd))
}
