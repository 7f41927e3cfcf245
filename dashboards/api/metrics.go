package api

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests   *prometheus.CounterVec
	sseClients prometheus.Gauge
	sseDropped prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, routes []string) (*metrics, error) {
	const ns, sub = "campusguard", "api"
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "requests_total",
			Help: "API requests answered, by route pattern and status code."}, []string{"route", "code"}),
		sseClients: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "sse_clients",
			Help: "Connected alert streams."}),
		sseDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "sse_dropped_total",
			Help: "Alert streams cut off because the client did not keep up with the changes."}),
	}
	for _, r := range routes {
		m.requests.WithLabelValues(r, "200")
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.sseClients, m.sseDropped} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// count counts every request by route pattern and status code.
func (a *API) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		a.metrics.requests.WithLabelValues(a.route(r), strconv.Itoa(code)).Inc()
	})
}

// statusWriter remembers the status code; Unwrap lets
// http.ResponseController reach the connection (flush, deadlines).
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
