package influx

import (
	"time"

	"github.com/rs/zerolog"
)

// throttle lets one log line through per period and counts the rest, so a
// retry loop that spins for hours logs a line a period, not one per attempt.
type throttle struct {
	every      time.Duration
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many lines it held back since
// the last one it let through.
func (t *throttle) allow(now time.Time) (bool, int) {
	if !t.last.IsZero() && now.Sub(t.last) < t.every {
		t.suppressed++
		return false, 0
	}
	n := t.suppressed
	t.last, t.suppressed = now, 0
	return true, n
}

// reset lets the next line through at once.
func (t *throttle) reset() { *t = throttle{every: t.every} }

// retryLog logs a failure on the retry path, rate-limited: configuration
// problems at error level, the rest as warnings.
func (w *Writer) retryLog(err error, msg string) {
	ok, suppressed := w.throttle.allow(w.now())
	if !ok {
		return
	}
	lvl := zerolog.WarnLevel
	if isConfigError(err) {
		lvl = zerolog.ErrorLevel
	}
	w.log.WithLevel(lvl).Str("error", describe(err)).Int("suppressed", suppressed).
		Int("attempts", w.failing.attempts).Msg(msg)
}
