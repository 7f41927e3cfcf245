package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// readCSV checks rec is a CSV download with a UTF-8 byte-order mark and
// returns its rows (the header first).
func readCSV(t *testing.T, rec *httptest.ResponseRecorder, filename string) [][]string {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
		t.Errorf("Content-Disposition %q, want file %s", cd, filename)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	body := rec.Body.Bytes()
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 BOM: % x", body[:min(len(body), 8)])
	}
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Error("lines do not end in CRLF")
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column returns the index of the header cell that ends with name.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if strings.HasSuffix(h, " "+name) {
			return i
		}
	}
	t.Fatalf("no column %s in %q", name, header)
	return -1
}

func TestComplianceExport(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		viewer  string
		schools []string
	}{
		{"admin", []string{schoolA, schoolB, schoolC}},
		{"police-sq", []string{schoolA, schoolB}},
		{"market", []string{schoolA, schoolB, schoolC}},
		{"school-a", []string{schoolA}}, // a school exports its own row only
	}
	for _, tt := range tests {
		t.Run(tt.viewer, func(t *testing.T) {
			rows := readCSV(t, e.do("GET", "/api/v1/compliance/export.csv?date=2026-11-27", tt.viewer, ""), "compliance-2026-11-27.csv")
			head := rows[0]
			if head[0] != "学校 school" || head[1] != "区县 region" || head[len(head)-2] != "四个100% four_hundred" {
				t.Fatalf("header %q", head)
			}
			for _, h := range head {
				if zh, en, ok := strings.Cut(h, " "); !ok || zh == "" || en == "" || en[0] > 'z' {
					t.Errorf("header cell %q is not Chinese then English", h)
				}
			}
			id := column(t, head, "school_id")
			var got []string
			for _, r := range rows[1:] {
				if len(r) != len(head) {
					t.Fatalf("row %q has %d cells, header %d", r, len(r), len(head))
				}
				got = append(got, r[id])
			}
			if strings.Join(got, ",") != strings.Join(tt.schools, ",") {
				t.Fatalf("rows %q, want %q", got, tt.schools)
			}
		})
	}

	rows := readCSV(t, e.do("GET", "/api/v1/compliance/export.csv?date=2026-11-27", "police-sq", ""), "compliance-2026-11-27.csv")
	head, a, b := rows[0], rows[1], rows[2]
	want := map[string][2]string{ // column: A's cell, B's cell
		"school":              {"双桥第一小学", "双桥第二幼儿园"},
		"region":              {"双桥区", "双桥区"},
		"region_code":         {regionSQ, regionSQ},
		"date":                {"2026-11-27", "2026-11-27"},
		"closed_campus":       {"达标 ok", "未达标 fail"},
		"closed_campus_value": {"1.0000", "0.5000"},
		"alarm_link":          {"不适用 n/a", "不适用 n/a"},
		"alarm_link_value":    {"", ""},
		"four_hundred":        {"是 yes", "否 no"},
		"detail":              {"", "封闭化管理：门禁离线 / gate offline"},
	}
	for col, cells := range want {
		i := column(t, head, col)
		if a[i] != cells[0] || b[i] != cells[1] {
			t.Errorf("%s: %q %q, want %q", col, a[i], b[i], cells)
		}
	}

	// A school without a record that day still gets its row, last.
	e.comp.mu.Lock()
	e.comp.rep.Schools = e.comp.rep.Schools[1:]
	e.comp.mu.Unlock()
	rows = readCSV(t, e.do("GET", "/api/v1/compliance/export.csv", "police-sq", ""), "compliance-2026-11-30.csv")
	if len(rows) != 3 || rows[2][column(t, rows[0], "school_id")] != schoolA || rows[2][len(rows[2])-1] != "无记录 no record" {
		t.Fatalf("rows %q", rows)
	}

	errorOf(t, e.do("GET", "/api/v1/compliance/export.csv?date=30-11-2026", "admin", ""), http.StatusBadRequest, codeBadParameter)
	errorOf(t, e.do("GET", "/api/v1/compliance/export.csv?school=x", "admin", ""), http.StatusBadRequest, codeUnknownParameter)
}

