package auth

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestLogin(t *testing.T) {
	for _, tc := range []struct {
		name         string
		json         bool
		user, pw     string
		next         string
		wantCode     int
		wantLocation string // form answers
		wantCookie   bool
		wantErrCode  string // JSON error answers
		wantResult   string // campusguard_auth_logins_total label
	}{
		{name: "form ok goes to next", user: "police-sq", pw: policePassword, next: "/board/police?school=sq-primary-1",
			wantCode: 303, wantLocation: "/board/police?school=sq-primary-1", wantCookie: true, wantResult: resultOK},
		{name: "form ok without next goes home", user: "admin", pw: adminPassword,
			wantCode: 303, wantLocation: "/", wantCookie: true, wantResult: resultOK},
		{name: "form bad password back to the login page", user: "police-sq", pw: "wrong-password", next: "/board/police",
			wantCode: 303, wantLocation: "/login?error=failed&next=%2Fboard%2Fpolice", wantResult: resultFailed},
		{name: "form unknown user back to the login page", user: "nobody", pw: "wrong-password",
			wantCode: 303, wantLocation: "/login?error=failed", wantResult: resultFailed},
		{name: "json ok", json: true, user: "school-1", pw: schoolPassword, wantCode: 200, wantCookie: true, wantResult: resultOK},
		{name: "json bad password", json: true, user: "school-1", pw: policePassword, wantCode: 401, wantErrCode: codeLoginFailed, wantResult: resultFailed},
		{name: "json unknown user", json: true, user: "nobody", pw: policePassword, wantCode: 401, wantErrCode: codeLoginFailed, wantResult: resultFailed},
		{name: "json missing password", json: true, user: "school-1", wantCode: 400, wantErrCode: codeBadBody},
		{name: "name is case-sensitive", json: true, user: "Police-SQ", pw: policePassword, wantCode: 401, wantErrCode: codeLoginFailed, wantResult: resultFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var w *httptest.ResponseRecorder
			if tc.json {
				w = h.loginJSON(tc.user, tc.pw, "192.0.2.7")
			} else {
				w = h.loginForm(tc.user, tc.pw, tc.next, "192.0.2.7")
			}
			if w.Code != tc.wantCode {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantCode, w.Body)
			}
			if tc.wantLocation != "" {
				if got := w.Header().Get("Location"); got != tc.wantLocation {
					t.Errorf("Location %q, want %q", got, tc.wantLocation)
				}
			}
			if got := sessionCookie(w) != nil; got != tc.wantCookie {
				t.Errorf("session cookie set: %v, want %v", got, tc.wantCookie)
			}
			if tc.wantErrCode != "" {
				var e apiError
				decodeJSON(t, w.Body.String(), &e)
				if e.Body.Code != tc.wantErrCode || e.Body.MessageZH == "" || e.Body.MessageEN == "" {
					t.Errorf("error body %s, want code %s with both messages", w.Body, tc.wantErrCode)
				}
			}
			if tc.wantResult != "" {
				if got := testutil.ToFloat64(h.auth.metrics.logins.WithLabelValues(tc.wantResult)); got != 1 {
					t.Errorf("logins_total{result=%s} = %v, want 1", tc.wantResult, got)
				}
			}
			if tc.json && tc.wantCode == 200 {
				var info SessionInfo
				decodeJSON(t, w.Body.String(), &info)
				if info.Name != tc.user || info.Role != "school" || len(info.Schools) != 1 || len(info.CSRFToken) < 40 {
					t.Errorf("session info %+v", info)
				}
			}
		})
	}
}

// A wrong password and an unknown user must be told apart by nothing.
func TestLoginFailuresLookAlike(t *testing.T) {
	h := newHarness(t)
	bad := h.loginJSON("police-sq", "wrong-password", "192.0.2.7")
	unknown := h.loginJSON("nobody", "wrong-password", "192.0.2.8")
	if bad.Code != unknown.Code || bad.Body.String() != unknown.Body.String() {
		t.Fatalf("bad password %d %s, unknown user %d %s", bad.Code, bad.Body, unknown.Code, unknown.Body)
	}
}

