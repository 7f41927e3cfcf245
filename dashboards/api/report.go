package api

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// Routes of the monthly kitchen audit report (明厨亮灶月度报告), as JSON for
// the printable page and as CSV. Their paths say "report" so that the
// audit log can tell exports from reads.
const (
	routeKitchenReport    = "GET /api/v1/kitchen/report"
	routeKitchenReportCSV = "GET /api/v1/kitchen/report.csv"
)

// kitchenRules are the alerts the report counts.
var kitchenRules = []alerting.RuleID{alerting.KitchenViolation, alerting.KitchenRepeat, alerting.KitchenOverdue}

// kitchenReport is the monthly audit of the kitchens of one region (or of
// every school the viewer sees, without a region).
//
// Coverage: the camera figures come from the compliance records, which
// keep today and compliance.HistoryDays past days (Days says how many
// judged days each school has); the violations from the alerts the lifecycle still
// holds, the open ones and those resolved within its retention (7 days by
// default), started within the month. Older history is in InfluxDB.
type kitchenReport struct {
	Region      string       `json:"region,omitempty"`
	RegionName  string       `json:"region_name,omitempty"`
	Month       string       `json:"month"` // YYYY-MM
	From        string       `json:"from"`  // first day covered
	To          string       `json:"to"`    // last day covered (today for the current month)
	GeneratedAt time.Time    `json:"generated_at"`
	Schools     []kitchenRow `json:"schools"`
}