func TestDefuse(t *testing.T) {
	for in, want := range map[string]string{
		"双桥第一小学": "双桥第一小学", "": "", "0.5000": "0.5000",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
	} {
		if got := defuse(in); got != want {
			t.Errorf("defuse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestViolationCategory(t *testing.T) {
	for subject, want := range map[string]string{
		"cam-a1:rodent:evt-1":   "rodent",
		"no_hat@2026-11-30":     "no_hat",
		"smoking":               "smoking",
		"cam-a1:bin_open:17960": "bin_open",
	} {
		if got := violationCategory(subject); got != want {
			t.Errorf("violationCategory(%q) = %q, want %q", subject, got, want)
		}
	}
}

// seedKitchen raises the kitchen alerts of school A on 30 November: a
// tier-1 rodent, a tier-2 smoking with its deadline and its overdue alert,
// a tier-3 no_hat twice and its repeat; and a gate_forced (police and
// school) that no kitchen report may show.
func (e *env) seedKitchen() {
	e.t.Helper()
	due := t0.Add(24 * time.Hour)
	for _, c := range []alerting.Condition{
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "cam-a1:rodent:evt-1", Device: "cam-a1", Severity: alerting.P1},
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "cam-a1:smoking:evt-2", Device: "cam-a1", Severity: alerting.P2, DueAt: &due},
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "no_hat@2026-11-30", Severity: alerting.P3},
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "no_hat@2026-11-30", Severity: alerting.P3},
		{Rule: alerting.KitchenRepeat, School: schoolA, Subject: "no_hat@2026-11-30", Severity: alerting.P2},
		{Rule: alerting.KitchenOverdue, School: schoolA, Subject: "cam-a1:smoking:evt-2", Severity: alerting.P2},
		{Rule: alerting.GateForced, School: schoolA, Subject: "gate-a1", Device: "gate-a1", Severity: alerting.P1},
	} {
		c.Firing, c.MessageZH, c.MessageEN = true, "测试", "test"
		e.m.Apply(c)
	}
}

