package auth

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// DefaultAuditQueue is the default capacity of an AuditQueue.
const DefaultAuditQueue = 4096

// ContextAuditor records an audit event, giving up when ctx ends.
type ContextAuditor interface {
	AuditContext(ctx context.Context, e AuditEvent)
}

// AuditQueue hands audit events to a slower auditor (the InfluxDB
// writer's spool, which blocks while it is full) on a goroutine of its
// own, so that recording an event never holds up the login, acknowledgement
// or resolution that caused it. Its queue is bounded: an event that finds
// it full is dropped from this auditor, counted in
// campusguard_auth_audit_dropped_total and warned about (rate-limited).
// Put a LogAuditor beside it in Auditors: the log still gets every event.
type AuditQueue struct {
	next    ContextAuditor
	ch      chan AuditEvent
	dropped prometheus.Counter
	warn    zerolog.Logger // sampled: one warning a minute while events are dropped
}

// NewAuditQueue builds a queue of size events in front of next (size 0:
// DefaultAuditQueue) and registers its metrics with reg (nil: none). It
// starts nothing: Run drains it.
func NewAuditQueue(next ContextAuditor, size int, log zerolog.Logger, reg prometheus.Registerer) (*AuditQueue, error) {
	if size <= 0 {
		size = DefaultAuditQueue
	}
	q := &AuditQueue{
		next: next,
		ch:   make(chan AuditEvent, size),
		warn: log.With().Str("component", "dashboards.auth.audit").Logger().
			Sample(&zerolog.BurstSampler{Burst: 1, Period: time.Minute}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "auth", Name: "audit_dropped_total",
			Help: "Audit events not stored in InfluxDB because the audit queue was full (the log still has them)."}),
	}
	length := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "campusguard", Subsystem: "auth", Name: "audit_queue_length",
		Help: "Audit events waiting to be handed to the InfluxDB writer."}, func() float64 { return float64(len(q.ch)) })
	if reg != nil {
		for _, c := range []prometheus.Collector{q.dropped, length} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return q, nil
}

// Audit implements Auditor; it never blocks.
func (q *AuditQueue) Audit(e AuditEvent) {
	select {
	case q.ch <- e:
		return
	default:
	}
	q.dropped.Inc()
	q.warn.Warn().Int("queue", cap(q.ch)).Msg("audit queue full: audit events are dropped from InfluxDB (the log keeps them)")
}

// Run hands the queued events to the next auditor until ctx ends.
func (q *AuditQueue) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-q.ch:
			q.next.AuditContext(ctx, e)
		}
	}
}
