package api

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strconv"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// The compact answer of GET /api/v1/compliance (the default; docs/api.md
// documents every short field name). A city's full answer, every school
// with every measure's detail, is about 600 KB; a board needs the
// rollups and the schools that need attention, and asks for one school's
// detail when it is opened (GET /api/v1/compliance/schools/{id}).

// compactColumns is the column order of the c, v, x and d fields: the five
// measures, then the four-100% verdict.
var compactColumns = append(measureKeys(), "four_hundred")

func measureKeys() []string {
	out := make([]string, len(compliance.Measures))
	for i, m := range compliance.Measures {
		out[i] = string(m)
	}
	return out
}

// The school lists of ?schools=.
const (
	listAttention = "attention"  // failing, then not judged (default)
	listFailing   = "failing"    // some measure not met
	listNotJudged = "not_judged" // nothing failing, something not judged
	listAll       = "all"        // every school, failing first
)

// Paging of the school list.
const (
	compactDefaultLimit = 200
	compactMaxLimit     = 5000
)

// compactAnswer is the default answer of GET /api/v1/compliance.
type compactAnswer struct {
	Period   compliance.Period `json:"period"`
	Date     string            `json:"date"`
	From     string            `json:"from"`
	To       string            `json:"to"`
	Complete bool              `json:"complete"`
	// M names the columns of c, v, x and d.
	M []string `json:"m"`
	// Scope rolls up every school the viewer sees (within ?region=).
	Scope compactRollup `json:"scope"`
	// Regions are the rollups of the counties the viewer sees whole,
	// City the city's (city-wide viewers only).
	Regions []compactRollup `json:"regions"`
	City    *compactRollup  `json:"city,omitempty"`
	// List is which schools are listed, Total how many match it, Offset
	// and Limit the page of them in Schools.
	List    string          `json:"list"`
	Total   int             `json:"total"`
	Offset  int             `json:"offset"`
	Limit   int             `json:"limit"`
	Schools []compactSchool `json:"schools"`
}

// compactRollup: r region code, n name, s schools, rec schools with a
// record (a day) or a recorded day (a period), c per column of m the
// counts [met, not met, not applicable, not judged].
type compactRollup struct {
	R   string   `json:"r"`
	N   string   `json:"n,omitempty"`
	S   int      `json:"s"`
	Rec int      `json:"rec"`
	C   [][4]int `json:"c"`
}

// compactSchool: id, r region, v one verdict character per column of m
// ("1" met, "0" not met, "-" not applicable, "?" not judged), x the five
// measures' values (a day; 3 decimals), d per measure the days
// [met, not met, not applicable, not judged] (a period), nr true when
// there is no record at all.
type compactSchool struct {
	ID string    `json:"id"`
	R  string    `json:"r"`
	V  string    `json:"v"`
	X  []float64 `json:"x,omitempty"`
	D  [][4]int  `json:"d,omitempty"`
	NR bool      `json:"nr,omitempty"`
}

// compactRow is one school of a day or period report.
type compactRow struct {
	school, region string
	status         [6]compliance.Status
	values         []float64
	days           [][4]int
	recorded       bool
}

func (r *compactRow) failing() bool  { return slices.Contains(r.status[:], compliance.NotMet) }
func (r *compactRow) unjudged() bool { return slices.Contains(r.status[:], compliance.NotJudged) }

// failures counts the measures not met.
func (r *compactRow) failures() int {
	n := 0
	for _, s := range r.status[:5] {
		if s == compliance.NotMet {
			n++
		}
	}
	return n
}

func verdictChar(s compliance.Status) byte {
	switch s {
	case compliance.Met:
		return '1'
	case compliance.NotMet:
		return '0'
	case compliance.NotApplicable:
		return '-'
	}
	return '?'
}

func countsOf(c compliance.Counts) [4]int {
	return [4]int{c.Met, c.NotMet, c.NotApplicable, c.NotJudged}
}

func addCount(c *[4]int, s compliance.Status) {
	switch s {
	case compliance.Met:
		c[0]++
	case compliance.NotMet:
		c[1]++
	case compliance.NotApplicable:
		c[2]++
	default:
		c[3]++
	}
}

// rollupOf writes a store rollup compactly, with rec schools recorded.
func rollupOf(rr compliance.RegionRollup, rec int) compactRollup {
	out := compactRollup{R: rr.Region, N: rr.Name, S: rr.Schools, Rec: rec, C: make([][4]int, len(compactColumns))}
	for i, m := range compliance.Measures {
		out.C[i] = countsOf(rr.Counts[m])
	}
	out.C[5] = countsOf(rr.FourHundredCounts)
	return out
}

// scopeRollup counts rows.
func scopeRollup(rows []compactRow) compactRollup {
	out := compactRollup{S: len(rows), C: make([][4]int, len(compactColumns))}
	for i := range rows {
		for j, s := range rows[i].status {
			addCount(&out.C[j], s)
		}
		if rows[i].recorded {
			out.Rec++
		}
	}
	return out
}

func dayRows(rep compliance.Report) []compactRow {
	rows := make([]compactRow, 0, len(rep.Schools))
	for _, sd := range rep.Schools {
		row := compactRow{school: sd.School, region: sd.Region, recorded: !sd.NoRecord, values: make([]float64, len(compliance.Measures))}
		for i, m := range compliance.Measures {
			r := sd.Measures[m]
			row.status[i] = r.Verdict()
			row.values[i] = math.Round(r.Value*1000) / 1000
		}
		row.status[5] = sd.FourHundredStatus
		if row.status[5] == "" {
			row.status[5] = map[bool]compliance.Status{true: compliance.Met, false: compliance.NotMet}[sd.FourHundred]
		}
		rows = append(rows, row)
	}
	return rows
}