func TestKitchenReport(t *testing.T) {
	e, _ := newDaysEnv(t)
	e.seedKitchen()
	rep := decode[kitchenReport](t, e.do("GET", "/api/v1/kitchen/report?region=130802&month=2026-11", "market", ""), http.StatusOK)
	if rep.Month != "2026-11" || rep.Region != regionSQ || rep.RegionName != "双桥区" || rep.From != "2026-11-01" || rep.To != "2026-11-30" {
		t.Fatalf("report %+v", rep)
	}
	if len(rep.Schools) != 2 || rep.Schools[0].School != schoolB || rep.Schools[1].School != schoolA {
		t.Fatalf("schools (by region, then id) %+v", rep.Schools)
	}
	a, b := rep.Schools[1], rep.Schools[0]
	if a.Cameras != 1 || a.Days != 3 || a.DaysOK != 1 || a.OnlineRate == nil || *a.OnlineRate < 0.8999 || *a.OnlineRate > 0.9001 {
		t.Errorf("A cameras: %+v rate %v", a, a.OnlineRate)
	}
	if a.Tier1 != 1 || a.Tier2 != 1 || a.Tier3 != 2 || a.Repeats != 1 || a.Overdue != 1 || a.OpenRectifications != 3 { // every open violation, with a deadline or not
		t.Errorf("A violations: %+v", a)
	}
	if a.Categories["rodent"] != 1 || a.Categories["smoking"] != 1 || a.Categories["no_hat"] != 2 || len(a.Categories) != 3 {
		t.Errorf("A categories %v", a.Categories)
	}
	if b.Cameras != 0 || b.Days != 3 || b.DaysOK != 3 || b.Tier1+b.Tier2+b.Tier3+b.Overdue != 0 {
		t.Errorf("B: %+v", b)
	}

	// Audiences: education sees only the overdue alert, a school only its
	// own row and no market-only repeat.
	edu := decode[kitchenReport](t, e.do("GET", "/api/v1/kitchen/report?region=130802&month=2026-11", "edu-sq", ""), http.StatusOK)
	if ea := edu.Schools[1]; ea.Tier1+ea.Tier2+ea.Tier3 != 0 || ea.Overdue != 1 || ea.Repeats != 0 {
		t.Errorf("education: %+v", ea)
	}
	sch := decode[kitchenReport](t, e.do("GET", "/api/v1/kitchen/report?month=2026-11", "school-a", ""), http.StatusOK)
	if len(sch.Schools) != 1 || sch.Schools[0].School != schoolA || sch.Schools[0].Repeats != 0 || sch.Schools[0].Tier1 != 1 {
		t.Errorf("school: %+v", sch.Schools)
	}
	// Another month has the schools but none of these violations.
	oct := decode[kitchenReport](t, e.do("GET", "/api/v1/kitchen/report?region=130802&month=2026-10", "market", ""), http.StatusOK)
	if oct.To != "2026-10-31" || oct.Schools[1].Tier1 != 0 || oct.Schools[1].Days != 0 || oct.Schools[1].OnlineRate != nil {
		t.Errorf("October: %+v", oct)
	}
	// The default month is the current one; no region means every school seen.
	all := decode[kitchenReport](t, e.do("GET", "/api/v1/kitchen/report", "market", ""), http.StatusOK)
	if all.Month != "2026-11" || len(all.Schools) != 3 {
		t.Errorf("default: %s, %d schools", all.Month, len(all.Schools))
	}

	errorOf(t, e.do("GET", "/api/v1/kitchen/report?region=130802", "police-sl", ""), http.StatusNotFound, codeNotFound)
	for _, q := range []string{"month=2026-13", "month=2026/11", "region=13080", "region=x"} {
		errorOf(t, e.do("GET", "/api/v1/kitchen/report?"+q, "market", ""), http.StatusBadRequest, codeBadParameter)
	}
	errorOf(t, e.do("GET", "/api/v1/kitchen/report.csv?school=x", "market", ""), http.StatusBadRequest, codeUnknownParameter)
}

func TestKitchenReportCSV(t *testing.T) {
	e, _ := newDaysEnv(t)
	e.seedKitchen()
	rows := readCSV(t, e.do("GET", "/api/v1/kitchen/report.csv?region=130802&month=2026-11", "market", ""), "kitchen-report-2026-11-130802.csv")
	head := rows[0]
	if head[0] != "学校 school" || len(rows) != 3 {
		t.Fatalf("rows %q", rows)
	}
	a := rows[2] // B (sq-kg-2) sorts first
	for col, want := range map[string]string{
		"school_id": schoolA, "camera_online_rate": "0.9000", "tier1": "1", "tier2": "1", "tier3": "2",
		"overdue": "1", "repeats": "1", "categories": "no_hat×2; rodent×1; smoking×1", "month": "2026-11",
	} {
		if got := a[column(t, head, col)]; got != want {
			t.Errorf("%s = %q, want %q", col, got, want)
		}
	}
	if rows[1][column(t, head, "camera_online_rate")] != "1.0000" {
		t.Errorf("B: %q", rows[1])
	}
	// Nothing of the police-only or gate alerts leaks into a kitchen report.
	body := e.do("GET", "/api/v1/kitchen/report.csv?region=130802&month=2026-11", "market", "").Body.String()
	for _, leak := range []string{"gate", "forced", "校门"} {
		if strings.Contains(body, leak) {
			t.Errorf("report mentions %q: %s", leak, body)
		}
	}
	// A school account gets one row.
	rows = readCSV(t, e.do("GET", "/api/v1/kitchen/report.csv?month=2026-11", "school-a", ""), "kitchen-report-2026-11.csv")
	if len(rows) != 2 || rows[1][column(t, rows[0], "school_id")] != schoolA {
		t.Fatalf("school rows %q", rows)
	}
}
