package auth

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Values of the result label of campusguard_auth_logins_total.
const (
	resultOK          = "ok"
	resultFailed      = "failed"
	resultRateLimited = "rate_limited"
	resultBusy        = "busy" // every password check slot taken
)

type metrics struct {
	logins      *prometheus.CounterVec
	sessions    prometheus.GaugeFunc
	rateLimited prometheus.Counter
	checks      prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, liveSessions func() float64) (*metrics, error) {
	const ns, sub = "campusguard", "auth"
	m := &metrics{
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "logins_total",
			Help: "Password logins, by result (ok, failed, rate_limited, busy)."}, []string{"result"}),
		sessions: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "sessions",
			Help: "Login sessions that have not expired."}, liveSessions),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rate_limited_total",
			Help: "Login attempts refused with 429 before their password was checked: too many recent failures for the user name at that address or for the address, or every password check slot taken."}),
		checks: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "password_checks_total",
			Help: "Passwords compared against their bcrypt hash at login."}),
	}
	for _, r := range []string{resultOK, resultFailed, resultRateLimited, resultBusy} {
		m.logins.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.logins, m.sessions, m.rateLimited, m.checks} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
