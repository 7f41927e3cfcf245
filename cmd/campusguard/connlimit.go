package main

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// connLimiter is a net.Listener that caps the open HTTP connections, in
// all and per client address (IPv6: per /64), so that idle keep-alive
// connections cannot use up the process's file descriptors and lock the
// police out of the board.
//
// When a new connection would pass a cap, an idle connection (no request
// in progress) makes room: at the per-address cap the oldest idle one of
// that address, at the total cap the oldest idle one of the address that
// holds the most. Only when none is idle is the new connection closed at
// once. The http.Server must report connection states to ConnState.
type connLimiter struct {
	net.Listener
	max, perAddr int
	exempt       []netip.Prefix // trusted proxies: no per-address cap

	mu     sync.Mutex
	conns  map[*limitedConn]struct{}
	perKey map[string]int

	open    prometheus.GaugeFunc
	refused *prometheus.CounterVec // reason: total, per_address
	evicted prometheus.Counter
}

// limitedConn is a connection the limiter counts.
type limitedConn struct {
	net.Conn
	l     *connLimiter
	key   string
	idle  bool      // guarded by l.mu: no request in progress
	since time.Time // guarded by l.mu: when it last became idle
	once  sync.Once
}

func newConnLimiter(ln net.Listener, max, perAddr int, exempt []netip.Prefix, reg prometheus.Registerer) (*connLimiter, error) {
	l := &connLimiter{Listener: ln, max: max, perAddr: perAddr, exempt: exempt,
		conns: map[*limitedConn]struct{}{}, perKey: map[string]int{}}
	const ns, sub = "campusguard", "http"
	l.open = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "connections",
		Help: "Open HTTP connections."}, func() float64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		return float64(len(l.conns))
	})
	l.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "connections_refused_total",
		Help: "HTTP connections closed at accept because a cap was reached and no idle connection could make room, by cap (total, per_address)."}, []string{"reason"})
	l.evicted = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "connections_evicted_total",
		Help: "Idle HTTP connections closed to make room for a new one at a cap."})
	for _, r := range []string{"total", "per_address"} {
		l.refused.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{l.open, l.refused, l.evicted} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

// Accept returns the next connection within the caps; connections over a
// cap are closed here and never reach the server.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if lc := l.admit(c); lc != nil {
			return lc, nil
		}
	}
}

// admit counts c in, closing idle connections to make room; nil when c
// was refused (and closed).
func (l *connLimiter) admit(c net.Conn) *limitedConn {
	key, exempt := l.keyOf(c.RemoteAddr())
	lc := &limitedConn{Conn: c, l: l, key: key, idle: true, since: time.Now()}
	var victims []*limitedConn
	refuse := ""
	l.mu.Lock()
	if !exempt && l.perKey[key] >= l.perAddr {
		if v := l.idlestLocked(key); v != nil {
			victims = append(victims, v)
			l.forgetLocked(v)
		} else {
			refuse = "per_address"
		}
	}
	if refuse == "" && len(l.conns) >= l.max {
		if v := l.idlestLocked(""); v != nil {
			victims = append(victims, v)
			l.forgetLocked(v)
		} else {
			refuse = "total"
		}
	}
	if refuse == "" {
		l.conns[lc] = struct{}{}
		l.perKey[key]++
	}
	l.mu.Unlock()
	for _, v := range victims {
		l.evicted.Inc()
		_ = v.Conn.Close()
	}
	if refuse != "" {
		l.refused.WithLabelValues(refuse).Inc()
		_ = c.Close()
		return nil
	}
	return lc
}

// keyOf is the per-address key of addr and whether it is exempt.
func (l *connLimiter) keyOf(addr net.Addr) (key string, exempt bool) {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return addr.String(), false
	}
	a := ap.Addr().Unmap()
	for _, p := range l.exempt {
		if p.Contains(a) {
			exempt = true
		}
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String(), exempt
	}
	return a.String(), exempt
}

// idlestLocked returns the oldest idle connection of key, or with key ""
// of the address holding the most connections; nil when none is idle.
func (l *connLimiter) idlestLocked(key string) *limitedConn {
	var best *limitedConn
	for c := range l.conns {
		if !c.idle || (key != "" && c.key != key) {
			continue
		}
		if best == nil {
			best = c
			continue
		}
		nc, nb := l.perKey[c.key], l.perKey[best.key]
		if nc > nb || (nc == nb && c.since.Before(best.since)) {
			best = c
		}
	}
	return best
}

func (l *connLimiter) forgetLocked(c *limitedConn) {
	if _, ok := l.conns[c]; !ok {
		return
	}
	delete(l.conns, c)
	if l.perKey[c.key]--; l.perKey[c.key] <= 0 {
		delete(l.perKey, c.key)
	}
}

// connState follows the server's view of each connection: idle between
// requests, gone when closed or hijacked.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok { // TLS
		c = u.NetConn()
	}
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch s {
	case http.StateNew, http.StateIdle:
		if !lc.idle {
			lc.idle, lc.since = true, time.Now()
		}
	case http.StateActive:
		lc.idle = false
	case http.StateHijacked, http.StateClosed:
		l.forgetLocked(lc)
	}
}

// Close closes the connection and counts it out.
func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.forgetLocked(c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
