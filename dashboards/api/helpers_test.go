package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// The real lifecycle and compliance types satisfy the API's interfaces.
var (
	_ Alerts     = (*lifecycle.Manager)(nil)
	_ Compliance = (*compliance.Store)(nil)
)

// t0 is a school-day morning in Chengde.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, devices.Location())

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Schools of the test registry: two in 双桥区, one in 双滦区.
const (
	regionSQ = "130802"
	regionSL = "130803"
	schoolA  = "sq-primary-1" // 130802
	schoolB  = "sq-kg-2"      // 130802
	schoolC  = "sl-middle-1"  // 130803
)

func testRegistry() *devices.Registry {
	reg := &devices.Registry{
		Regions: []devices.Region{{Code: regionSQ, Name: "双桥区"}, {Code: regionSL, Name: "双滦区"}},
		Schools: []devices.School{
			{
				ID: schoolA, Name: "双桥第一小学", Region: regionSQ, Type: devices.SchoolPrimary, Pupils: 800, Boarders: 40,
				Address: "承德市双桥区示例路1号",
				Windows: devices.Windows{
					Gate:  []devices.Window{{Name: "morning", Start: devices.Clock(7, 0), End: devices.Clock(8, 0)}},
					Peaks: []devices.Window{{Start: devices.Clock(7, 20), End: devices.Clock(7, 50)}},
					Meals: []devices.Window{{Name: "lunch", Start: devices.Clock(11, 30), End: devices.Clock(12, 30)}},
				},
				Posts:    []devices.Post{{ID: "guardroom", Name: "门卫室"}, {ID: "main-gate", Name: "正门护学岗", MinStaff: 2}},
				Kitchens: []devices.Kitchen{{ID: "main", Name: "食堂"}},
				Guards:   []devices.Guard{{ID: "g-secret-1", License: "LIC-SECRET-1"}, {ID: "g-secret-2"}},
				Devices: []devices.Device{
					{ID: "alarm-a1", Kind: devices.KindAlarm, Location: "传达室"},
					{ID: "gate-a1", Kind: devices.KindAccess, Location: "north gate", Gate: "north"},
					{ID: "cam-a1", Kind: devices.KindKitchenCam, Kitchen: "main", Heartbeat: devices.Duration(30 * time.Second)},
				},
			},
			{ID: schoolB, Name: "双桥第二幼儿园", Region: regionSQ, Type: devices.SchoolKindergarten, Pupils: 200},
			{ID: schoolC, Name: "双滦实验中学", Region: regionSL, Type: devices.SchoolSecondary, Pupils: 1500},
		},
	}
	reg.Index()
	return reg
}

// Viewers of the tests, by name; the test middleware picks one by the
// X-Test-Viewer header.
var viewers = map[string]Viewer{
	"admin":       {Name: "admin", Role: RoleAdmin},
	"police":      {Name: "police", Role: RolePolice, Audiences: []alerting.Audience{alerting.Police}},
	"police-sq":   {Name: "police-sq", Role: RolePolice, Regions: []string{regionSQ}, Audiences: []alerting.Audience{alerting.Police}},
	"police-sl":   {Name: "police-sl", Role: RolePolice, Regions: []string{regionSL}, Audiences: []alerting.Audience{alerting.Police}},
	"edu-sq":      {Name: "edu-sq", Role: RoleEducation, Regions: []string{regionSQ}, Audiences: []alerting.Audience{alerting.Education}},
	"market":      {Name: "market", Role: RoleMarket, Audiences: []alerting.Audience{alerting.Market}},
	"school-a":    {Name: "school-a", Role: RoleSchool, Regions: []string{regionSQ}, Schools: []string{schoolA}, Audiences: []alerting.Audience{alerting.SchoolAud}},
	"no-audience": {Name: "no-audience", Role: RolePolice},
	"invalid":     {Name: "invalid", Role: "mayor"},
}

// testAuth stands in for the auth middleware of a later issue.
func testAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name := r.Header.Get("X-Test-Viewer"); name != "" {
			v, ok := viewers[name]
			if !ok {
				panic("no test viewer " + name)
			}
			r = r.WithContext(WithViewer(r.Context(), v))
		}
		next.ServeHTTP(w, r)
	})
}

// fakeCompliance serves a fixed report for whatever date is asked and
// remembers the dates asked.
type fakeCompliance struct {
	mu    sync.Mutex
	rep   compliance.Report
	asked []devices.Date
}

func (f *fakeCompliance) Day(d devices.Date) compliance.Report {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, d)
	rep := f.rep
	rep.Date = d
	rep.Schools = slices.Clone(f.rep.Schools)
	for i := range rep.Schools {
		rep.Schools[i].Date = d
	}
	return rep
}

func (f *fakeCompliance) School(id string, d devices.Date) (compliance.SchoolDay, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, d)
	for _, sd := range f.rep.Schools {
		if sd.School == id {
			sd.Date = d
			return sd, true
		}
	}
	return compliance.SchoolDay{}, false
}

