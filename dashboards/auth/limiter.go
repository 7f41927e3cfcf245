package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// maxLimiterKeys bounds the failure records one limiter keeps, as user
// names and addresses come from the attacker.
const maxLimiterKeys = 10000

// limiter counts failed logins per key (a user name or a client address)
// in a window that starts at the first failure: max failures within it
// block further attempts until it ends.
type limiter struct {
	max    int
	window time.Duration

	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	count int
	start time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, m: map[string]*failures{}}
}

// blocked reports whether key may not try now, and for how long.
func (l *limiter) blocked(key string, now time.Time) (retryAfter time.Duration, blocked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.m[key]
	if !ok {
		return 0, false
	}
	end := f.start.Add(l.window)
	if !now.Before(end) {
		delete(l.m, key)
		return 0, false
	}
	return end.Sub(now), f.count >= l.max
}

// fail records a failure of key; it reports whether key is now blocked.
func (l *limiter) fail(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.m[key]
	if ok && !now.Before(f.start.Add(l.window)) {
		ok = false
	}
	if !ok {
		if len(l.m) >= maxLimiterKeys {
			l.evictLocked(now)
		}
		f = &failures{start: now}
		l.m[key] = f
	}
	f.count++
	return f.count >= l.max
}

// reset forgets the failures of key.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

// evictLocked drops the ended windows, or else the oldest one.
func (l *limiter) evictLocked(now time.Time) {
	var oldest string
	for k, f := range l.m {
		if !now.Before(f.start.Add(l.window)) {
			delete(l.m, k)
			continue
		}
		if oldest == "" || f.start.Before(l.m[oldest].start) {
			oldest = k
		}
	}
	if len(l.m) >= maxLimiterKeys {
		delete(l.m, oldest)
	}
}

// retrySeconds is d rounded up to whole seconds, at least 1, for
// Retry-After.
func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// clientIP returns the address the request came from: the peer, or, when
// the peer is a trusted proxy, the nearest untrusted address of
// X-Forwarded-For.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !inPrefixes(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled chain: trust no further
		}
		a = a.Unmap()
		if !inPrefixes(a, trusted) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