func periodRows(rep compliance.PeriodReport) []compactRow {
	rows := make([]compactRow, 0, len(rep.Schools))
	for _, sp := range rep.Schools {
		row := compactRow{school: sp.School, region: sp.Region, recorded: sp.RecordedDays > 0, days: make([][4]int, len(compliance.Measures))}
		for i, m := range compliance.Measures {
			pr := sp.Measures[m]
			row.status[i] = pr.Status
			row.days[i] = countsOf(pr.Days)
		}
		row.status[5] = sp.FourHundredStatus
		rows = append(rows, row)
	}
	return rows
}

// compactQuery is what ?schools=, ?region=, ?offset= and ?limit= ask.
type compactQuery struct {
	list          string
	region        string
	offset, limit int
}

func compactParams(q url.Values) (compactQuery, *apiError) {
	cq := compactQuery{list: listAttention, limit: compactDefaultLimit}
	s, e := singleParam(q, "schools")
	if e != nil {
		return cq, e
	}
	switch s {
	case "":
	case listAttention, listFailing, listNotJudged, listAll:
		cq.list = s
	default:
		return cq, badParam("schools", "应为 attention、failing、not_judged 或 all："+s, "must be attention, failing, not_judged or all: "+strconv.Quote(s))
	}
	if cq.region, e = singleParam(q, "region"); e != nil {
		return cq, e
	}
	if cq.region != "" && !regionPattern.MatchString(cq.region) {
		return cq, badParam("region", "应为 6 位区划代码："+cq.region, "must be a 6-digit division code: "+strconv.Quote(cq.region))
	}
	num := func(name string, lo, hi int, into *int) *apiError {
		s, e := singleParam(q, name)
		if e != nil || s == "" {
			return e
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return badParam(name, "应为 "+strconv.Itoa(lo)+" 到 "+strconv.Itoa(hi)+" 的整数："+s,
				"must be a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+": "+strconv.Quote(s))
		}
		*into = n
		return nil
	}
	if e := num("offset", 0, math.MaxInt32, &cq.offset); e != nil {
		return cq, e
	}
	if e := num("limit", 1, compactMaxLimit, &cq.limit); e != nil {
		return cq, e
	}
	return cq, nil
}

// rank orders listed schools: failing first (most measures not met
// first), then not judged, then the rest; by region and id within.
func rank(r *compactRow) int {
	switch {
	case r.failing():
		return 10 - r.failures()
	case r.unjudged():
		return 20
	}
	return 30
}

func (cq compactQuery) wants(r *compactRow) bool {
	switch cq.list {
	case listFailing:
		return r.failing()
	case listNotJudged:
		return !r.failing() && r.unjudged()
	case listAttention:
		return r.failing() || r.unjudged()
	}
	return true
}

// compact builds the answer from a report's rows (by region, then id)
// and its store rollups, cut to v.
func compact(head compactAnswer, rows []compactRow, regions []compliance.RegionRollup, city compliance.RegionRollup,
	v Viewer, cq compactQuery) compactAnswer {
	out := head
	out.M = compactColumns
	out.List, out.Offset, out.Limit = cq.list, cq.offset, cq.limit
	out.Regions = []compactRollup{}
	out.Schools = []compactSchool{}
	seen := make([]compactRow, 0, len(rows))
	rec := map[string]int{} // recorded schools per region
	recAll := 0
	for i := range rows {
		if v.CanSee(rows[i].region, rows[i].school) {
			seen = append(seen, rows[i])
			if rows[i].recorded {
				rec[rows[i].region]++
				recAll++
			}
		}
	}
	for _, rr := range regions {
		if v.seesRegion(rr.Region) {
			out.Regions = append(out.Regions, rollupOf(rr, rec[rr.Region]))
		}
	}
	if v.CityWide() {
		c := rollupOf(city, recAll)
		out.City = &c
	}
	if cq.region != "" {
		seen = slices.DeleteFunc(seen, func(r compactRow) bool { return r.region != cq.region })
	}
	out.Scope = scopeRollup(seen)
	listed := slices.DeleteFunc(seen, func(r compactRow) bool { return !cq.wants(&r) })
	slices.SortStableFunc(listed, func(a, b compactRow) int { return cmp.Compare(rank(&a), rank(&b)) })
	out.Total = len(listed)
	for i := cq.offset; i < len(listed) && i < cq.offset+cq.limit; i++ {
		r := &listed[i]
		cs := compactSchool{ID: r.school, R: r.region, X: r.values, D: r.days, NR: !r.recorded}
		v := make([]byte, len(r.status))
		for j, s := range r.status {
			v[j] = verdictChar(s)
		}
		cs.V = string(v)
		out.Schools = append(out.Schools, cs)
	}
	return out
}

// compactDay is the compact answer for a day.
func compactDay(rep compliance.Report, date devices.Date, v Viewer, cq compactQuery) compactAnswer {
	head := compactAnswer{Period: compliance.PeriodDay, Date: date.String(), From: date.String(), To: date.String()}
	return compact(head, dayRows(rep), rep.Regions, rep.City, v, cq)
}

// compactPeriod is the compact answer for a week, month or term.
func compactPeriod(rep compliance.PeriodReport, v Viewer, cq compactQuery) compactAnswer {
	head := compactAnswer{Period: rep.Period, Date: rep.Date.String(), From: rep.From.String(), To: rep.To.String(), Complete: rep.Complete}
	return compact(head, periodRows(rep), rep.Regions, rep.City, v, cq)
}
