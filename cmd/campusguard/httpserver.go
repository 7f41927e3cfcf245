package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
)

// httpServer serves /metrics, /healthz, /readyz and the HTTP API of
// dashboards/api under /api/v1/, hardened against clients that hold
// connections or send endless bodies: timeouts, connection caps
// (connLimiter), a header and a body bound.
type httpServer struct {
	ln      net.Listener
	srv     *http.Server
	log     zerolog.Logger
	tls     bool
	cert    string
	key     string
	readyMu sync.Mutex
	ready   int    // last /readyz state logged: 0 unknown, 1 ready, 2 not ready
	reason  string // last not-ready reason logged
}

// HTTP bounds that are not flags.
const (
	maxHeaderBytes = 32 << 10
	// maxRequestBody bounds every request body; the handlers bound theirs
	// tighter (login 16 KiB, API JSON 64 KiB).
	maxRequestBody = 1 << 20
	streamPath     = "/api/v1/stream"
	hstsValue      = "max-age=31536000"
)

// httpOptions are the hardening settings of the server; zero values take
// the flags' defaults.
type httpOptions struct {
	readHeader, read, write, idle time.Duration
	maxConns, maxConnsPerIP       int
	trusted                       []netip.Prefix
}

func httpOptionsOf(c *runConfig) httpOptions {
	o := httpOptions{readHeader: c.HTTPReadHeaderTimeout, read: c.HTTPReadTimeout, write: c.HTTPWriteTimeout, idle: c.HTTPIdleTimeout,
		maxConns: c.HTTPMaxConns, maxConnsPerIP: c.HTTPMaxConnsPerIP, trusted: c.trustedProxies}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.readHeader, 5*time.Second)
	def(&o.read, 30*time.Second)
	def(&o.write, 60*time.Second)
	def(&o.idle, 60*time.Second)
	if o.maxConns <= 0 {
		o.maxConns = 1024
	}
	if o.maxConnsPerIP <= 0 {
		o.maxConnsPerIP = 64
	}
	return o
}

func newHTTPServer(ctx context.Context, addr string, a *app, log zerolog.Logger) (*httpServer, error) {
	o := httpOptionsOf(a.cfg)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.promReg, promhttp.HandlerOpts{Registry: a.promReg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.auth != nil {
		mux.Handle("POST /login", a.auth.LoginHandler())
		mux.Handle("POST /logout", a.auth.LogoutHandler())
		mux.Handle("GET /api/v1/session", a.auth.SessionHandler())
	}
	if a.api != nil {
		mux.Handle("/api/v1/", a.api.Handler())
	}
	if a.web != nil {
		mux.Handle("/", a.web.Handler()) // pages and /static/
	}
	var handler http.Handler = mux
	if a.auth != nil {
		handler = a.auth.Middleware(mux) // login or API token everywhere but health, metrics, /login and /static
	}
	lim, err := newConnLimiter(ln, o.maxConns, o.maxConnsPerIP, o.trusted, a.promReg)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	h := &httpServer{ln: lim, log: log.With().Str("component", "http").Logger(),
		tls: a.cfg.HTTPCertFile != "", cert: a.cfg.HTTPCertFile, key: a.cfg.HTTPKeyFile}
	h.srv = newServer(ctx, harden(handler, o.trusted), o, lim)
	return h, nil
}

// newServer is the http.Server of handler with the timeouts and bounds of
// o. BaseContext: open event streams end when campusguard stops.
func newServer(ctx context.Context, handler http.Handler, o httpOptions, lim *connLimiter) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: o.readHeader,
		ReadTimeout:       o.read,
		WriteTimeout:      o.write,
		IdleTimeout:       o.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         lim.connState,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
}

