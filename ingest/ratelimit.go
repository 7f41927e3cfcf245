package ingest

import (
	"sync"
	"time"
)

// rateLimiter allows n events per period, for hot-path log lines: a flood
// of bad messages must not flood the log.
type rateLimiter struct {
	mu     sync.Mutex
	n      int
	period time.Duration
	now    func() time.Time
	start  time.Time
	used   int
}

func newRateLimiter(n int, period time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{n: n, period: period, now: now}
}

// Allow reports whether one more event fits in the current period.
func (r *rateLimiter) Allow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.now()
	if t.Sub(r.start) >= r.period {
		r.start, r.used = t, 0
	}
	if r.used >= r.n {
		return false
	}
	r.used++
	return true
}
