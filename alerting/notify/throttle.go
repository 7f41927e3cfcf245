package notify

import (
	"sync"
	"time"
)

// throttle lets one log line through per period and counts the rest, so a
// dead receiver retried for hours, or a flood of queue overflows, logs a
// line a period instead of one per event.
type throttle struct {
	mu         sync.Mutex
	every      time.Duration
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many lines it held back since
// the last one it let through.
func (t *throttle) allow(now time.Time) (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.last.IsZero() && now.Sub(t.last) < t.every {
		t.suppressed++
		return false, 0
	}
	n := t.suppressed
	t.last, t.suppressed = now, 0
	return true, n
}
