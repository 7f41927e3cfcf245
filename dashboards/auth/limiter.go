package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// maxLimiterKeys bounds the records one limiter keeps, as user names and
// addresses come from the attacker.
const maxLimiterKeys = 10000

// limiter counts login attempts per key (a user name at an address, or an
// address) in a window that starts at the first attempt: at most max
// attempts fit in it. An attempt reserves its place before the password is
// checked, so attempts sent in parallel cannot all pass the limit; a
// failed attempt keeps its place, a successful one, or one that was never
// checked, gives it back (release or reset).
type limiter struct {
	max    int
	window time.Duration

	mu sync.Mutex
	m  map[string]*attempts
}

type attempts struct {
	count int // failures plus attempts being checked
	start time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, m: map[string]*attempts{}}
}

// reserve takes a place for an attempt of key. When max places are taken
// it takes none and reports how long until the window ends.
func (l *limiter) reserve(key string, now time.Time) (retryAfter time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, found := l.m[key]
	if found && !now.Before(f.start.Add(l.window)) {
		delete(l.m, key)
		found = false
	}
	if !found {
		if len(l.m) >= maxLimiterKeys {
			l.evictLocked(now)
		}
		f = &attempts{start: now}
		l.m[key] = f
	}
	if f.count >= l.max {
		return f.start.Add(l.window).Sub(now), false
	}
	f.count++
	return 0, true
}

// release gives back a place that reserve took for key.
func (l *limiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.m[key]; ok {
		f.count--
		if f.count <= 0 {
			delete(l.m, key)
		}
	}
}

// full reports whether key has no place left now.
func (l *limiter) full(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.m[key]
	return ok && now.Before(f.start.Add(l.window)) && f.count >= l.max
}

// reset forgets the attempts of key.
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

// addressKey is the key of a client address in the limits: the address
// itself for IPv4, its /64 network for IPv6 (one subscriber's share, which
// an attacker can rotate through freely).
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
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

// TrustedPeer reports whether r came straight from one of the trusted
// proxies, whose X-Forwarded-* headers may then be believed.
func TrustedPeer(r *http.Request, trusted []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	return err == nil && inPrefixes(peer.Unmap(), trusted)
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
