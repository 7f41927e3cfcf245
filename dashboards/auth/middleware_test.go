package auth

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/dashboards/api"
)

func TestAnonymous(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name, method, target string
		wantCode             int
		wantLocation         string
	}{
		{"api is 401", "GET", "/api/v1/alerts?state=open", 401, ""},
		{"api post is 401", "POST", "/api/v1/alerts/x/ack", 401, ""},
		{"session endpoint is 401", "GET", "/api/v1/session", 401, ""},
		{"page goes to login with next", "GET", "/board/police?school=sq-primary-1", 303, "/login?next=%2Fboard%2Fpolice%3Fschool%3Dsq-primary-1"},
		{"root goes to login", "GET", "/", 303, "/login?next=%2F"},
		{"post to a page goes to login", "POST", "/logout", 303, "/login"},
		{"dot-dot out of static is no way in", "GET", "/static/../board/police", 303, "/login?next=%2Fstatic%2F..%2Fboard%2Fpolice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do(httptestRequest(tc.method, tc.target, ""))
			if w.Code != tc.wantCode {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantCode, w.Body)
			}
			if tc.wantLocation != "" {
				if got := w.Header().Get("Location"); got != tc.wantLocation {
					t.Errorf("Location %q, want %q", got, tc.wantLocation)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			want := `{"error":{"code":"unauthenticated","message_zh":"请先登录","message_en":"log in first"}}` + "\n"
			if w.Body.String() != want {
				t.Errorf("body %s, want %s", w.Body, want)
			}
		})
	}
	if _, ok := h.lastViewer(); ok {
		t.Fatal("an anonymous request reached the handler")
	}
}