// kitchenRow is one school of the report.
type kitchenRow struct {
	School     string `json:"school"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	RegionName string `json:"region_name,omitempty"`
	Cameras    int    `json:"cameras"` // kitchen cameras in the registry
	// Days is how many days of the month have a judged bright_kitchen
	// result (met or not met); DaysOK how many of them held.
	Days   int `json:"days"`
	DaysOK int `json:"days_ok"`
	// OnlineRate is the mean over those days of the camera online share
	// inside meal windows (bright_kitchen Result.Value); null without days.
	OnlineRate *float64 `json:"camera_online_rate"`
	// Violations by tier (P1 tier 1, P2 tier 2, P3 tier 3): occurrences
	// (an alert's count) of kitchen_violation alerts started in the month.
	Tier1 int `json:"tier1"`
	Tier2 int `json:"tier2"`
	Tier3 int `json:"tier3"`
	// Categories counts the same occurrences by violation category.
	Categories map[string]int `json:"categories"`
	Repeats    int            `json:"repeats"` // kitchen_repeat alerts started in the month
	Overdue    int            `json:"overdue"` // kitchen_overdue alerts started in the month
	// OpenRectifications is how many of the school's violations (any tier,
	// any month) are open now: alerting.OpenViolation, the market board's
	// definition too.
	OpenRectifications int `json:"open_rectifications"`
}

// violationCategory returns the category in the subject of a kitchen
// alert: "<device>:<category>:<event>" (tier 1 and 2 and their overdue
// alerts), "<category>@<date>" (tier 3 and its repeat) or "<category>"
// (a tier-2 repeat).
func violationCategory(subject string) string {
	if parts := strings.Split(subject, ":"); len(parts) == 3 {
		return parts[1]
	}
	cat, _, _ := strings.Cut(subject, "@")
	return cat
}

// monthParam reads ?month=YYYY-MM, defaulting to the month of today.
func monthParam(q url.Values, today devices.Date) (devices.Date, *apiError) {
	s, e := singleParam(q, "month")
	if e != nil {
		return devices.Date{}, e
	}
	if s == "" {
		return devices.Date{Year: today.Year, Month: today.Month, Day: 1}, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return devices.Date{}, badParam("month", "应为 YYYY-MM："+s, "must be YYYY-MM: "+strconv.Quote(s))
	}
	return devices.Date{Year: t.Year(), Month: t.Month(), Day: 1}, nil
}

// kitchenReportOf builds the report the query of r asks for, cut to v.
func (a *API) kitchenReportOf(r *http.Request, v Viewer) (*kitchenReport, *apiError) {
	q := r.URL.Query()
	if e := checkParams(q, "region", "month"); e != nil {
		return nil, e
	}
	now := a.opts.Clock()
	loc := devices.Location()
	today := devices.DateOf(now.In(loc))
	first, e := monthParam(q, today)
	if e != nil {
		return nil, e
	}
	region, e := singleParam(q, "region")
	if e != nil {
		return nil, e
	}
	reg, e := a.registry()
	if e != nil {
		return nil, e
	}
	if region != "" && !regionPattern.MatchString(region) {
		return nil, badParam("region", "应为6位行政区划代码："+region, "must be a 6-digit division code: "+strconv.Quote(region))
	}
	var schools []*devices.School
	for _, s := range visibleSchools(reg, v) {
		if region == "" || s.Region == region {
			schools = append(schools, s)
		}
	}
	if region != "" && len(schools) == 0 {
		return nil, notFound("区县 "+region, "region "+region)
	}

	next := devices.Date{Year: first.Year, Month: first.Month + 1, Day: 1}
	next = devices.DateOf(next.In(loc)) // normalises December + 1
	last := next.AddDays(-1)
	if today.Before(last) {
		last = today
	}
	out := &kitchenReport{Region: region, Month: fmt.Sprintf("%04d-%02d", first.Year, int(first.Month)),
		From: first.String(), To: last.String(), GeneratedAt: now.In(loc), Schools: []kitchenRow{}}
	if region != "" {
		out.RegionName = regionName(reg, region)
	}
	rows := make(map[string]*kitchenRow, len(schools))
	sums := make(map[string]float64, len(schools))
	for _, s := range schools {
		row := &kitchenRow{School: s.ID, Name: s.Name, Region: s.Region, RegionName: regionName(reg, s.Region), Categories: map[string]int{}}
		for i := range s.Devices {
			if s.Devices[i].Kind == devices.KindKitchenCam {
				row.Cameras++
			}
		}
		rows[s.ID] = row
	}

	// Camera online share: the month's judged days the store keeps.
	oldest := today.AddDays(-compliance.HistoryDays)
	for d := first; !last.Before(d); d = d.AddDays(1) {
		if d.Before(oldest) {
			continue
		}
		for _, sd := range a.report(d, now).Schools {
			row := rows[sd.School]
			res, ok := sd.Measures[compliance.BrightKitchen]
			if row == nil || !ok || !res.Verdict().Judged() || !v.CanSee(sd.Region, sd.School) {
				continue
			}
			row.Days++
			sums[sd.School] += res.Value
			if res.OK {
				row.DaysOK++
			}
		}
	}

	// Violations: the alerts of the month that v may see.
	f := lifecycle.Filter{Rules: kitchenRules}
	if region != "" {
		f.Regions = []string{region}
	}
	start, end := first.In(loc), next.In(loc)
	for _, al := range a.visibleAlerts(f, v) {
		row := rows[al.School]
		if row == nil {
			continue
		}
		if alerting.OpenViolation(&al) {
			row.OpenRectifications++
		}
		if al.StartedAt.Before(start) || !al.StartedAt.Before(end) {
			continue
		}
		switch al.Rule {
		case alerting.KitchenViolation:
			n := max(al.Count, 1)
			switch al.Severity {
			case alerting.P0, alerting.P1:
				row.Tier1 += n
			case alerting.P2:
				row.Tier2 += n
			default:
				row.Tier3 += n
			}
			row.Categories[violationCategory(al.Subject)] += n
		case alerting.KitchenRepeat:
			row.Repeats++
		case alerting.KitchenOverdue:
			row.Overdue++
		}
	}
	for _, s := range schools {
		row := rows[s.ID]
		if row.Days > 0 {
			mean := sums[s.ID] / float64(row.Days)
			row.OnlineRate = &mean
		}
		out.Schools = append(out.Schools, *row)
	}
	return out, nil
}

func (a *API) kitchenReport(w http.ResponseWriter, r *http.Request, v Viewer) {
	rep, e := a.kitchenReportOf(r, v)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (a *API) kitchenReportCSV(w http.ResponseWriter, r *http.Request, v Viewer) {
	rep, e := a.kitchenReportOf(r, v)
	if e != nil {
		writeError(w, e)
		return
	}
	rows := [][]string{{"学校 school", "区县 region", "学校编号 school_id", "区划代码 region_code", "月份 month",
		"摄像头数 cameras", "有记录天数 days", "明厨亮灶达标天数 days_ok", "摄像头在线率 camera_online_rate",
		"一级违规 tier1", "二级违规 tier2", "三级违规 tier3", "反复违规 repeats", "逾期未整改 overdue",
		"未关闭整改 open_rectifications", "违规类别 categories"}}
	for _, s := range rep.Schools {
		rate := ""
		if s.OnlineRate != nil {
			rate = ratio(*s.OnlineRate)
		}
		var cats []string
		for _, c := range slices.Sorted(maps.Keys(s.Categories)) {
			cats = append(cats, c+"×"+strconv.Itoa(s.Categories[c]))
		}
		rows = append(rows, []string{s.Name, s.RegionName, s.School, s.Region, rep.Month,
			strconv.Itoa(s.Cameras), strconv.Itoa(s.Days), strconv.Itoa(s.DaysOK), rate,
			strconv.Itoa(s.Tier1), strconv.Itoa(s.Tier2), strconv.Itoa(s.Tier3), strconv.Itoa(s.Repeats),
			strconv.Itoa(s.Overdue), strconv.Itoa(s.OpenRectifications), strings.Join(cats, "; ")})
	}
	name := "kitchen-report-" + rep.Month
	if rep.Region != "" {
		name += "-" + rep.Region
	}
	writeCSV(w, name+".csv", rows)
}
