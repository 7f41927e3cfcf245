package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/devices"
)

func TestOptionsValidate(t *testing.T) {
	e := newEnv(t, nil)
	good := func() Options {
		return Options{Registry: func() *devices.Registry { return e.reg }, Alerts: e.m, Compliance: e.comp}
	}
	bad := viewers["invalid"]
	tests := []struct {
		name string
		mod  func(*Options)
		want string // "" when valid
	}{
		{"valid", func(*Options) {}, ""},
		{"no registry", func(o *Options) { o.Registry = nil }, "registry is required"},
		{"no alerts", func(o *Options) { o.Alerts = nil }, "alerts is required"},
		{"no compliance", func(o *Options) { o.Compliance = nil }, "compliance is required"},
		{"bad default viewer", func(o *Options) { o.DefaultViewer = &bad }, "role must be one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good()
			tt.mod(&o)
			_, err := New(o)
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestViewerResolution(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Options)
		viewer  string
		status  int
		code    string
		wantLen int // alerts listed on success
	}{
		{"default viewer stands in", nil, "", http.StatusOK, "", 5},
		{"context viewer wins", nil, "market", http.StatusOK, "", 2},
		{"no default viewer", func(o *Options) { o.DefaultViewer = nil }, "", http.StatusUnauthorized, codeUnauthenticated, 0},
		{"viewer required", func(o *Options) { o.RequireViewer = true }, "", http.StatusUnauthorized, codeUnauthenticated, 0},
		{"viewer required and given", func(o *Options) { o.RequireViewer = true }, "police", http.StatusOK, "", 2},
		{"invalid viewer", nil, "invalid", http.StatusForbidden, codeForbidden, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.mod)
			e.seed()
			rec := e.do("GET", "/api/v1/alerts", tt.viewer, "")
			if tt.code != "" {
				errorOf(t, rec, tt.status, tt.code)
				if tt.status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				return
			}
			if got := decode[alertList](t, rec, tt.status); got.Count != tt.wantLen {
				t.Fatalf("%d alerts, want %d", got.Count, tt.wantLen)
			}
		})
	}
	// Every route needs a viewer, the stream included.
	e := newEnv(t, func(o *Options) { o.RequireViewer = true })
	for _, p := range routes {
		method, path, _ := strings.Cut(p, " ")
		path = strings.ReplaceAll(path, "{id}", "x")
		errorOf(t, e.do(method, path, "", ""), http.StatusUnauthorized, codeUnauthenticated)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, nil)
	errorOf(t, e.do("GET", "/api/v1/nope", "admin", ""), http.StatusNotFound, codeNotFound)
	rec := e.do("PUT", "/api/v1/alerts", "admin", "")
	errorOf(t, rec, http.StatusMethodNotAllowed, codeMethodNotAllowed)
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") {
		t.Fatalf("Allow %q", allow)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	r := httptest.NewRequest("POST", "/api/v1/alerts/"+s.panicA.ID+"/ack", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	errorOf(t, rec, http.StatusForbidden, codeForbidden)
	// Reads stay open to other origins' tools (they still need a viewer).
	r = httptest.NewRequest("GET", "/api/v1/alerts", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	decode[alertList](t, rec, http.StatusOK)
}

func TestRequestMetrics(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	e.do("GET", "/api/v1/alerts", "admin", "")
	e.do("GET", "/api/v1/alerts/"+s.panicA.ID, "admin", "")
	e.do("GET", "/api/v1/alerts/al-nope", "admin", "")
	e.do("GET", "/api/v1/alerts/other-nope", "admin", "")
	e.do("GET", "/api/v1/nope/"+s.panicA.ID, "admin", "")
	req := e.api.metrics.requests
	for _, c := range []struct {
		route, code string
		want        float64
	}{
		{routeAlerts, "200", 1},
		{routeAlert, "200", 1},
		{routeAlert, "404", 2}, // one series for every id
		{routeUnmatched, "404", 1},
		{routeStream, "200", 0}, // pre-created
	} {
		if got := testutil.ToFloat64(req.WithLabelValues(c.route, c.code)); got != c.want {
			t.Errorf("requests{%s,%s} = %v, want %v", c.route, c.code, got, c.want)
		}
	}
	if n, err := testutil.GatherAndCount(e.prom, "campusguard_api_requests_total"); err != nil || n != len(routes)+2 {
		t.Errorf("request series: %d (%v), want %d", n, err, len(routes)+2)
	}
	for _, name := range []string{"campusguard_api_sse_clients", "campusguard_api_sse_dropped_total"} {
		if n, err := testutil.GatherAndCount(e.prom, name); err != nil || n != 1 {
			t.Errorf("%s: %d series (%v)", name, n, err)
		}
	}
}
