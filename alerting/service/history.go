package service

import (
	"bytes"
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// HistoryAppender stores history records (InfluxDB line protocol): the
// ingest spool in production. Append calls done once the record is
// durable or refused; it may block (a full spool), and must return when
// ctx ends. The service calls it only from the history lane.
type HistoryAppender interface {
	Append(ctx context.Context, rec []byte, done func(error))
}

// historyLane is the bounded queue and goroutine in front of the
// HistoryAppender: push never blocks, a full queue drops and counts.
type historyLane struct {
	app     HistoryAppender
	q       chan []byte
	dropped prometheus.Counter
	log     zerolog.Logger // sampled: a full spool must not flood the log
}

func newHistoryLane(app HistoryAppender, size int, log zerolog.Logger, reg prometheus.Registerer) *historyLane {
	h := &historyLane{
		app: app,
		q:   make(chan []byte, size),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "alerting",
			Name: "history_dropped_total",
			Help: "Alert history and compliance records dropped because the history queue was full (the store is slow or full)."}),
		log: log.Sample(&zerolog.BurstSampler{Burst: 5, Period: time.Minute}),
	}
	if reg != nil {
		reg.MustRegister(h.dropped)
	}
	return h
}

// push queues rec for storage without blocking.
func (h *historyLane) push(rec []byte) {
	select {
	case h.q <- rec:
	default:
		h.dropped.Inc()
		h.log.Warn().Int("queue", cap(h.q)).Msg("history queue full: record dropped")
	}
}

// run stores queued records one after the other until ctx ends; ctx is
// handed to the appender so a blocked append ends at shutdown.
func (h *historyLane) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case rec := <-h.q:
			h.app.Append(ctx, rec, func(err error) {
				if err != nil && ctx.Err() == nil {
					h.log.Error().Err(err).Msg("alert history not stored")
				}
			})
		}
	}
}

// chunkLines splits line protocol into records of at most max bytes (a
// spool record is bounded), cutting only between lines.
func chunkLines(b []byte, max int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		if len(b) <= max {
			return append(out, b)
		}
		cut := bytes.LastIndexByte(b[:max], '\n')
		if cut < 0 {
			cut = bytes.IndexByte(b, '\n')
			if cut < 0 {
				return append(out, b)
			}
		}
		out = append(out, b[:cut+1])
		b = b[cut+1:]
	}
	return out
}
