package influx

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff yields jittered, exponentially growing delays between attempts:
// attempt n waits a random time in [base/2, base], base = min(max, min·2ⁿ).
// It never gives up; reset starts it over after a success.
type backoff struct {
	min, max time.Duration
	attempt  int
	rand     func() float64 // in [0, 1); injectable for tests
}

func newBackoff(min, max time.Duration) *backoff {
	return &backoff{min: min, max: max, rand: rand.Float64}
}

// next returns the delay before the next attempt and counts the attempt.
// A positive floor (a server's Retry-After) raises the delay, up to max.
func (b *backoff) next(floor time.Duration) time.Duration {
	base := b.max
	if b.attempt < 32 && b.min<<b.attempt < b.max && b.min<<b.attempt > 0 {
		base = b.min << b.attempt
	}
	b.attempt++
	d := base/2 + time.Duration(b.rand()*float64(base-base/2))
	if floor > d {
		d = min(floor, b.max)
	}
	return d
}

func (b *backoff) reset() { b.attempt = 0 }

// waitFunc blocks for d or until ctx ends, returning ctx.Err() in the latter
// case. Writer.wait is one; tests inject one that does not sleep.
type waitFunc func(ctx context.Context, d time.Duration) error

// sleep is the real waitFunc.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
