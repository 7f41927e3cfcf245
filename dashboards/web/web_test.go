package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/dashboards/api"
)

var viewers = map[string]api.Viewer{
	"admin":     {Name: "admin", Role: api.RoleAdmin},
	"police":    {Name: "police", Role: api.RolePolice, Audiences: []alerting.Audience{alerting.Police}},
	"education": {Name: "edu", Role: api.RoleEducation, Regions: []string{"130802"}, Audiences: []alerting.Audience{alerting.Education}},
	"market":    {Name: "market", Role: api.RoleMarket, Audiences: []alerting.Audience{alerting.Market}},
	"school":    {Name: "school", Role: api.RoleSchool, Schools: []string{"sq-primary-1"}, Audiences: []alerting.Audience{alerting.SchoolAud}},
}

func newWeb(t *testing.T) *Web {
	t.Helper()
	w, err := New(Options{Logger: zerolog.Nop(), Clock: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// testNow is the server's clock in these tests (a fixed time, so that the
// same page served twice is the same bytes).
var testNow = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// TestPagesCarryServerTime: every page tells its scripts the server's
// time (data-now, ms since the epoch), from which CG.now and CG.today
// follow the server, not the screen's clock.
func TestPagesCarryServerTime(t *testing.T) {
	h := newWeb(t).Handler()
	want := fmt.Sprintf(`data-now="%d"`, testNow.UnixMilli())
	for _, path := range []string{"/login", "/board/police", "/board/education", "/board/market", "/board/school"} {
		rec := get(t, h, path, "admin")
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: no %s in the page", path, want)
		}
	}
}

// get serves GET path as viewer ("" for none, as the auth middleware
// would leave /login).
func get(t *testing.T, h http.Handler, path, viewer string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if viewer != "" {
		v, ok := viewers[viewer]
		if !ok {
			t.Fatalf("no viewer %s", viewer)
		}
		r = r.WithContext(api.WithViewer(r.Context(), v))
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

var idAttr = regexp.MustCompile(`\sid="([^"]+)"`)

// checkPage checks rec is an HTML page of status with the security
// headers, unique element ids including ids, and the Chinese texts zh.
func checkPage(t *testing.T, rec *httptest.ResponseRecorder, status int, ids, zh []string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	for name, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
	} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	body := rec.Body.String()
	if !strings.HasPrefix(body, "<!DOCTYPE html>") || !strings.Contains(body, `<html lang="zh-CN">`) {
		t.Errorf("not a Chinese-first HTML page: %.80s", body)
	}
	seen := map[string]int{}
	for _, m := range idAttr.FindAllStringSubmatch(body, -1) {
		seen[m[1]]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("id %q appears %d times", id, n)
		}
	}
	for _, id := range append([]string{"lang-toggle", "i18n-data", "main"}, ids...) {
		if seen[id] == 0 {
			t.Errorf("no element #%s", id)
		}
	}
	for _, s := range zh {
		if !strings.Contains(body, s) {
			t.Errorf("no text %q", s)
		}
	}
	return body
}

func TestPages(t *testing.T) {
	h := newWeb(t).Handler()
	tests := []struct {
		path, viewer string
		ids, zh      []string
	}{
		{"/login", "", []string{"login-form", "login-name", "login-password", "login-submit"},
			[]string{"<title>登录 · 承德市校园安全监测平台</title>", "用户名", "密码", `name="next"`}},
		{"/", "", []string{"root-status"}, []string{"正在进入您的看板"}},
		{"/board/police", "police", []string{"alerts", "p0-overlay", "p0-clock", "ack-button", "resolve-note", "resolve-button",
			"report-button", "return-button", "evidence-input", "review-list", "review-empty",
			"school-status", "region-filter", "count-P0", "count-P3", "sound-toggle", "alert-panel", "nav", "logout-button", "conn-status"},
			[]string{"公安实时告警看板", "校内自救", "联防互救", "警力到场", "确认接警", "四项全部达标", "P0 紧急", "待复核", "责任单位"}},
		{"/board/education", "education", []string{"compliance-table", "trend-chart", "trend-svg", "export-csv", "region-table", "date-input", "school-detail",
			"review-list", "review-empty", "alert-panel", "ack-button", "resolve-button", "return-button", "resolve-note"},
			[]string{"教育局达标看板", "四个100%", "封闭化管理", "专职保安", "护学岗", "一键报警联网", "明厨亮灶", "导出 CSV", "近30天趋势", "待复核"}},
		{"/board/market", "market", []string{"market-actions", "action-violations", "action-cameras", "kitchen-pager", "kitchen-table", "violation-table", "report-csv", "report-print", "report-month", "alert-panel",
			"review-list", "review-empty", "resolve-button", "return-button", "resolve-note"},
			[]string{"市场监管明厨亮灶看板", "摄像头在线率", "一级", "二级", "三级", "待处置", "整改期限", "就餐时段摄像头离线或被遮挡", "逾期未整改", "待复核", "退回"}},
		{"/board/market/report?region=130802&month=2026-11", "market", []string{"report-table", "report-title", "print-button", "report-csv"},
			[]string{"明厨亮灶月度检查报告", "检查人", "审核人"}},
		{"/board/school", "school", []string{"school-alerts", "duty-status", "device-table", "kitchen-status", "school-compliance", "school-select", "alert-panel",
			"school-todo", "school-todo-empty", "ack-button", "report-button", "evidence-input", "resolve-note"},
			[]string{"学校安全看板", "未处理告警", "值守与护学岗", "设备", "待办", "提交整改反馈", "佐证链接"}},
		{"/silences", "police", []string{"silence-form", "silence-list", "silence-school", "silence-region", "silence-rule", "silence-duration", "silence-reason"},
			[]string{"新建静默", "原因", "一键报警求救", "静默规则列表"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			body := checkPage(t, get(t, h, tt.path, tt.viewer), http.StatusOK, tt.ids, tt.zh)
			if strings.Contains(body, `id="login-error"`) {
				t.Error("an error shown without ?error")
			}
		})
	}
}

func TestLoginPage(t *testing.T) {
	h := newWeb(t).Handler()
	body := checkPage(t, get(t, h, "/login?error=1&next=/board/market", ""), http.StatusOK,
		[]string{"login-form", "login-error"}, []string{"用户名或密码错误"})
	if !regexp.MustCompile(`<form id="login-form" method="post" action="/login"`).MatchString(body) {
		t.Error("the form does not POST /login")
	}
	if !strings.Contains(body, `name="next" value="/board/market"`) {
		t.Errorf("next not kept: %s", body)
	}
	if strings.Contains(body, `id="nav"`) || strings.Contains(body, `id="logout-button"`) {
		t.Error("the login page shows the navigation")
	}
	checkPage(t, get(t, h, "/login?error=rate_limited", ""), http.StatusOK, []string{"login-error"}, []string{"登录尝试过于频繁"})
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "board"} {
		body := get(t, h, "/login?next="+next, "").Body.String()
		if !strings.Contains(body, `name="next" value=""`) {
			t.Errorf("next %q kept: %s", next, body)
		}
	}
}

func TestRootRedirects(t *testing.T) {
	h := newWeb(t).Handler()
	for viewer, want := range map[string]string{
		"admin": "/board/police", "police": "/board/police", "education": "/board/education",
		"market": "/board/market", "school": "/board/school",
	} {
		rec := get(t, h, "/", viewer)
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != want {
			t.Errorf("%s: %d to %q, want %s", viewer, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	if rec := get(t, h, "/board/", "police"); rec.Code != http.StatusFound || rec.Header().Get("Location") != "/" {
		t.Errorf("/board/: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestSilencesRoles(t *testing.T) {
	h := newWeb(t).Handler()
	for _, viewer := range []string{"admin", "police", "education", "market"} {
		checkPage(t, get(t, h, "/silences", viewer), http.StatusOK, []string{"silence-form"}, nil)
	}
	for _, viewer := range []string{"school"} {
		body := checkPage(t, get(t, h, "/silences", viewer), http.StatusForbidden, nil, []string{"无权访问"})
		if strings.Contains(body, "silence-form") {
			t.Errorf("%s gets the form", viewer)
		}
	}
}

// TestSilenceRuleChoices: the form offers only the rules the role may
// silence (the API refuses the others anyway), and never "every rule".
func TestSilenceRuleChoices(t *testing.T) {
	h := newWeb(t).Handler()
	for viewer, tc := range map[string]struct{ has, hasNot []string }{
		"admin":     {[]string{`value="gate_forced"`, `value="kitchen_repeat"`, `value="guard_unlicensed"`}, []string{`value="alarm_panic"`, `value="alarm_unacked"`}},
		"police":    {[]string{`value="alarm_panic"`, `value="alarm_unacked"`, `value="gate_forced"`, `value="alarm_trouble"`}, []string{`value="kitchen_repeat"`, `value="guard_unlicensed"`}},
		"education": {[]string{`value="guard_unlicensed"`, `value="alarm_test_overdue"`}, []string{`value="alarm_panic"`, `value="alarm_unacked"`, `value="kitchen_repeat"`}},
		"market":    {[]string{`value="kitchen_repeat"`, `value="kitchen_cam_offline"`}, []string{`value="alarm_panic"`, `value="gate_forced"`}},
	} {
		body := checkPage(t, get(t, h, "/silences", viewer), http.StatusOK, []string{"silence-rule"}, tc.has)
		sel := body[strings.Index(body, `id="silence-rule"`):]
		sel = sel[:strings.Index(sel, "</select>")]
		for _, s := range tc.hasNot {
			if strings.Contains(sel, s) {
				t.Errorf("%s: the form offers %s", viewer, s)
			}
		}
		if !strings.Contains(sel, `<option value="" data-i18n="silences.pick_rule">`) || strings.Contains(sel, "silences.any") {
			t.Errorf("%s: the rule select must ask for a rule, not offer every rule", viewer)
		}
	}
}

func TestNotFound(t *testing.T) {
	h := newWeb(t).Handler()
	checkPage(t, get(t, h, "/board/nope", "police"), http.StatusNotFound, nil, []string{"页面不存在"})
	checkPage(t, get(t, h, "/static/js/nope.js", "police"), http.StatusNotFound, nil, []string{"页面不存在"})
	r := httptest.NewRequest(http.MethodPost, "/board/police", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST a page: %d", rec.Code)
	}
}

func TestHeadPage(t *testing.T) {
	h := newWeb(t).Handler()
	r := httptest.NewRequest(http.MethodHead, "/board/police", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD: %d, %d bytes, %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Type"))
	}
}

// The dictionary rides in every page as JSON the scripts parse.
func TestPageCarriesDictionary(t *testing.T) {
	w := newWeb(t)
	body := get(t, w.Handler(), "/board/police", "police").Body.String()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="i18n-data">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no dictionary in the page")
	}
	var got dictionary
	if err := json.Unmarshal([]byte(m[1]), &got); err != nil {
		t.Fatalf("dictionary does not parse: %v", err)
	}
	if len(got) != len(w.dict) || got["p0.stage1"] != w.dict["p0.stage1"] {
		t.Fatalf("dictionary: %d entries, want %d", len(got), len(w.dict))
	}
}

func TestBoardFor(t *testing.T) {
	for role, want := range map[string]string{api.RoleAdmin: "/board/police", api.RolePolice: "/board/police",
		api.RoleEducation: "/board/education", api.RoleMarket: "/board/market", api.RoleSchool: "/board/school", "": "/board/police"} {
		if got := BoardFor(role); got != want {
			t.Errorf("BoardFor(%q) = %q, want %q", role, got, want)
		}
	}
}
