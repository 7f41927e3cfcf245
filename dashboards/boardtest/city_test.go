package boardtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/service"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/dashboards/web"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// password is every test user's password.
const password = "campusguard-board-test"

// start is the default start of a test: Wednesday 2 December 2026, a
// school day, 10:00 in Chengde (between the morning peak and lunch).
var start = time.Date(2026, 12, 2, 10, 0, 0, 0, devices.Location())

// cityOptions shape a test city. The zero value is the full demo city at
// start.
type cityOptions struct {
	Schools int       // generated schools; 0: the full 1,594
	Now     time.Time // the fake clock's start; zero: start
}

// city is a running campusguard without its ingest side: the registry,
// the alerting service (engine, rule modules, lifecycle on a memory
// store, compliance) on a fake clock, and the HTTP API, login and pages
// on a loopback port.
type city struct {
	t     *testing.T
	URL   string // http://127.0.0.1:port
	Reg   *devices.Registry
	Svc   *service.Service
	Clock *fakeClock
	API   *api.API
	Users map[string]user // by name: admin, police, police-shuangqiao, education, market, school
	// School is the school of the "school" user (in 双桥区, 130802).
	School *devices.School

	historyMu sync.Mutex
	history   int // records the service handed to its history appender
}

// user is a test account and the board it lands on after login.
type user struct {
	auth.User
	Board string
}

// newCity builds and starts a test city; it stops when the test ends.
func newCity(t *testing.T, o cityOptions) *city {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = start
	}
	reg := devices.Generate(devices.GenerateOptions{Seed: 1, Schools: o.Schools})
	if err := reg.Validate(); err != nil {
		t.Fatalf("generated registry: %v", err)
	}
	c := &city{t: t, Reg: reg, Clock: &fakeClock{t: o.Now}}
	c.School = firstSchool(t, reg, "130802")
	c.Users = testUsers(c.School.ID)

	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel) // not the weak-hash warnings of the test users
	prom := prometheus.NewRegistry()
	svc, err := service.New(service.Options{
		Registry: reg, Store: lifecycle.NewMemStore(), History: c,
		Clock: c.Clock, ManualClock: true,
		Logger: log, Registerer: prom,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Svc = svc
	users, err := auth.Load(writeUsers(t, c.Users), reg)
	if err != nil {
		t.Fatal(err)
	}
	au, err := auth.New(auth.Options{Users: users, InsecureCookies: true, Clock: time.Now, Logger: log, Registerer: prom,
		// Many logins from one loopback address in a test: no lockout.
		MaxFailuresPerUser: 1000, MaxFailuresPerIP: 1000})
	if err != nil {
		t.Fatal(err)
	}
	c.API, err = api.New(api.Options{Registry: svc.Registry, Alerts: svc.Manager(), Compliance: svc.Compliance(),
		AlarmTests: svc.AlarmTests(), Clock: c.Clock.Now, RequireViewer: true, Logger: log, Registerer: prom})
	if err != nil {
		t.Fatal(err)
	}
	w, err := web.New(web.Options{Logger: log, Clock: c.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	svc.Subscribe(c.API.Publish)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	srv := httptest.NewServer(handler(au, c.API, w))
	c.URL = srv.URL
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("alerting service: %v", err)
		}
		_ = svc.Close()
	})
	select {
	case <-svc.Engine().Started():
	case err := <-done:
		t.Fatalf("alerting service stopped at start: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("alerting service not started within a minute")
	}
	return c
}

// Append is the service's history appender: the test keeps a count only
// (InfluxDB's side has its own integration tests).
func (c *city) Append(_ context.Context, _ []byte, done func(error)) {
	c.historyMu.Lock()
	c.history++
	c.historyMu.Unlock()
	done(nil)
}

// firstSchool returns the registry's first school in region.
func firstSchool(t testing.TB, reg *devices.Registry, region string) *devices.School {
	t.Helper()
	for i := range reg.Schools {
		if reg.Schools[i].Region == region {
			return &reg.Schools[i]
		}
	}
	t.Fatalf("no school in region %s", region)
	return nil
}

// testUsers are one account of every role; the county police and the
// school see their own county or school only.
func testUsers(school string) map[string]user {
	us := []user{
		{auth.User{Name: "admin", Role: api.RoleAdmin}, "/board/police"},
		{auth.User{Name: "police", Role: api.RolePolice}, "/board/police"},
		{auth.User{Name: "police-shuangqiao", Role: api.RolePolice, Regions: []string{"130802"}}, "/board/police"},
		{auth.User{Name: "education", Role: api.RoleEducation}, "/board/education"},
		{auth.User{Name: "market", Role: api.RoleMarket}, "/board/market"},
		{auth.User{Name: "school", Role: api.RoleSchool, Regions: []string{"130802"}, Schools: []string{school}}, "/board/school"},
	}
	m := make(map[string]user, len(us))
	for _, u := range us {
		m[u.Name] = u
	}
	return m
}

// writeUsers writes users.yaml with every user's password set to
// password (browsertest.WriteUsers).
func writeUsers(t testing.TB, users map[string]user) string {
	t.Helper()
	list := make([]auth.User, 0, len(users))
	for _, u := range users {
		list = append(list, u.User)
	}
	return browsertest.WriteUsers(t, password, list)
}

// handler is the HTTP handler chain of `campusguard run`
// (cmd/campusguard/httpserver.go) without health and metrics: login and
// session, API, pages, all behind the login / API-token middleware.
func handler(au *auth.Auth, a *api.API, w *web.Web) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /login", au.LoginHandler())
	mux.Handle("POST /logout", au.LogoutHandler())
	mux.Handle("GET /api/v1/session", au.SessionHandler())
	mux.Handle("/api/v1/", a.Handler())
	mux.Handle("/", w.Handler())
	return au.Middleware(mux)
}

