package auth

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/dashboards/api"
)

func TestMain(m *testing.M) {
	// Cost 12 takes seconds per hash under the race detector.
	hashCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Passwords and the token secret of the test users file.
const (
	adminPassword  = "admin-password-1"
	policePassword = "police-password-1"
	schoolPassword = "school-password-1"
	tokenSecret    = "cgt_test-secret-of-the-police-platform-0000000"
)

// testUsersYAML returns a users file with an admin, a district police
// officer, a school account and a police platform token.
func testUsersYAML(t testing.TB) string {
	t.Helper()
	h := func(pw string) string {
		s, err := Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return fmt.Sprintf(`users:
  - name: admin
    display_name: 管理员
    role: admin
    password_hash: %q
  - name: police-sq
    display_name: 张警官
    role: police
    regions: ["130802"]
    password_hash: %q
  - name: school-1
    role: school
    schools: [sq-primary-1]
    password_hash: %q
tokens:
  - name: police-platform
    role: police
    regions: ["130802"]
    token_hash: %s
`, h(adminPassword), h(policePassword), h(schoolPassword), TokenHash(tokenSecret))
}

// withoutEntry returns the users file yaml without the entry called name:
// from its "  - name:" line to the next entry or section.
func withoutEntry(yaml, name string) string {
	start := strings.Index(yaml, "  - name: "+name+"\n")
	if start < 0 {
		panic("no entry " + name)
	}
	rest := yaml[start+1:]
	end := len(rest)
	for _, mark := range []string{"\n  - name: ", "\ntokens:"} {
		if i := strings.Index(rest, mark); i >= 0 && i+1 < end {
			end = i + 1
		}
	}
	return yaml[:start] + rest[end:]
}

// reload hands the auth the users file yaml.
func (h *harness) reload(yaml string) {
	h.t.Helper()
	us, err := Parse("users.yaml", []byte(yaml), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.auth.SetUsers(us)
}

// recordingAuditor keeps the audit events.
type recordingAuditor struct {
	mu     sync.Mutex
	events []AuditEvent
}

func (r *recordingAuditor) Audit(e AuditEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recordingAuditor) Events() []AuditEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]AuditEvent(nil), r.events...)
}

// harness is an Auth in front of a recording handler.
type harness struct {
	t       *testing.T
	auth    *Auth
	clock   *fakeClock
	audit   *recordingAuditor
	reg     *prometheus.Registry
	handler http.Handler
	yaml    string // the users file it started with

	mu     sync.Mutex
	seen   []api.Viewer // viewers the next handler saw
	status int          // what the next handler answers (default 200)
}

func newHarness(t *testing.T, mod ...func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, clock: newFakeClock(), audit: &recordingAuditor{}, reg: prometheus.NewRegistry(), yaml: testUsersYAML(t)}
	us, err := Parse("users.yaml", []byte(h.yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Users: us, Clock: h.clock.Now, Audit: h.audit, Registerer: h.reg, Logger: zerolog.New(io.Discard)}
	for _, m := range mod {
		m(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h.auth = a
	mux := http.NewServeMux()
	mux.Handle("POST /login", a.LoginHandler())
	mux.Handle("POST /logout", a.LogoutHandler())
	mux.Handle("GET /api/v1/session", a.SessionHandler())
	mux.HandleFunc("/", h.next)
	h.handler = a.Middleware(mux)
	return h
}

// next stands for the API and the pages: it records the viewer and
// answers h.status, or for a POST of a silence 201 with a Location unless
// h.status is an error.
func (h *harness) next(w http.ResponseWriter, r *http.Request) {
	v, ok := api.ViewerFrom(r.Context())
	h.mu.Lock()
	if ok {
		h.seen = append(h.seen, v)
	}
	status := h.status
	h.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	_, _ = io.Copy(io.Discard, r.Body)
	if r.Method == http.MethodPost && r.URL.Path == "/api/v1/silences" && status < 400 {
		w.Header().Set("Location", "/api/v1/silences/si-1")
		status = http.StatusCreated
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/v1/alarm-tests" && status < 400 {
		w.Header().Set("Location", "/api/v1/alarm-tests/at-1")
		status = http.StatusCreated
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "next")
}

func (h *harness) setStatus(code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status = code
}

func (h *harness) lastViewer() (api.Viewer, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) == 0 {
		return api.Viewer{}, false
	}
	return h.seen[len(h.seen)-1], true
}

func (h *harness) do(r *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w
}

// loginForm posts the login form from ip.
func (h *harness) loginForm(name, password, next, ip string) *httptest.ResponseRecorder {
	h.t.Helper()
	form := url.Values{"name": {name}, "password": {password}}
	if next != "" {
		form.Set("next", next)
	}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = ip + ":40000"
	return h.do(r)
}

// loginJSON posts a JSON login from ip.
func (h *harness) loginJSON(name, password, ip string) *httptest.ResponseRecorder {
	h.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, name, password)))
	r.Header.Set("Content-Type", "application/json")
	r.RemoteAddr = ip + ":40000"
	return h.do(r)
}

// browser is a logged-in browser: its session cookie and CSRF token.
type browser struct {
	cookie *http.Cookie
	csrf   string
}

// login logs name in and returns the browser.
func (h *harness) login(name, password string) browser {
	h.t.Helper()
	w := h.loginJSON(name, password, "192.0.2.1")
	if w.Code != http.StatusOK {
		h.t.Fatalf("login %s: %d %s", name, w.Code, w.Body)
	}
	c := sessionCookie(w)
	if c == nil {
		h.t.Fatal("login set no session cookie")
	}
	var info SessionInfo
	decodeJSON(h.t, w.Body.String(), &info)
	return browser{cookie: c, csrf: info.CSRFToken}
}

// request builds a request carrying b's cookie (when set).
func (s browser) request(method, target string, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if s.cookie != nil {
		r.AddCookie(&http.Cookie{Name: s.cookie.Name, Value: s.cookie.Value})
	}
	return r
}

func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	return nil
}

func decodeJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

// httptestRequest builds a request from 192.0.2.1 with an optional body.
func httptestRequest(method, target, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.RemoteAddr = "192.0.2.1:40000"
	return r
}

func httptestBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func recorderFor(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func testUsers(t testing.TB) *Users {
	t.Helper()
	us, err := Parse("users.yaml", []byte(testUsersYAML(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return us
}
