package api

import (
	"net/http"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// complianceReport is compliance.Report cut to a viewer: the schools they
// may see, the rollups of the regions they see whole, and the city's
// rollup for city-wide viewers only. Rollups are not recomputed: a region
// rollup is shown only to someone who sees every school in it.
type complianceReport struct {
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
	out := complianceReport{Date: date.String(), Schools: []schoolDayJSON{}, Regions: []compliance.RegionRollup{}}
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

func (a *API) complianceDay(w http.ResponseWriter, r *http.Request, v Viewer) {
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
	writeJSON(w, http.StatusOK, cutReport(a.opts.Compliance.Day(date), date, v))
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
