package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/dashboards/httpgzip"
	"github.com/campusguard/campusguard/devices"
)

// Alerts is what the API needs of the alert lifecycle; *lifecycle.Manager
// satisfies it.
type Alerts interface {
	List(lifecycle.Filter) []alerting.Alert
	Get(id string) (alerting.Alert, bool)
	Ack(id string, who alerting.Actor, note string) (alerting.Alert, error)
	Report(id string, who alerting.Actor, note, evidence string) (alerting.Alert, error)
	Close(id string, who alerting.Actor, note string) (alerting.Alert, error)
	Return(id string, who alerting.Actor, note string) (alerting.Alert, error)
	AddSilenceAs(lifecycle.Silence, lifecycle.Silencer) (lifecycle.Silence, error)
	ExpireSilenceAs(id string, by lifecycle.Silencer) error
	Silences(activeOnly bool) []lifecycle.Silence
}

// Compliance is what the API needs of the compliance records;
// *compliance.Store satisfies it.
type Compliance interface {
	Day(devices.Date) compliance.Report
	School(id string, date devices.Date) (compliance.SchoolDay, bool)
}

// Options configure an API. Registry, Alerts and Compliance are required.
type Options struct {
	// Registry returns the current registry (it changes on reload); a nil
	// result answers 503 where the registry is needed.
	Registry   func() *devices.Registry
	Alerts     Alerts
	Compliance Compliance
	// AlarmTests are the alarm test windows; nil answers 503 on their
	// routes.
	AlarmTests AlarmTests
	// Clock defaults to time.Now; "today" is its date in Asia/Shanghai.
	Clock func() time.Time
	// DefaultViewer is who a request without a Viewer in its context
	// acts as. TEMPORARY: until the login/API-token middleware exists, cmd
	// passes an all-seeing admin here. Nil: such requests get 401.
	DefaultViewer *Viewer
	// RequireViewer makes a request without a Viewer in its context get
	// 401 even when DefaultViewer is set.
	RequireViewer bool

	Logger     zerolog.Logger
	Registerer prometheus.Registerer
}

// Validate checks opts and fills in the defaults.
func (o *Options) Validate() error {
	switch {
	case o.Registry == nil:
		return errors.New("api: options: registry is required")
	case o.Alerts == nil:
		return errors.New("api: options: alerts is required")
	case o.Compliance == nil:
		return errors.New("api: options: compliance is required")
	}
	if o.DefaultViewer != nil {
		if err := o.DefaultViewer.Validate(); err != nil {
			return errors.New("api: options: default viewer: " + err.Error())
		}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return nil
}

// API serves /api/v1/. Build it with New; it is safe for concurrent use.
type API struct {
	opts    Options
	log     zerolog.Logger
	metrics *metrics
	hub     *hub
	mux     *http.ServeMux
	handler http.Handler

	// Stream knobs; tests change them before serving.
	pingEvery  time.Duration
	newTicker  func(time.Duration) (<-chan time.Time, func())
	clientBuf  int           // per-client queue of changes
	writeLimit time.Duration // a stream write that takes longer ends the stream
}

// New builds an API from opts. It starts nothing.
func New(opts Options) (*API, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer, routes)
	if err != nil {
		return nil, err
	}
	a := &API{
		opts:       opts,
		log:        opts.Logger.With().Str("component", "dashboards.api").Logger(),
		metrics:    m,
		hub:        newHub(),
		pingEvery:  15 * time.Second,
		newTicker:  realTicker,
		clientBuf:  256,
		writeLimit: 10 * time.Second,
	}
	a.mux = http.NewServeMux()
	handlers := map[string]viewerHandler{
		routeAlerts:        a.listAlerts,
		routeAlert:         a.getAlert,
		routeAck:           a.ackAlert,
		routeReport:        a.reportAlert,
		routeClose:         a.closeAlert,
		routeResolve:       a.closeAlert, // alias of close
		routeReturn:        a.returnAlert,
		routeCompliance:    a.complianceDay,
		routeComplianceSch: a.complianceSchool,
		routeSchool:        a.school,
		routeSchools:       a.listSchools,
		routeSilences:      a.listSilences,
		routeSilenceCreate: a.createSilence,
		routeSilenceExpire: a.expireSilence,
		routeStream:        a.stream,

		routeAlarmTests:      a.listAlarmTests,
		routeAlarmTestCreate: a.createAlarmTest,
		routeAlarmTestDelete: a.deleteAlarmTest,

		routeTrend:            a.complianceTrend,
		routeExport:           a.complianceExport,
		routeKitchenReport:    a.kitchenReport,
		routeKitchenReportCSV: a.kitchenReportCSV,
	}
	for _, p := range routes {
		a.mux.Handle(p, a.withViewer(handlers[p]))
	}
	// Browsers' cross-site POST and DELETE are refused before any login
	// cookie could make them count (non-browser clients are unaffected).
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, newError(http.StatusForbidden, codeForbidden, "拒绝跨站请求", "cross-origin request denied"))
	}))
	// Large answers are gzipped for clients that accept it; the event
	// stream passes through uncompressed and unbuffered.
	a.handler = httpgzip.Handler(a.count(cop.Handler(a.stamp(http.HandlerFunc(a.serve)))))
	return a, nil
}