func testReport() compliance.Report {
	ok := map[compliance.Measure]compliance.Result{compliance.ClosedCampus: {Applicable: true, OK: true, Value: 1}}
	bad := map[compliance.Measure]compliance.Result{compliance.ClosedCampus: {Applicable: true, Value: 0.5, DetailZH: "门禁离线", DetailEN: "gate offline"}}
	return compliance.Report{
		Schools: []compliance.SchoolDay{
			{School: schoolA, Region: regionSQ, Measures: ok, FourHundred: true},
			{School: schoolB, Region: regionSQ, Measures: bad},
			{School: schoolC, Region: regionSL, Measures: ok},
		},
		Regions: []compliance.RegionRollup{
			{Region: regionSQ, Name: "双桥区", Schools: 2, Rates: map[compliance.Measure]float64{compliance.ClosedCampus: 0.5}, FourHundredRate: 0.5},
			{Region: regionSL, Name: "双滦区", Schools: 1, Rates: map[compliance.Measure]float64{compliance.ClosedCampus: 1}},
		},
		City: compliance.RegionRollup{Region: "130800", Name: "承德市", Schools: 3, FourHundredRate: 1.0 / 3},
	}
}

type env struct {
	t     *testing.T
	clock *fakeClock
	reg   *devices.Registry
	m     *lifecycle.Manager
	comp  *fakeCompliance
	api   *API
	prom  *prometheus.Registry
	h     http.Handler
}

// newEnv builds an API on a real lifecycle.Manager (memory store, fake
// clock) whose changes feed the API's stream, a fake compliance store,
// the test registry and an admin default viewer; mod may change the
// options.
func newEnv(t *testing.T, mod func(*Options)) *env {
	t.Helper()
	e := &env{t: t, clock: &fakeClock{t: t0}, reg: testRegistry(), comp: &fakeCompliance{rep: testReport()}, prom: prometheus.NewRegistry()}
	m, err := lifecycle.Open(lifecycle.Options{
		Store:     lifecycle.NewMemStore(),
		Clock:     e.clock,
		StartedAt: t0.Add(-time.Hour),
		OnChange:  func(c lifecycle.Change) { e.api.Publish(c) },
		Region: func(school string) string {
			if s, ok := e.reg.School(school); ok {
				return s.Region
			}
			return ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	admin := viewers["admin"]
	opts := Options{
		Registry:      func() *devices.Registry { return e.reg },
		Alerts:        m,
		Compliance:    e.comp,
		Clock:         e.clock.Now,
		DefaultViewer: &admin,
		Logger:        zerolog.Nop(),
		Registerer:    e.prom,
	}
	if mod != nil {
		mod(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.api = a
	e.h = testAuth(a.Handler())
	return e
}

// fire raises (or repeats) the alert of rule at school on subject.
func (e *env) fire(rule alerting.RuleID, school, subject string) alerting.Alert {
	e.t.Helper()
	info, _ := alerting.Info(rule)
	e.m.Apply(alerting.Condition{Rule: rule, School: school, Subject: subject, Device: subject, Severity: info.Severity,
		Firing: true, MessageZH: info.TitleZH, MessageEN: info.TitleEN})
	for _, a := range e.m.List(lifecycle.Filter{Rules: []alerting.RuleID{rule}, Schools: []string{school}}) {
		if a.Subject == subject && a.Open() {
			return a
		}
	}
	e.t.Fatalf("no open alert %s/%s/%s", rule, school, subject)
	return alerting.Alert{}
}

// seeded is the alert set most tests start from (ids by short name).
type seeded struct {
	panicA, kitchenA, forcedC, unlicensedB, repeatC alerting.Alert
}

// seed fires, ten minutes apart: alarm_panic at A (police, education,
// school), kitchen_violation at A (market, school), gate_forced at C
// (police, school), guard_unlicensed at B (education), kitchen_repeat at C
// (market).
func (e *env) seed() seeded {
	var s seeded
	s.panicA = e.fire(alerting.AlarmPanic, schoolA, "alarm-a1")
	e.clock.Add(10 * time.Minute)
	s.kitchenA = e.fire(alerting.KitchenViolation, schoolA, "cam-a1")
	e.clock.Add(10 * time.Minute)
	s.forcedC = e.fire(alerting.GateForced, schoolC, "gate-c1")
	e.clock.Add(10 * time.Minute)
	s.unlicensedB = e.fire(alerting.GuardUnlicensed, schoolB, "g-x")
	e.clock.Add(10 * time.Minute)
	s.repeatC = e.fire(alerting.KitchenRepeat, schoolC, "main")
	return s
}

// do serves one request as viewer ("" for none) and returns the recorder.
func (e *env) do(method, path, viewer, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if viewer != "" {
		req.Header.Set("X-Test-Viewer", viewer)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// decode unmarshals rec's body into v, checking the status first.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// errorOf checks rec is an error answer of status and code and returns it.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	got := decode[apiError](t, rec, status)
	if got.Body.Code != code {
		t.Fatalf("error code %q, want %q: %s", got.Body.Code, code, rec.Body)
	}
	if got.Body.MessageZH == "" || got.Body.MessageEN == "" {
		t.Fatalf("error without both messages: %s", rec.Body)
	}
	return got.Body
}

// rulesOf returns the rules of alerts, sorted.
func rulesOf(alerts []alerting.Alert) []string {
	out := make([]string, 0, len(alerts))
	for _, a := range alerts {
		out = append(out, string(a.Rule))
	}
	slices.Sort(out)
	return out
}

// rulesOfViews returns the rules of alert views, sorted.
func rulesOfViews(views []alertView) []string {
	out := make([]alerting.Alert, len(views))
	for i := range views {
		out[i] = views[i].Alert
	}
	return rulesOf(out)
}

// actorOf returns the actor of the test viewer name; an administrator for
// a name that is no test viewer.
func actorOf(name string) alerting.Actor {
	if v, ok := viewers[name]; ok {
		return v.Actor()
	}
	return alerting.Actor{Name: name, Admin: true}
}