func TestPublicPaths(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/login", "/login?next=%2F", "/static/css/app.css", "/healthz", "/readyz", "/metrics"} {
		t.Run(p, func(t *testing.T) {
			w := h.do(httptestRequest(http.MethodGet, p, ""))
			if w.Code != 200 || w.Body.String() != "next" {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
	for _, p := range []string{"/login/", "/loginx", "/static", "/healthz/x", "/metricsx", "/static/../api/v1/alerts", "/static//x"} {
		if isPublic(p) {
			t.Errorf("%s is public", p)
		}
	}
}

func TestSessionViewer(t *testing.T) {
	h := newHarness(t)
	b := h.login("police-sq", policePassword)
	if w := h.do(b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	v, _ := h.lastViewer()
	want := api.Viewer{Name: "police-sq", Role: "police", Regions: []string{"130802"}, Audiences: []alerting.Audience{alerting.Police}}
	if v.Name != want.Name || v.Role != want.Role || !slices.Equal(v.Regions, want.Regions) || len(v.Schools) != 0 ||
		!slices.Equal(v.Audiences, want.Audiences) {
		t.Fatalf("viewer %+v, want %+v", v, want)
	}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}

	w := h.do(b.request(http.MethodGet, "/api/v1/session", ""))
	if w.Code != 200 {
		t.Fatalf("session: %d %s", w.Code, w.Body)
	}
	var info SessionInfo
	decodeJSON(t, w.Body.String(), &info)
	if info.Name != "police-sq" || info.DisplayName != "张警官" || info.Role != "police" ||
		!slices.Equal(info.Regions, []string{"130802"}) || info.Schools == nil || info.CSRFToken != b.csrf {
		t.Fatalf("session info %+v", info)
	}
	if got := testutil.ToFloat64(h.auth.metrics.sessions); got != 1 {
		t.Errorf("sessions gauge %v", got)
	}
}

func TestAudiencesOfRoles(t *testing.T) {
	for role, want := range map[string][]alerting.Audience{
		"admin":     alerting.Audiences,
		"police":    {alerting.Police},
		"education": {alerting.Education},
		"market":    {alerting.Market},
		"school":    {alerting.SchoolAud},
		"mayor":     nil,
	} {
		if got := AudiencesOf(role); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", role, got, want)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	h := newHarness(t)
	b := h.login("admin", adminPassword)
	get := func() *httptest.ResponseRecorder { return h.do(b.request(http.MethodGet, "/board/admin", "")) }

	// Each use renews the 12 h idle expiry.
	for range 3 {
		h.clock.Add(11 * time.Hour)
		if w := get(); w.Code != 200 {
			t.Fatalf("after 11 h idle: %d", w.Code)
		}
	}
	h.clock.Add(12 * time.Hour)
	w := get()
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
		t.Fatalf("after 12 h idle: %d %q", w.Code, w.Header().Get("Location"))
	}
	if c := sessionCookie(w); c == nil || c.MaxAge >= 0 {
		t.Errorf("stale cookie not deleted: %v", c)
	}
	if w := h.do(b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 401 {
		t.Fatalf("api after expiry: %d", w.Code)
	}
	if got := testutil.ToFloat64(h.auth.metrics.sessions); got != 0 {
		t.Errorf("sessions gauge %v", got)
	}
}

func TestSessionTTLOption(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.SessionTTL = time.Hour })
	b := h.login("admin", adminPassword)
	h.clock.Add(time.Hour)
	if w := h.do(b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 401 {
		t.Fatalf("after the TTL: %d", w.Code)
	}
}

func TestUnknownSessionCookie(t *testing.T) {
	h := newHarness(t)
	b := browser{cookie: &http.Cookie{Name: CookieName, Value: "forged-session-id"}}
	if w := h.do(b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 401 {
		t.Fatalf("forged cookie: %d", w.Code)
	}
}

func TestBearerTokens(t *testing.T) {
	h := newHarness(t)
	bearer := func(method, target, auth string) *httptest.ResponseRecorder {
		r := httptestRequest(method, target, "")
		r.Header.Set("Authorization", auth)
		return h.do(r)
	}
	for _, tc := range []struct {
		name, auth string
		wantCode   int
	}{
		{"valid", "Bearer " + tokenSecret, 200},
		{"scheme is case-insensitive", "bearer " + tokenSecret, 200},
		{"wrong secret", "Bearer cgt_wrong", 401},
		{"secret's prefix", "Bearer " + tokenSecret[:20], 401},
		{"basic auth", "Basic YWRtaW46eA==", 401},
		{"empty bearer", "Bearer ", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := bearer(http.MethodGet, "/api/v1/alerts", tc.auth)
			if w.Code != tc.wantCode {
				t.Fatalf("%d, want %d: %s", w.Code, tc.wantCode, w.Body)
			}
			if tc.wantCode == 401 && !strings.Contains(w.Body.String(), `"code":"unauthenticated"`) {
				t.Errorf("body %s", w.Body)
			}
		})
	}
	v, _ := h.lastViewer()
	if v.Name != "police-platform" || v.Role != "police" || !slices.Equal(v.Regions, []string{"130802"}) {
		t.Fatalf("token viewer %+v", v)
	}
	// A wrong token on a page is refused too, not redirected.
	if w := bearer(http.MethodGet, "/board/police", "Bearer nope"); w.Code != 401 {
		t.Fatalf("wrong token on a page: %d", w.Code)
	}
	// No CSRF token needed.
	if w := bearer(http.MethodPost, "/api/v1/alerts/al-1/ack", "Bearer "+tokenSecret); w.Code != 200 {
		t.Fatalf("token POST: %d %s", w.Code, w.Body)
	}
	// Revoked by removal from the file.
	h.reload(withoutEntry(h.yaml, "police-platform"))
	if w := bearer(http.MethodGet, "/api/v1/alerts", "Bearer "+tokenSecret); w.Code != 401 {
		t.Fatalf("removed token: %d", w.Code)
	}
}

func TestCSRF(t *testing.T) {
	h := newHarness(t)
	b := h.login("police-sq", policePassword)
	const target = "/api/v1/alerts/al-1/ack"
	for _, tc := range []struct {
		name     string
		build    func() *http.Request
		wantCode int
	}{
		{"session POST without token", func() *http.Request { return b.request("POST", target, `{"note":"x"}`) }, 403},
		{"session POST with a wrong token", func() *http.Request {
			r := b.request("POST", target, `{"note":"x"}`)
			r.Header.Set(CSRFHeader, "wrong")
			return r
		}, 403},
		{"session DELETE without token", func() *http.Request { return b.request("DELETE", "/api/v1/silences/si-1", "") }, 403},
		{"session POST with the token", func() *http.Request {
			r := b.request("POST", target, `{"note":"x"}`)
			r.Header.Set(CSRFHeader, b.csrf)
			return r
		}, 200},
		{"form POST with the token field", func() *http.Request {
			r := b.request("POST", "/silences/form", "")
			r.Body = httptestBody(url.Values{CSRFField: {b.csrf}, "reason": {"drill"}}.Encode())
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 200},
		{"form POST with a wrong token field", func() *http.Request {
			r := b.request("POST", "/silences/form", "")
			r.Body = httptestBody(url.Values{CSRFField: {"wrong"}}.Encode())
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 403},
		{"session GET needs no token", func() *http.Request { return b.request("GET", "/api/v1/alerts", "") }, 200},
		{"bearer POST is exempt", func() *http.Request {
			r := httptestRequest("POST", target, `{"note":"x"}`)
			r.Header.Set("Authorization", "Bearer "+tokenSecret)
			return r
		}, 200},
		{"cross-site POST with the token", func() *http.Request {
			r := b.request("POST", target, `{"note":"x"}`)
			r.Header.Set(CSRFHeader, b.csrf)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, 403},
		{"foreign Origin POST", func() *http.Request {
			r := b.request("POST", target, `{"note":"x"}`)
			r.Header.Set(CSRFHeader, b.csrf)
			r.Header.Set("Origin", "https://evil.example")
			return r
		}, 403},
		{"cross-site login", func() *http.Request {
			r := httptestRequest("POST", "/login", `{"name":"admin","password":"`+adminPassword+`"}`)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, 403},
		{"same-origin POST with the token", func() *http.Request {
			r := b.request("POST", target, `{"note":"x"}`)
			r.Header.Set(CSRFHeader, b.csrf)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			r.Header.Set("Origin", "http://example.com")
			return r
		}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do(tc.build())
			if w.Code != tc.wantCode {
				t.Fatalf("%d, want %d: %s", w.Code, tc.wantCode, w.Body)
			}
			if tc.wantCode == 403 && strings.HasPrefix(tc.build().URL.Path, "/api/") && !strings.Contains(w.Body.String(), `"code":"forbidden"`) {
				t.Errorf("body %s", w.Body)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t)
	b := h.login("admin", adminPassword)
	// Without the CSRF token: refused, still logged in.
	if w := h.do(b.request(http.MethodPost, "/logout", "")); w.Code != 403 {
		t.Fatalf("logout without CSRF: %d", w.Code)
	}
	r := b.request(http.MethodPost, "/logout", "")
	r.Header.Set(CSRFHeader, b.csrf)
	w := h.do(r)
	if w.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	if c := sessionCookie(w); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("cookie not deleted: %v", c)
	}
	if w := h.do(b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 401 {
		t.Fatalf("after logout: %d", w.Code)
	}
	// A form logout goes to the login page.
	b = h.login("admin", adminPassword)
	r = b.request(http.MethodPost, "/logout", "")
	r.Body = httptestBody(url.Values{CSRFField: {b.csrf}}.Encode())
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if w := h.do(r); w.Code != 303 || w.Header().Get("Location") != "/login" {
		t.Fatalf("form logout: %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestReloadEndsSessions(t *testing.T) {
	h := newHarness(t)
	police := h.login("police-sq", policePassword)
	admin := h.login("admin", adminPassword)
	school := h.login("school-1", schoolPassword)

	// police-sq removed, school-1 with a new password, admin unchanged.
	newHash, err := Hash("another-password-2")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := h.auth.Users().User("school-1")
	h.reload(strings.Replace(withoutEntry(h.yaml, "police-sq"), u.PasswordHash, newHash, 1))

	for _, tc := range []struct {
		name string
		b    browser
		want int
	}{{"removed user", police, 401}, {"changed password", school, 401}, {"unchanged user", admin, 200}} {
		if w := h.do(tc.b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.want)
		}
	}
	if got := testutil.ToFloat64(h.auth.metrics.sessions); got != 1 {
		t.Errorf("sessions gauge %v", got)
	}
}

func TestSessionsPerUserBounded(t *testing.T) {
	h := newHarness(t)
	first := h.login("admin", adminPassword)
	for range maxSessionsPerUser {
		h.clock.Add(time.Second)
		h.login("admin", adminPassword)
	}
	if w := h.do(first.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 401 {
		t.Fatalf("the oldest session survived: %d", w.Code)
	}
	if got := testutil.ToFloat64(h.auth.metrics.sessions); got != maxSessionsPerUser {
		t.Fatalf("sessions %v", got)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no users", Options{}, "users is required"},
		{"negative TTL", Options{Users: &Users{}, SessionTTL: -time.Hour}, "session TTL"},
		{"negative failures", Options{Users: &Users{}, MaxFailuresPerIP: -1}, "max failures per IP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.opts.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	o := Options{Users: &Users{}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.SessionTTL != 12*time.Hour || o.MaxFailuresPerUser != 5 || o.FailureWindow != 5*time.Minute || o.Audit == nil || o.Clock == nil {
		t.Fatalf("defaults %+v", o)
	}
}

func TestCSRFTokenForPages(t *testing.T) {
	h := newHarness(t)
	var got string
	page := h.auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = CSRFToken(r) }))
	b := h.login("admin", adminPassword)
	page.ServeHTTP(httptest.NewRecorder(), b.request(http.MethodGet, "/silences", ""))
	if got != b.csrf {
		t.Fatalf("CSRFToken %q, want %q", got, b.csrf)
	}
	r := httptestRequest(http.MethodGet, "/silences", "")
	r.Header.Set("Authorization", "Bearer "+tokenSecret)
	page.ServeHTTP(httptest.NewRecorder(), r)
	if got != "" {
		t.Fatalf("a token request has CSRF token %q", got)
	}
	if CSRFToken(httptestRequest(http.MethodGet, "/", "")) != "" {
		t.Fatal("CSRF token without a session")
	}
}

func TestSessionHandlerEdges(t *testing.T) {
	h := newHarness(t)
	if w := recorderFor(h.auth.SessionHandler(), httptestRequest(http.MethodGet, "/api/v1/session", "")); w.Code != 401 {
		t.Fatalf("without the middleware: %d", w.Code)
	}
	if w := recorderFor(h.auth.SessionHandler(), httptestRequest(http.MethodPost, "/api/v1/session", "")); w.Code != 405 {
		t.Fatalf("POST: %d", w.Code)
	}
	if w := recorderFor(h.auth.LogoutHandler(), httptestRequest(http.MethodGet, "/logout", "")); w.Code != 405 {
		t.Fatalf("GET /logout: %d", w.Code)
	}
	if w := recorderFor(h.auth.LogoutHandler(), httptestRequest(http.MethodPost, "/logout", "")); w.Code != 401 {
		t.Fatalf("logout without the middleware: %d", w.Code)
	}
	// A token's session info has no CSRF token; logging a token out does nothing.
	r := httptestRequest(http.MethodGet, "/api/v1/session", "")
	r.Header.Set("Authorization", "Bearer "+tokenSecret)
	w := h.do(r)
	var info SessionInfo
	decodeJSON(t, w.Body.String(), &info)
	if info.Name != "police-platform" || info.DisplayName != "police-platform" || info.CSRFToken != "" {
		t.Fatalf("token session info %+v", info)
	}
	r = httptestRequest(http.MethodPost, "/logout", "")
	r.Header.Set("Authorization", "Bearer "+tokenSecret)
	if w := h.do(r); w.Code != 204 {
		t.Fatalf("token logout: %d", w.Code)
	}
}

// A streamed export flushes through the audit's response wrapper.
func TestAuditedExportFlushes(t *testing.T) {
	h := newHarness(t)
	var flushed bool
	export := h.auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("a,b\n"))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
			flushed = true
		}
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("ResponseController flush: %v", err)
		}
	}))
	r := httptestRequest(http.MethodGet, "/api/v1/compliance/export.csv", "")
	r.Header.Set("Authorization", "Bearer "+tokenSecret)
	w := httptest.NewRecorder()
	export.ServeHTTP(w, r)
	if !flushed || !w.Flushed {
		t.Fatal("not flushed")
	}
	if ev := h.audit.Events(); len(ev) != 1 || ev[0].Action != ActionExport {
		t.Fatalf("events %+v", ev)
	}
}
