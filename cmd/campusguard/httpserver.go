package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// httpServer serves /metrics, /healthz, /readyz and the HTTP API of
// dashboards/api under /api/v1/.
type httpServer struct {
	ln  net.Listener
	srv *http.Server
	log zerolog.Logger
}

func newHTTPServer(ctx context.Context, addr string, a *app, log zerolog.Logger) (*httpServer, error) {
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
	return &httpServer{
		ln: ln,
		// BaseContext: open event streams end when campusguard stops.
		srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }},
		log: log.With().Str("component", "http").Logger(),
	}, nil
}

func (h *httpServer) Addr() string { return h.ln.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully.
func (h *httpServer) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- h.srv.Serve(h.ln) }()
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
	if a.sub.Connected() {
		rd.MQTT = "up"
	}
	if err := a.writer.Ready(ctx); err != nil {
		rd.Influx, rd.InfluxError = "down", err.Error()
	}
	if a.spool.Health() != nil {
		rd.Spool = "down"
	}
	rd.Ready = rd.MQTT == "up" && rd.Influx == "up" && rd.Spool == "up"
	w.Header().Set("Content-Type", "application/json")
	if !rd.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rd)
}