func TestLoginOnlyPost(t *testing.T) {
	h := newHarness(t)
	w := recorderFor(h.auth.LoginHandler(), httptestRequest(http.MethodGet, "/login", ""))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Fatalf("GET on the login handler: %d Allow=%q", w.Code, w.Header().Get("Allow"))
	}
	// GET /login is the web package's page: the middleware lets it through.
	w = h.do(httptestRequest(http.MethodGet, "/login?next=%2F", ""))
	if w.Code != http.StatusOK || w.Body.String() != "next" {
		t.Fatalf("GET /login through the middleware: %d %s", w.Code, w.Body)
	}
	if _, ok := h.lastViewer(); ok {
		t.Fatal("the login page got a viewer")
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Run("429 after 5 failures for a user at an address, until the window ends", func(t *testing.T) {
		h := newHarness(t)
		for i := range DefaultMaxFailuresPerUser {
			if w := h.loginJSON("police-sq", "wrong-password", "192.0.2.7"); w.Code != 401 {
				t.Fatalf("failure %d: %d", i+1, w.Code)
			}
			h.clock.Add(10 * time.Second)
		}
		// Blocked at that address, even with the right password.
		w := h.loginJSON("police-sq", policePassword, "192.0.2.7")
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("after 5 failures: %d %s", w.Code, w.Body)
		}
		// The window began at the first failure, 50 s ago.
		if got := w.Header().Get("Retry-After"); got != "250" {
			t.Errorf("Retry-After %q, want 250", got)
		}
		var e apiError
		decodeJSON(t, w.Body.String(), &e)
		if e.Body.Code != codeRateLimited {
			t.Errorf("code %q", e.Body.Code)
		}
		if got := testutil.ToFloat64(h.auth.metrics.rateLimited); got != 1 {
			t.Errorf("rate_limited_total %v", got)
		}
		if got := testutil.ToFloat64(h.auth.metrics.logins.WithLabelValues(resultRateLimited)); got != 1 {
			t.Errorf("logins_total{result=rate_limited} %v", got)
		}
		// Other users are not affected.
		if w := h.loginJSON("admin", adminPassword, "192.0.2.7"); w.Code != 200 {
			t.Fatalf("another user: %d", w.Code)
		}
		// Nor is the same user elsewhere: failures from one address never
		// lock the police out from another.
		if w := h.loginJSON("police-sq", policePassword, "198.51.100.9"); w.Code != 200 {
			t.Fatalf("the user from another address: %d %s", w.Code, w.Body)
		}
		// A form gets sent back to the page.
		if w := h.loginForm("police-sq", policePassword, "", "192.0.2.7"); w.Code != 303 || w.Header().Get("Location") != "/login?error=rate_limited" {
			t.Fatalf("form while blocked: %d %q", w.Code, w.Header().Get("Location"))
		}
		h.clock.Add(250*time.Second - time.Millisecond)
		if w := h.loginJSON("police-sq", policePassword, "192.0.2.7"); w.Code != 429 {
			t.Fatalf("just before the window ends: %d", w.Code)
		}
		h.clock.Add(time.Millisecond)
		if w := h.loginJSON("police-sq", policePassword, "192.0.2.7"); w.Code != 200 {
			t.Fatalf("after the window: %d %s", w.Code, w.Body)
		}
	})
	t.Run("a successful login resets the user's count", func(t *testing.T) {
		h := newHarness(t)
		for range DefaultMaxFailuresPerUser - 1 {
			h.loginJSON("police-sq", "wrong-password", "192.0.2.7")
		}
		if w := h.loginJSON("police-sq", policePassword, "192.0.2.7"); w.Code != 200 {
			t.Fatalf("login: %d", w.Code)
		}
		for i := range DefaultMaxFailuresPerUser - 1 {
			if w := h.loginJSON("police-sq", "wrong-password", "192.0.2.7"); w.Code != 401 {
				t.Fatalf("failure %d after the reset: %d", i+1, w.Code)
			}
		}
	})
	t.Run("unknown names are counted like known ones", func(t *testing.T) {
		h := newHarness(t)
		for range DefaultMaxFailuresPerUser {
			h.loginJSON("nobody", "wrong-password", "192.0.2.7")
		}
		if w := h.loginJSON("nobody", "wrong-password", "192.0.2.7"); w.Code != 429 {
			t.Fatalf("unknown name after 5 failures: %d", w.Code)
		}
	})
	t.Run("an address spraying many names is blocked", func(t *testing.T) {
		h := newHarness(t)
		for i := range DefaultMaxFailuresPerIP {
			h.loginJSON("user"+string(rune('a'+i)), "wrong-password", "203.0.113.5")
		}
		if w := h.loginJSON("admin", adminPassword, "203.0.113.5"); w.Code != 429 {
			t.Fatalf("address after %d failures: %d", DefaultMaxFailuresPerIP, w.Code)
		}
		if w := h.loginJSON("admin", adminPassword, "203.0.113.6"); w.Code != 200 {
			t.Fatalf("another address: %d", w.Code)
		}
	})
}

func TestSessionCookieFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		insecure   bool
		wantSecure bool
	}{
		{"secure by default", false, true},
		{"insecure demo", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(o *Options) { o.InsecureCookies = tc.insecure })
			c := sessionCookie(h.loginForm("admin", adminPassword, "", "192.0.2.1"))
			if c == nil {
				t.Fatal("no cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure != tc.wantSecure || c.Path != "/" {
				t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Secure=%v Path=%q", c.Raw, c.HttpOnly, c.SameSite, c.Secure, c.Path)
			}
			if c.MaxAge != 0 || !c.Expires.IsZero() {
				t.Errorf("cookie outlives the browser: %s", c.Raw)
			}
			if len(c.Value) < 43 {
				t.Errorf("session id %q too short", c.Value)
			}
		})
	}
}

func TestLoginReplacesTheOldSession(t *testing.T) {
	h := newHarness(t)
	old := h.login("admin", adminPassword)
	form := url.Values{"name": {"admin"}, "password": {adminPassword}}
	r := old.request(http.MethodPost, "/login", "")
	r.Body = httptestBody(form.Encode())
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := h.do(r)
	if c := sessionCookie(w); c == nil || c.Value == old.cookie.Value {
		t.Fatalf("login kept the session id: %v", c)
	}
	if w := h.do(old.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != http.StatusUnauthorized {
		t.Fatalf("old session still works: %d", w.Code)
	}
}

func TestOpenRedirectPrevented(t *testing.T) {
	for _, tc := range []struct{ next, want string }{
		{"/board/police", "/board/police"},
		{"/board/school?school=sq-primary-1#alerts", "/board/school?school=sq-primary-1#alerts"},
		{"https://evil.example/", "/"},
		{"//evil.example/path", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/%2F%2Fevil.example", "/"}, // a proxy might decode it into //evil.example
		{"javascript:alert(1)", "/"},
		{"board", "/"},
		{"/\t/evil.example", "/"},
		{"/login?next=/x", "/"},
		{"", "/"},
	} {
		t.Run(tc.next, func(t *testing.T) {
			if got := safeNext(tc.next); got != tc.want {
				t.Errorf("safeNext(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
	h := newHarness(t)
	w := h.loginForm("admin", adminPassword, "//evil.example/", "192.0.2.1")
	if loc := w.Header().Get("Location"); w.Code != 303 || loc != "/" {
		t.Fatalf("login with an off-site next: %d %q", w.Code, loc)
	}
	w = h.loginForm("admin", "wrong-password", "https://evil.example/", "192.0.2.1")
	if loc := w.Header().Get("Location"); strings.Contains(loc, "evil") {
		t.Fatalf("failed login keeps an off-site next: %q", loc)
	}
}

func TestLoginBadBodies(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ name, ctype, body string }{
		{"unknown field", "application/json", `{"name":"admin","password":"x","admin":true}`},
		{"two values", "application/json", `{"name":"admin","password":"x"}{}`},
		{"text", "text/plain", "name=admin"},
		{"name too long", "application/json", `{"name":"` + strings.Repeat("a", 300) + `","password":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptestRequest(http.MethodPost, "/login", tc.body)
			r.Header.Set("Content-Type", tc.ctype)
			if w := h.do(r); w.Code != http.StatusBadRequest {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
}
