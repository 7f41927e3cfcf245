package notify

import (
	"context"
	"time"
)

// backoff yields jittered, exponentially growing delays between attempts:
// after failed attempt n (from 0) it waits a random time in [base/2, base],
// base = min(max, min·2ⁿ). A receiver's Retry-After raises the delay.
type backoff struct {
	min, max time.Duration
	attempt  int
	rand     func() float64 // in [0, 1)
}

// next returns the delay before the next attempt and counts the attempt;
// floor (a Retry-After) is honoured even beyond max.
func (b *backoff) next(floor time.Duration) time.Duration {
	base := b.max
	if b.attempt < 32 && b.min<<b.attempt < b.max && b.min<<b.attempt > 0 {
		base = b.min << b.attempt
	}
	b.attempt++
	d := base/2 + time.Duration(b.rand()*float64(base-base/2))
	return max(d, floor)
}

// waitFunc blocks for d or until ctx ends, returning ctx.Err() then. Tests
// inject one that returns at once; the Dispatcher's own waits on its Clock.
type waitFunc func(ctx context.Context, d time.Duration) error
