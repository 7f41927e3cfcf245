package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// Route of the compliance export. Its path says "export" so that the
// audit log can tell exports from reads.
const routeExport = "GET /api/v1/compliance/export.csv"

// utf8BOM starts every CSV: without it Excel reads UTF-8 as the local
// code page and garbles the Chinese.
const utf8BOM = "\uFEFF"

// measureNames are the column names of each measure, Chinese then English.
var measureNames = map[compliance.Measure]string{
	compliance.ClosedCampus:   "封闭化管理",
	compliance.GuardStaffing:  "专职保安",
	compliance.ProtectionPost: "护学岗",
	compliance.AlarmLink:      "一键报警联网",
	compliance.BrightKitchen:  "明厨亮灶",
}

// Cell values of the exports, Chinese then English like the header.
const (
	cellOK   = "达标 ok"
	cellFail = "未达标 fail"
	cellNA   = "不适用 n/a"
	// cellNotJudged: a day without school, a window not over, not watched.
	cellNotJudged = "未判定 not judged"
	cellYes       = "是 yes"
	cellNo        = "否 no"
	cellNoEntry   = "无记录 no record"
)

// writeCSV answers rows (the header first) as a CSV download named
// filename: UTF-8 with a byte-order mark, CRLF line ends (as Excel
// writes), cells that a spreadsheet would run as a formula defused.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) {
	var b bytes.Buffer
	b.WriteString(utf8BOM)
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	for _, row := range rows {
		for i := range row {
			row[i] = defuse(row[i])
		}
		_ = cw.Write(row) // a bytes.Buffer does not fail
	}
	cw.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// defuse prefixes a cell a spreadsheet would take for a formula (CSV
// injection) with an apostrophe. Our own numbers are never negative.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func ratio(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

// complianceHeader is the header of the compliance export.
func complianceHeader() []string {
	h := []string{"学校 school", "区县 region", "学校编号 school_id", "区划代码 region_code", "日期 date"}
	for _, m := range compliance.Measures {
		h = append(h, measureNames[m]+" "+string(m), measureNames[m]+"数值 "+string(m)+"_value")
	}
	return append(h, "四个100% four_hundred", "说明 detail")
}

// complianceRow is one school's row; sd nil means no record that day.
func complianceRow(name, regionName, id, region string, date devices.Date, sd *compliance.SchoolDay) []string {
	row := []string{name, regionName, id, region, date.String()}
	if sd == nil {
		for range compliance.Measures {
			row = append(row, "", "")
		}
		return append(row, "", cellNoEntry)
	}
	var details []string
	for _, m := range compliance.Measures {
		res, ok := sd.Measures[m]
		switch {
		case !ok || !res.Applicable:
			row = append(row, cellNA, "")
		case res.Status == compliance.NotJudged:
			row = append(row, cellNotJudged, "")
		case res.OK:
			row = append(row, cellOK, ratio(res.Value))
		default:
			row = append(row, cellFail, ratio(res.Value))
		}
		if ok && res.Detail() != "" {
			details = append(details, measureNames[m]+"："+res.Detail())
		}
	}
	four := cellNo
	if sd.FourHundred {
		four = cellYes
	}
	return append(row, four, strings.Join(details, "；"))
}

// complianceExport answers GET /api/v1/compliance/export.csv?date=: one
// row per school the viewer sees, the ones with a record that day first
// (by region, then id), then those without.
func (a *API) complianceExport(w http.ResponseWriter, r *http.Request, v Viewer) {
	q := r.URL.Query()
	if e := checkParams(q, "date"); e != nil {
		writeError(w, e)
		return
	}
	now := a.opts.Clock()
	date, e := dateParam(q, devices.DateOf(now.In(devices.Location())))
	if e != nil {
		writeError(w, e)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	rows := [][]string{complianceHeader()}
	seen := map[string]bool{}
	for _, sd := range a.report(date, now).Schools {
		if !v.CanSee(sd.Region, sd.School) {
			continue
		}
		seen[sd.School] = true
		name := ""
		if s, ok := reg.School(sd.School); ok {
			name = s.Name
		}
		rows = append(rows, complianceRow(name, regionName(reg, sd.Region), sd.School, sd.Region, date, &sd))
	}
	for _, s := range visibleSchools(reg, v) {
		if !seen[s.ID] {
			rows = append(rows, complianceRow(s.Name, regionName(reg, s.Region), s.ID, s.Region, date, nil))
		}
	}
	writeCSV(w, "compliance-"+date.String()+".csv", rows)
}
