package dashboards_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/dashboards/web"
	"github.com/campusguard/campusguard/devices"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// world is the whole HTTP surface of campusguard (auth middleware, API,
// pages) over a registry with two schools in two counties and four alerts
// of different audiences.
type world struct {
	h       http.Handler
	schoolA *devices.School
	schoolB *devices.School
	alerts  map[string]alerting.Alert // by name
	tokens  map[string]string         // user → bearer secret
	audit   *auditLog
}

// auditLog keeps the audit events.
type auditLog struct {
	mu     sync.Mutex
	events []auth.AuditEvent
}

func (l *auditLog) Audit(e auth.AuditEvent) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

// take returns the events since the last take.
func (l *auditLog) take() []auth.AuditEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

func newWorld(t *testing.T) *world {
	t.Helper()
	reg := devices.Generate(devices.GenerateOptions{Schools: 12, Seed: 2})
	reg.Index()
	w := &world{alerts: map[string]alerting.Alert{}, tokens: map[string]string{}, audit: &auditLog{}}
	for i := range reg.Schools {
		s := &reg.Schools[i]
		if w.schoolA == nil {
			w.schoolA = s
		} else if w.schoolB == nil && s.Region != w.schoolA.Region {
			w.schoolB = s
		}
	}
	clk := &clock{t: time.Date(2026, 11, 30, 10, 0, 0, 0, devices.Location())}
	m, err := lifecycle.Open(lifecycle.Options{Store: lifecycle.NewMemStore(), Clock: clk, StartedAt: clk.t.Add(-time.Hour),
		Region: func(id string) string {
			if s, ok := reg.School(id); ok {
				return s.Region
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	fire := func(name string, rule alerting.RuleID, s *devices.School, sev alerting.Severity) {
		m.Apply(alerting.Condition{Rule: rule, Region: s.Region, School: s.ID, Subject: name, Severity: sev, Firing: true, At: clk.t,
			MessageZH: name, MessageEN: name})
		for _, a := range m.List(lifecycle.Filter{Rules: []alerting.RuleID{rule}, Schools: []string{s.ID}}) {
			if a.Subject == name {
				w.alerts[name] = a
			}
		}
	}
	fire("panic-a", alerting.AlarmPanic, w.schoolA, alerting.P0)           // police, education, school
	fire("forced-b", alerting.GateForced, w.schoolB, alerting.P1)          // police, school
	fire("smoking-a", alerting.KitchenViolation, w.schoolA, alerting.P2)   // market, school
	fire("unlicensed-b", alerting.GuardUnlicensed, w.schoolB, alerting.P2) // education
	fire("unacked-a", alerting.AlarmUnacked, w.schoolA, alerting.P0)       // police only
	store := compliance.NewStore(reg, nil)
	store.Now = clk.Now
	// A few minutes of compliance records for both schools.
	for _, s := range []*devices.School{w.schoolA, w.schoolB} {
		h := enginetest.New(t, compliance.NewModule(store), s, clk.t.Add(-10*time.Minute))
		h.Start()
		h.AdvanceTo(clk.t)
	}

	var users strings.Builder
	users.WriteString("users: []\ntokens:\n")
	for _, u := range []struct{ name, role, region, school string }{
		{"admin", "admin", "", ""},
		{"police", "police", "", ""},
		{"police-a", "police", w.schoolA.Region, ""},
		{"education", "education", "", ""},
		{"market", "market", "", ""},
		{"school-a", "school", "", w.schoolA.ID},
		{"school-b", "school", "", w.schoolB.ID},
		{"education-a", "education", w.schoolA.Region, ""},
		{"market-a", "market", w.schoolA.Region, ""},
	} {
		secret, hash := auth.NewToken()
		w.tokens[u.name] = secret
		fmt.Fprintf(&users, "  - name: %s\n    role: %s\n    token_hash: %q\n", u.name, u.role, hash)
		if u.region != "" {
			fmt.Fprintf(&users, "    regions: [%q]\n", u.region)
		}
		if u.school != "" {
			fmt.Fprintf(&users, "    schools: [%q]\n", u.school)
		}
	}
	us, err := auth.Parse("users.yaml", []byte(users.String()), reg)
	if err != nil {
		t.Fatal(err)
	}
	au, err := auth.New(auth.Options{Users: us, Clock: clk.Now, Audit: w.audit, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.New(api.Options{Registry: func() *devices.Registry { return reg }, Alerts: m, Compliance: store,
		Clock: clk.Now, RequireViewer: true, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	wb, err := web.New(web.Options{Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", au.LoginHandler())
	mux.Handle("POST /logout", au.LogoutHandler())
	mux.Handle("GET /api/v1/session", au.SessionHandler())
	mux.Handle("/api/v1/", a.Handler())
	mux.Handle("/", wb.Handler())
	w.h = au.Middleware(mux)
	return w
}

// do sends a request as user ("" = anonymous) and returns status and body.
func (w *world) do(t *testing.T, user, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[user])
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

var roles = []string{"admin", "police", "police-a", "education", "market", "school-a", "school-b"}

// TestAccessMatrix: every role × every API route and page × own or
// foreign jurisdiction → allowed or denied; anonymous → 401 for the API,
// a redirect to the login page for pages. Objects outside a viewer's
// jurisdiction or audience answer 404, so their existence does not leak.
func TestAccessMatrix(t *testing.T) {
	w := newWorld(t)
	A, B := w.schoolA.ID, w.schoolB.ID
	month := "2026-11"

	// Which alerts each role may see: jurisdiction ∩ audience.
	sees := map[string][]string{
		"admin":     {"panic-a", "forced-b", "smoking-a", "unlicensed-b", "unacked-a"},
		"police":    {"panic-a", "forced-b", "unacked-a"},
		"police-a":  {"panic-a", "unacked-a"},
		"education": {"panic-a", "unlicensed-b"},
		"market":    {"smoking-a"},
		"school-a":  {"panic-a", "smoking-a"},
		"school-b":  {"forced-b"},
	}
	for _, role := range roles {
		visible := map[string]bool{}
		for _, n := range sees[role] {
			visible[n] = true
		}
		for name, al := range w.alerts {
			t.Run(fmt.Sprintf("%s/GET alert %s", role, name), func(t *testing.T) {
				code, _ := w.do(t, role, "GET", "/api/v1/alerts/"+al.ID, "")
				want := map[bool]int{true: 200, false: 404}[visible[name]]
				if code != want {
					t.Fatalf("HTTP %d, want %d", code, want)
				}
			})
			t.Run(fmt.Sprintf("%s/list contains %s", role, name), func(t *testing.T) {
				_, body := w.do(t, role, "GET", "/api/v1/alerts", "")
				if got := strings.Contains(body, al.ID); got != visible[name] {
					t.Fatalf("listed=%v, want %v", got, visible[name])
				}
			})
		}
		ownSchool := map[string]map[string]bool{
			"school-a": {A: true}, "school-b": {B: true}, "police-a": {A: true},
		}[role]
		for _, s := range []string{A, B} {
			allowed := ownSchool == nil || ownSchool[s]
			if role == "police-a" {
				allowed = s == A
			}
			want := map[bool]int{true: 200, false: 404}[allowed]
			for _, path := range []string{"/api/v1/schools/" + s, "/api/v1/compliance/schools/" + s} {
				t.Run(fmt.Sprintf("%s/GET %s", role, path), func(t *testing.T) {
					if code, _ := w.do(t, role, "GET", path, ""); code != want {
						t.Fatalf("HTTP %d, want %d", code, want)
					}
				})
			}
			t.Run(fmt.Sprintf("%s/export has %s", role, s), func(t *testing.T) {
				code, body := w.do(t, role, "GET", "/api/v1/compliance/export.csv", "")
				if code != 200 {
					t.Fatalf("HTTP %d", code)
				}
				if got := strings.Contains(body, s); got != allowed {
					t.Fatalf("export contains %s = %v, want %v", s, got, allowed)
				}
			})
			t.Run(fmt.Sprintf("%s/silence %s", role, s), func(t *testing.T) {
				// A rule told to the role (silence_matrix_test.go has the
				// whole policy).
				rule := map[string]string{"education": "guard_unlicensed", "market": "kitchen_violation"}[role]
				if rule == "" {
					rule = "gate_forced"
				}
				body := fmt.Sprintf(`{"matchers":[{"name":"school","value":%q},{"name":"rule","value":%q}],"duration":"1h","reason":"演练 drill"}`, s, rule)
				code, resp := w.do(t, role, "POST", "/api/v1/silences", body)
				// Schools never silence (a school must not mute its own
				// lapses); the others inside their jurisdiction.
				mayWrite := allowed && !strings.HasPrefix(role, "school")
				if mayWrite != (code == 201 || code == 200) {
					t.Fatalf("HTTP %d (%s), allowed=%v", code, resp, mayWrite)
				}
				if !mayWrite && code != 403 && code != 404 {
					t.Fatalf("denied with HTTP %d, want 403 or 404", code)
				}
			})
		}
		// Acknowledging: only alerts the role sees.
		for _, name := range []string{"forced-b", "smoking-a"} {
			t.Run(fmt.Sprintf("%s/ack %s", role, name), func(t *testing.T) {
				code, _ := w.do(t, role, "POST", "/api/v1/alerts/"+w.alerts[name].ID+"/ack", `{"note":"x"}`)
				if visible[name] {
					if code != 200 && code != 409 { // 409: already acknowledged by an earlier role
						t.Fatalf("HTTP %d, want 200", code)
					}
				} else if code != 404 {
					t.Fatalf("HTTP %d, want 404", code)
				}
			})
		}
		t.Run(role+"/kitchen report of A's county", func(t *testing.T) {
			code, body := w.do(t, role, "GET", "/api/v1/kitchen/report.csv?region="+w.schoolA.Region+"&month="+month, "")
			inJurisdiction := role != "school-b"
			if inJurisdiction && code != 200 {
				t.Fatalf("HTTP %d", code)
			}
			if !inJurisdiction && code == 200 && strings.Contains(body, A) {
				t.Fatalf("school-b's report contains school %s", A)
			}
		})
		pageRole := map[string]string{"/board/police": "police", "/board/education": "education",
			"/board/market": "market", "/board/school": "school", "/silences": ""}
		for _, page := range []string{"/board/police", "/board/education", "/board/market", "/board/school", "/silences"} {
			t.Run(role+"/page "+page, func(t *testing.T) {
				code, _ := w.do(t, role, "GET", page, "")
				// Each board is its role's (and the admin's); the
				// silences every agency's: anyone else gets 403.
				want := 403
				if strings.HasPrefix(role, "admin") || pageRole[page] == "" && !strings.HasPrefix(role, "school") ||
					pageRole[page] != "" && strings.HasPrefix(role, pageRole[page]) ||
					page == "/board/school" && strings.HasPrefix(role, "police") { // the police look into a school there
					want = 200
				}
				if code != want {
					t.Fatalf("HTTP %d, want %d", code, want)
				}
			})
		}
	}
	// Anonymous.
	for _, path := range []string{"/api/v1/alerts", "/api/v1/alerts/" + w.alerts["panic-a"].ID, "/api/v1/compliance",
		"/api/v1/schools/" + A, "/api/v1/silences", "/api/v1/stream", "/api/v1/compliance/export.csv", "/api/v1/session"} {
		t.Run("anonymous/"+path, func(t *testing.T) {
			if code, _ := w.do(t, "", "GET", path, ""); code != 401 {
				t.Fatalf("HTTP %d, want 401", code)
			}
		})
	}
	for _, page := range []string{"/", "/board/police", "/board/school", "/silences"} {
		t.Run("anonymous/page "+page, func(t *testing.T) {
			req := httptest.NewRequest("GET", page, nil)
			rec := httptest.NewRecorder()
			w.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
				t.Fatalf("HTTP %d Location %q, want 303 to /login", rec.Code, rec.Header().Get("Location"))
			}
		})
	}
	t.Run("anonymous/ack", func(t *testing.T) {
		if code, _ := w.do(t, "", "POST", "/api/v1/alerts/"+w.alerts["panic-a"].ID+"/ack", `{}`); code != 401 {
			t.Fatalf("HTTP %d, want 401", code)
		}
	})
	if code, _ := w.do(t, "", "GET", "/login", ""); code != 200 {
		t.Errorf("login page for anonymous: HTTP %d", code)
	}
}
