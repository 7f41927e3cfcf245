package main

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/ingest"
)

// errHistoryDropped is reported to a history record's done func when the
// queue was full.
var errHistoryDropped = errors.New("alert history queue full, record dropped")

// historyQueue puts alert history and compliance rows into the spool
// without making the caller wait for a full spool: the alert fan-out
// appends here and goes on to notify. A bounded queue; when it is full the
// record is dropped and counted (the alert itself is in the alert store).
//
// Stop-gap for issue 7 item 2 in cmd: the alerting service (item 1) owns
// this in the alerting tree; drop this file when that is merged.
type historyQueue struct {
	spool   ingest.Appender
	q       chan historyRecord
	dropped prometheus.Counter
}

type historyRecord struct {
	rec  []byte
	done func(error)
}

func newHistoryQueue(sp ingest.Appender, size int, reg prometheus.Registerer) *historyQueue {
	h := &historyQueue{
		spool: sp,
		q:     make(chan historyRecord, size),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "alerting",
			Name: "history_dropped_total", Help: "Alert history and compliance records dropped because the spool was full for too long."}),
	}
	reg.MustRegister(h.dropped)
	return h
}

// Append queues rec, or drops it when the queue is full; it never blocks.
func (h *historyQueue) Append(_ context.Context, rec []byte, done func(error)) {
	select {
	case h.q <- historyRecord{rec, done}:
	default:
		h.dropped.Inc()
		if done != nil {
			done(errHistoryDropped)
		}
	}
}

// run moves queued records into the spool, in order, until ctx ends.
func (h *historyQueue) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case r := <-h.q:
			h.spool.Append(ctx, r.rec, r.done)
		}
	}
}