// The routes, as ServeMux patterns; they are also the route label of the
// request metric.
const (
	routeAlerts        = "GET /api/v1/alerts"
	routeAlert         = "GET /api/v1/alerts/{id}"
	routeAck           = "POST /api/v1/alerts/{id}/ack"
	routeReport        = "POST /api/v1/alerts/{id}/report"
	routeClose         = "POST /api/v1/alerts/{id}/close"
	routeResolve       = "POST /api/v1/alerts/{id}/resolve" // alias of close
	routeReturn        = "POST /api/v1/alerts/{id}/return"
	routeCompliance    = "GET /api/v1/compliance"
	routeComplianceSch = "GET /api/v1/compliance/schools/{id}"
	routeSchool        = "GET /api/v1/schools/{id}"
	routeSilences      = "GET /api/v1/silences"
	routeSilenceCreate = "POST /api/v1/silences"
	routeSilenceExpire = "DELETE /api/v1/silences/{id}"
	routeStream        = "GET /api/v1/stream"

	routeAlarmTests      = "GET /api/v1/alarm-tests"
	routeAlarmTestCreate = "POST /api/v1/alarm-tests"
	routeAlarmTestDelete = "DELETE /api/v1/alarm-tests/{id}"
	routeUnmatched       = "unmatched"
)

var routes = []string{routeAlerts, routeAlert, routeAck, routeReport, routeClose, routeResolve, routeReturn, routeCompliance, routeComplianceSch,
	routeSchool, routeSchools, routeSilences, routeSilenceCreate, routeSilenceExpire, routeStream,
	routeTrend, routeExport, routeKitchenReport, routeKitchenReportCSV,
	routeAlarmTests, routeAlarmTestCreate, routeAlarmTestDelete}

// Handler returns the handler of every route under /api/v1/. Mount it at
// "/api/v1/" behind the auth middleware; set the http.Server's
// BaseContext to the run context so that streams end on shutdown.
func (a *API) Handler() http.Handler { return a.handler }

// viewerHandler is a route's handler, called with the resolved Viewer.
type viewerHandler func(w http.ResponseWriter, r *http.Request, v Viewer)

// withViewer resolves the Viewer of r: the one a middleware set, else the
// DefaultViewer unless RequireViewer; no viewer is 401, an invalid one 403.
func (a *API) withViewer(h viewerHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := ViewerFrom(r.Context())
		if !ok {
			if a.opts.RequireViewer || a.opts.DefaultViewer == nil {
				writeError(w, errUnauthenticated)
				return
			}
			v = *a.opts.DefaultViewer
		}
		if err := v.Validate(); err != nil {
			a.log.Warn().Err(err).Str("viewer", v.Name).Msg("invalid viewer refused")
			writeError(w, newError(http.StatusForbidden, codeForbidden, "账号权限配置无效", "the account's permissions are invalid"))
			return
		}
		h(w, r, v)
	})
}

// route returns the route pattern r matches, or routeUnmatched.
func (a *API) route(r *http.Request) string {
	if _, pattern := a.mux.Handler(r); slices.Contains(routes, pattern) {
		return pattern
	}
	return routeUnmatched
}

// serve routes r, answering JSON errors instead of ServeMux's plain-text
// 404 and 405.
// TimeHeader carries the API's clock on every answer, in milliseconds
// since the epoch: the pages keep "today", ages and response clocks on
// the server's time (common.js CG.now), not on the screen's own clock.
const TimeHeader = "X-Campusguard-Time"

// stamp sets TimeHeader on every answer.
func (a *API) stamp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(TimeHeader, strconv.FormatInt(a.opts.Clock().UnixMilli(), 10))
		next.ServeHTTP(w, r)
	})
}

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	if a.route(r) != routeUnmatched {
		a.mux.ServeHTTP(w, r)
		return
	}
	// No route of ours: ServeMux answers 405 (with Allow) or 404.
	cw := &captureWriter{h: http.Header{}}
	a.mux.ServeHTTP(cw, r)
	if cw.code == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", cw.h.Get("Allow"))
		writeError(w, newError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "该接口不支持此方法", "method not allowed on this route"))
		return
	}
	writeError(w, newError(http.StatusNotFound, codeNotFound, "没有这个接口", "no such route"))
}

// captureWriter keeps the status and headers ServeMux's own 404 and 405
// handlers write, and drops their plain-text body.
type captureWriter struct {
	h    http.Header
	code int
}

func (c *captureWriter) Header() http.Header { return c.h }
func (c *captureWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}

// today returns the current local date (Asia/Shanghai).
func (a *API) today() devices.Date {
	return devices.DateOf(a.opts.Clock().In(devices.Location()))
}

// registry returns the current registry or the 503 to answer.
func (a *API) registry() (*devices.Registry, *apiError) {
	if reg := a.opts.Registry(); reg != nil {
		return reg, nil
	}
	return nil, errNoRegistry
}

// internal logs err and answers 500.
func (a *API) internal(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error().Err(err).Str("method", r.Method).Str("path", r.URL.Path).Msg("request failed")
	writeError(w, errInternal)
}