// fakeClock is the city's clock; Advance moves it and the engine.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d and lets the engine see the new time.
func (c *city) Advance(d time.Duration) {
	c.Clock.mu.Lock()
	c.Clock.t = c.Clock.t.Add(d)
	now := c.Clock.t
	c.Clock.mu.Unlock()
	c.Svc.Engine().Advance(now)
	c.Svc.Manager().Tick(now)
}

// Accept hands device events to the engine, as the ingest path does after
// a message is stored, and waits until the service has handled them.
func (c *city) Accept(evs ...*devices.Event) {
	c.t.Helper()
	for _, ev := range evs {
		c.Svc.Engine().Accept(ev)
	}
	c.Settle()
}

// Event is an event of device d at the fake clock's time, as the decoder
// makes it from a device message (no fields beyond the type).
func (c *city) Event(d *devices.Device, typ, id string) *devices.Event {
	sch := c.schoolOf(d.ID)
	now := c.Clock.Now()
	return &devices.Event{Region: sch.Region, School: sch.ID, Kind: d.Kind, Device: d.ID, ID: id, Type: typ,
		TS: now, Received: now}
}

// schoolOf returns the school of device id.
func (c *city) schoolOf(id string) *devices.School {
	c.t.Helper()
	for i := range c.Reg.Schools {
		for _, d := range c.Reg.Schools[i].Devices {
			if d.ID == id {
				return &c.Reg.Schools[i]
			}
		}
	}
	c.t.Fatalf("no device %s", id)
	return nil
}

// deviceOf returns the first device of kind at school s.
func deviceOf(t testing.TB, s *devices.School, kind devices.Kind) *devices.Device {
	t.Helper()
	for i := range s.Devices {
		if s.Devices[i].Kind == kind {
			return &s.Devices[i]
		}
	}
	t.Fatalf("school %s has no %s device", s.ID, kind)
	return nil
}

// Settle waits until the engine and the service have handled everything
// handed to them (conditions applied, changes published).
func (c *city) Settle() {
	c.t.Helper()
	c.Svc.Engine().Flush()
	eventually(c.t, "alerting service idle", func() (bool, string) {
		return c.Svc.Idle(), "busy"
	})
}

// Fire opens (or repeats) an alert of rule at school directly through the
// lifecycle, bypassing the rule modules: for seeding thousands of alerts
// quickly. subject defaults to device. It returns the alert as stored.
func (c *city) Fire(rule alerting.RuleID, school, subject, device string) alerting.Alert {
	c.t.Helper()
	info, ok := alerting.Info(rule)
	if !ok {
		c.t.Fatalf("no rule %s in the catalogue", rule)
	}
	if subject == "" {
		subject = device
	}
	sch, ok := c.Reg.School(school)
	if !ok {
		c.t.Fatalf("no school %s", school)
	}
	m := c.Svc.Manager()
	m.Apply(alerting.Condition{Rule: rule, Region: sch.Region, School: school, Subject: subject, Device: device,
		Severity: info.Severity, Firing: true, At: c.Clock.Now(),
		MessageZH: info.TitleZH + "：" + sch.Name, MessageEN: info.TitleEN + ": " + sch.Name})
	for _, a := range m.List(lifecycle.Filter{Rules: []alerting.RuleID{rule}, Schools: []string{school}}) {
		if a.Subject == subject && a.Open() {
			return a
		}
	}
	c.t.Fatalf("fire %s at %s/%s: no open alert", rule, school, subject)
	return alerting.Alert{}
}

// eventually polls cond every 20 ms until it holds, for up to a minute
// (a generous deadline: the machine is shared; a passing run never waits
// it out).
func eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within a minute (last: %s)", what, state)
		}
		<-tick.C
	}
}