// harden wraps the whole site: HSTS over TLS (directly, or at a trusted
// proxy that says X-Forwarded-Proto: https); every request body bounded by
// maxRequestBody before anything reads it, a larger declared one refused
// with 413 unread; and the event stream (a GET without a body) freed of
// the read and write timeouts (it sets a deadline per write itself).
func harden(next http.Handler, trusted []netip.Prefix) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil || (auth.TrustedPeer(r, trusted) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")) {
			w.Header().Set("Strict-Transport-Security", hstsValue)
		}
		if r.ContentLength > maxRequestBody {
			w.Header().Set("Connection", "close")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = fmt.Fprintf(w, `{"error":{"code":"bad_body","message_zh":"请求体过大（上限 %d 字节）","message_en":"the body is too large (at most %d bytes)"}}`+"\n", maxRequestBody, maxRequestBody)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		}
		if r.Method == http.MethodGet && r.URL.Path == streamPath && r.Body == http.NoBody {
			// Only a real stream, which has no body: a body left unread
			// is drained by the server after the answer, and without the
			// read deadline a client trickling it would hold the
			// connection (active, so never evicted) for ever.
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
			// The answer may be a refusal (no login): what is left to
			// write once the handler returns gets the write timeout
			// again, or a stranger who pipelines requests and never reads
			// the answers would hold the connection for ever.
			defer func() {
				if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.WriteTimeout > 0 {
					_ = rc.SetWriteDeadline(time.Now().Add(srv.WriteTimeout))
				}
			}()
		}
		next.ServeHTTP(w, r)
	})
}

func (h *httpServer) Addr() string { return h.ln.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully.
func (h *httpServer) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() {
		if h.tls {
			errc <- h.srv.ServeTLS(h.ln, h.cert, h.key)
			return
		}
		errc <- h.srv.Serve(h.ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http: shutdown: %w", err)
	}
	return nil
}

// readiness is the JSON body of /readyz.
type readiness struct {
	Ready        bool   `json:"ready"`
	MQTT         string `json:"mqtt"`
	Influx       string `json:"influx"`
	InfluxError  string `json:"influx_error,omitempty"`
	Spool        string `json:"spool"` // "down" while its disk is full or failing (reason: log, metrics)
	SpoolRecords int64  `json:"spool_records"`
	SpoolBytes   int64  `json:"spool_bytes"`
}

// readyz answers 200 when the MQTT subscription is up, InfluxDB answers
// its ping and the spool can store (its disk is not full or failing), else
// 503; the body says which part is down and how much is waiting in the
// spool. The spool's reason is in its log and campusguard_spool_disk_*.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	st := a.spool.Stats()
	rd := readiness{MQTT: "down", Influx: "up", Spool: "up", SpoolRecords: st.Depth, SpoolBytes: st.Bytes}
	if a.ingest.connected() { // both sessions, the alarm lane included
		rd.MQTT = "up"
	}
	if err := a.writer.Ready(ctx); err != nil {
		rd.Influx, rd.InfluxError = "down", err.Error()
	}
	if a.spool.Health() != nil {
		rd.Spool = "down"
	}
	rd.Ready = rd.MQTT == "up" && rd.Influx == "up" && rd.Spool == "up"
	if a.http != nil {
		a.http.noteReadiness(rd)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !rd.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if !readinessDetails(r, a) { // no addresses or error texts for strangers
		_ = json.NewEncoder(w).Encode(struct {
			Ready bool `json:"ready"`
		}{rd.Ready})
		return
	}
	_ = json.NewEncoder(w).Encode(rd)
}

// readinessDetails reports whether r may see why campusguard is not
// ready: an admin logged in or with an API token, or anyone under
// --no-auth (where everyone is admin).
func readinessDetails(r *http.Request, a *app) bool {
	if a.auth == nil {
		return true
	}
	v, ok := api.ViewerFrom(r.Context())
	return ok && v.Role == api.RoleAdmin
}

// noteReadiness logs each change of readiness, with the reason, so that
// the details anonymous /readyz hides are in the log.
func (h *httpServer) noteReadiness(rd readiness) {
	state := 1
	reason := ""
	if !rd.Ready {
		state = 2
		reason = "mqtt " + rd.MQTT + ", influx " + rd.Influx + ", spool " + rd.Spool + ": " + rd.InfluxError
	}
	h.readyMu.Lock()
	changed := h.ready != state || h.reason != reason
	h.ready, h.reason = state, reason
	h.readyMu.Unlock()
	switch {
	case !changed:
	case rd.Ready:
		h.log.Info().Msg("ready")
	default:
		h.log.Warn().Str("mqtt", rd.MQTT).Str("influx", rd.Influx).Str("influx_error", rd.InfluxError).
			Str("spool", rd.Spool).Int64("spool_records", rd.SpoolRecords).Msg("not ready")
	}
}
