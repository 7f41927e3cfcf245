package auth

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Values of the result label of campusguard_auth_logins_total.
const (
	resultOK          = "ok"
	resultFailed      = "failed"
	resultRateLimited = "rate_limited"
)

type metrics struct {
	logins      *prometheus.CounterVec
	sessions    prometheus.GaugeFunc
	rateLimited prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, liveSessions func() float64) (*metrics, error) {
	const ns, sub = "campusguard", "auth"
	m := &metrics{
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "logins_total",
			Help: "Password logins, by result (ok, failed, rate_limited)."}, []string{"result"}),
		sessions: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "sessions",
			Help: "Login sessions that have not expired."}, liveSessions),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rate_limited_total",
			Help: "Login attempts refused with 429 because of too many recent failures for the user name or client address."}),
	}
	for _, r := range []string{resultOK, resultFailed, resultRateLimited} {
		m.logins.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.logins, m.sessions, m.rateLimited} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
