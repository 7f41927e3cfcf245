package notify

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Run delivers queued notifications until ctx ends: one goroutine per
// receiver, each sending its most severe due entry first (P0 ahead of
// anything queued), within the receiver's pace, and retrying with backoff
// when the notifier asks for it. It connects receivers that are Connectors
// and closes them before returning. Run returns nil when ctx ends, after
// every goroutine it started has finished; it may be called once.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("notify: Run called twice")
	}
	var wg sync.WaitGroup
	for _, r := range d.receivers {
		wg.Go(func() { d.runReceiver(ctx, r) })
	}
	wg.Wait()
	return nil
}

// runReceiver is one receiver's goroutine.
func (d *Dispatcher) runReceiver(ctx context.Context, r *receiver) {
	if c, ok := r.notifier.(Connector); ok {
		defer c.Close()
		if err := c.Connect(ctx); err != nil && ctx.Err() == nil {
			// Deliveries fail with a retryable error until the connection is up.
			r.log.Error().Err(err).Msg("connect failed")
		}
	}
	for ctx.Err() == nil {
		// Clear the wake-up token before looking: a token at park time then
		// always means a push this look did not see.
		select {
		case <-r.q.ready1:
		default:
		}
		now := d.clock.Now()
		e, wake := r.q.next(now)
		if e != nil {
			if delay := r.pace.delay(now, e.rank == 0); delay > 0 {
				// Under the robot's limit: wait for a slot, or for a P0
				// that may use the reserve.
				if until := now.Add(delay); wake.IsZero() || until.Before(wake) {
					wake = until
				}
				e = nil
			}
		}
		if e == nil {
			d.park(ctx, r, now, wake)
			continue
		}
		r.q.take(e, now, r.group.MaxAlerts)
		if !d.attempt(ctx, r, e) {
			r.log.Info().Int("undelivered", r.q.len()+len(e.members)).Msg("stopped with notifications undelivered")
			return
		}
	}
	if n := r.q.len(); n > 0 {
		r.log.Info().Int("undelivered", n).Msg("stopped with notifications undelivered")
	}
}

// park waits for a push, for until (when not zero) on the clock, or for
// ctx to end.
func (d *Dispatcher) park(ctx context.Context, r *receiver, now, until time.Time) {
	var fire <-chan time.Time
	if !until.IsZero() {
		t := d.clock.NewTimer(until.Sub(now))
		defer t.Stop()
		fire = t.C()
	}
	if d.parked != nil {
		d.parked(r.name, until)
	}
	select {
	case <-ctx.Done():
	case <-r.q.ready1:
	case <-fire:
	}
}

// attempt delivers e once. On success, or a refusal, or the last attempt,
// it counts the result of each of its notifications; on a retryable failure
// it puts e back first among its severity and holds the receiver for the
// backoff (at least the receiver's Retry-After). It returns false when ctx
// ended first (e is then lost, not requeued).
func (d *Dispatcher) attempt(ctx context.Context, r *receiver, e *entry) bool {
	r.pace.take(d.clock.Now()) // the robots count refused attempts too
	actx, cancel := context.WithTimeout(ctx, d.opts.AttemptTimeout)
	retry, err := d.send(actx, r, e)
	cancel()
	e.attempts++
	if err == nil {
		now := d.clock.Now()
		if len(e.members) > 1 || e.total > 0 {
			r.digests.Inc()
		}
		for _, m := range e.members {
			r.sent[resultOK].Inc()
			r.delivery.Observe(now.Sub(m.queued).Seconds())
			d.settle(r, &m.n, resultOK)
		}
		if e.attempts > 1 {
			r.log.Info().Int("attempts", e.attempts).Str("alert", e.members[0].n.Alert.ID).Int("notifications", len(e.members)).Msg("delivered after retrying")
		}
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	r.failures.Inc()
	n := &e.members[0].n
	ev := func(l *zerolog.Event) *zerolog.Event {
		return l.Err(err).Str("alert", n.Alert.ID).Str("rule", string(n.Alert.Rule)).
			Str("event", n.Event).Int("notifications", len(e.members)).Int("attempts", e.attempts)
	}
	now := d.clock.Now()
	final := ""
	switch {
	case !retry:
		final = resultError
		if ok, suppressed := r.failLog.allow(now); ok {
			ev(r.log.Error()).Int("suppressed", suppressed).Msg("notification refused, not retrying")
		}
	case e.attempts >= d.opts.MaxAttempts:
		final = resultDropped
		if ok, suppressed := r.failLog.allow(now); ok {
			ev(r.log.Error()).Int("suppressed", suppressed).Msg("notification dropped after max attempts")
		}
	}
	if final != "" {
		for _, m := range e.members {
			r.sent[final].Inc()
			d.settle(r, &m.n, final)
		}
		return true
	}
	b := backoff{min: d.opts.RetryMin, max: d.opts.RetryMax, rand: d.rand, attempt: e.attempts - 1}
	delay := b.next(retryAfter(err))
	if errors.Is(err, ErrRateLimited) && r.rate.Limit > 0 {
		// The robot counted more than we did (another sender shares it, or
		// its window differs): hold off at least one slot's worth.
		delay = max(delay, r.rate.Per/time.Duration(r.rate.Limit))
	}
	if ok, suppressed := r.retryLog.allow(now); ok {
		ev(r.log.Warn()).Dur("retry_in", delay).Int("suppressed", suppressed).Msg("delivery failed, retrying")
	}
	d.shed(r, r.q.requeue(e), now)
	return d.pause(ctx, r, delay) == nil
}

// send renders e as one notification or as a digest.
func (d *Dispatcher) send(ctx context.Context, r *receiver, e *entry) (bool, error) {
	if len(e.members) == 1 && e.total == 0 {
		return r.notifier.Notify(ctx, e.members[0].n)
	}
	dg := &Digest{Notifications: make([]Notification, len(e.members)), Total: max(e.total, len(e.members)), First: e.offset + 1}
	for i, m := range e.members {
		dg.Notifications[i] = m.n
	}
	return r.notifier.(DigestNotifier).NotifyDigest(ctx, dg)
}

// pause holds the receiver for its backoff.
func (d *Dispatcher) pause(ctx context.Context, r *receiver, delay time.Duration) error {
	if d.wait != nil {
		return d.wait(ctx, delay)
	}
	t := d.clock.NewTimer(delay)
	defer t.Stop()
	if d.parked != nil {
		d.parked(r.name, d.clock.Now().Add(delay))
	}
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Dispatcher) settle(r *receiver, n *Notification, result string) {
	if d.settled != nil {
		d.settled(r.name, n, result)
	}
}
