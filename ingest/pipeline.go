package ingest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/lineproto"
	"github.com/campusguard/campusguard/ingest/mqtt"
	"github.com/campusguard/campusguard/ingest/spool"
)

// Appender is the durable queue the pipeline writes to; *spool.Spool
// satisfies it. done(nil) means the record is on disk.
type Appender interface {
	Append(ctx context.Context, rec []byte, done func(error))
}

// ReservedAppender is an Appender with room set aside for urgent records
// (*spool.Spool with ReserveBytes): the pipeline stores alarm events through
// AppendReserved so they are not held up by a spool full of heartbeats.
type ReservedAppender interface {
	Appender
	AppendReserved(ctx context.Context, rec []byte, done func(error))
}

// Sink receives every accepted event, in per-device order: an alarm event
// (kind alarm, channel event) as soon as it is decoded and found new, before
// it is stored (see Urgent); every other event once it is durable. It must
// not block (the alerting engine queues internally) and must not modify the
// event.
type Sink interface {
	Accept(ev *devices.Event)
}

// Decoder turns a topic and payload into an Event; *decode.Decoder
// satisfies it.
type Decoder interface {
	Decode(topic string, payload []byte, received time.Time) (devices.Event, error)
}

// PipelineOptions wire a Pipeline.
type PipelineOptions struct {
	Decoder Decoder
	Dedup   *dedup.Tracker
	Spool   Appender
	Sink    Sink // optional
	Now     func() time.Time
	// ScheduleRetry arranges for retry to run after a failed spool append
	// (attempt counts from 0). Default: time.AfterFunc with a backoff of
	// 100 ms doubling to 5 s. Tests inject their own.
	ScheduleRetry func(attempt int, retry func())
	Logger        zerolog.Logger
	Metrics       *Metrics
}

// Pipeline handles each MQTT message: decode, dedupe, encode, spool, ack.
type Pipeline struct {
	o    PipelineOptions
	log  zerolog.Logger
	rl   *rateLimiter
	ctx  context.Context
	m    *Metrics
	sink Sink

	// mu guards inflight and makes "seen?, mark, start flight" in Handle
	// atomic with "end flight, forget" in the done callback.
	mu sync.Mutex
	// reserved is the spool's urgent path, or nil when it has none.
	reserved ReservedAppender

	// inflight holds, for each event whose append has not finished, the
	// duplicates that arrived meanwhile. They share the original's
	// outcome: a broker redelivery carries the same packet id, so
	// acknowledging it before the original is durable would release the
	// broker's only copy of an event the spool may still fail to store.
	inflight map[eventKey][]mqtt.Message
}

// eventKey identifies an event for the in-flight set.
type eventKey struct{ device, id string }

// NewPipeline returns a Pipeline; ctx bounds waits on a full spool.
func NewPipeline(ctx context.Context, o PipelineOptions) (*Pipeline, error) {
	if o.Decoder == nil || o.Dedup == nil || o.Spool == nil || o.Metrics == nil {
		return nil, errors.New("ingest: pipeline needs decoder, dedup, spool and metrics")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ScheduleRetry == nil {
		o.ScheduleRetry = func(attempt int, retry func()) { time.AfterFunc(retryBackoff(attempt), retry) }
	}
	p := &Pipeline{
		o:    o,
		log:  o.Logger.With().Str("component", "ingest").Logger(),
		rl:   newRateLimiter(10, time.Second, o.Now),
		ctx:  ctx,
		m:    o.Metrics,
		sink: o.Sink,

		inflight: make(map[eventKey][]mqtt.Message),
	}
	p.reserved, _ = o.Spool.(ReservedAppender)
	return p, nil
}

// Urgent reports whether ev takes the alarm lane: evaluated before it is
// stored, and stored through the spool's reserve. Those are the alarm
// terminal's events (alarm.panic, alarm.test, alarm.trouble, alarm.link):
// rare, and the ones the police wait for.
func Urgent(ev *devices.Event) bool {
	return ev.Kind == devices.KindAlarm && ev.Channel == devices.ChannelEvent
}

// Handle is the mqtt.Handler. A rejected message is acknowledged (it can
// never become valid; it is counted and logged), a duplicate is counted and
// acknowledged (together with its original when that is still being
// appended), a good one is acknowledged only after the spool reports it
// durable. On a spool failure the message, and any duplicate of it that
// arrived meanwhile, is retried until it is stored (see append).
//
// An Urgent event goes to the sink as soon as it is marked seen, before the
// append: evaluation never waits for the spool, while the acknowledgement
// still does. The dedup mark comes first, so a redelivery that arrives
// while the event is being stored, or later within the dedup window, is a
// duplicate and is not evaluated again; a retried append does not call the
// sink again. Handle may be called from several goroutines (one per MQTT
// session); each session's messages are handled in its order.
func (p *Pipeline) Handle(msg mqtt.Message) {
	now := p.o.Now()
	p.m.received.Inc()
	ev, err := p.o.Decoder.Decode(msg.Topic(), msg.Payload(), now)
	if err != nil {
		p.reject(msg, err)
		msg.Ack()
		return
	}
	evp := &ev
	if msg.Retained() {
		// The broker replays retained messages (the status last will) on
		// every subscription: the last known state, stored when it was
		// first published. Pass it on as state; don't store it again.
		ev.Retained = true
		p.m.retained.Inc()
		msg.Ack()
		if p.sink != nil {
			p.sink.Accept(evp)
		}
		return
	}
	key := eventKey{ev.Device, ev.ID}
	p.mu.Lock()
	if p.o.Dedup.Seen(ev.Device, ev.ID) {
		waiters, inFlight := p.inflight[key]
		if inFlight {
			p.inflight[key] = append(waiters, msg)
		}
		p.mu.Unlock()
		p.m.duplicates.Inc()
		if !inFlight {
			msg.Ack()
		}
		return
	}
	// Mark now so an immediate redelivery is recognised; forgotten again
	// if the append fails.
	p.o.Dedup.Mark(ev.Device, ev.ID)
	p.inflight[key] = nil
	p.mu.Unlock()
	if ev.HasSeq {
		if gap := p.o.Dedup.SeqGap(ev.Device, ev.Seq); gap > 0 {
			p.m.seqGaps.Add(float64(gap))
		}
	}
	rec := lineproto.Append(make([]byte, 0, 256), evp)
	done := accepted{kind: ev.Kind, ts: ev.TS, key: key, skew: skewOf(evp)}
	if Urgent(evp) {
		done.urgent = true
		if p.sink != nil {
			p.sink.Accept(evp) // the sink owns evp from here on
			p.m.early.Inc()
		}
	} else if p.sink != nil {
		done.ev = evp
	}
	p.append(msg, done, rec, 0)
}

// accepted is what the append's completion needs of an event. An urgent
// event was given to the sink already and is not touched again.
type accepted struct {
	key    eventKey
	kind   devices.Kind
	ts     time.Time
	urgent bool
	skew   string         // "future" or "past": an alarm stamped outside the window; "" otherwise
	ev     *devices.Event // for the sink once durable; nil when urgent
}

// skewOf says which way an alarm message's clock was off when decode
// replaced its ts with the receive time (DeviceTS set), for the
// campusguard_ingest_alarm_clock_skew_total counter.
func skewOf(ev *devices.Event) string {
	switch {
	case ev.DeviceTS.IsZero():
		return ""
	case ev.DeviceTS.After(ev.TS):
		return "future"
	}
	return "past"
}

// append puts rec in the spool; on success it acknowledges msg and the
// duplicates that waited for it. A failed append (a disk error) is retried
// with backoff for as long as the pipeline lives: the broker redelivers an
// unacknowledged message only after a reconnect, so giving up would stall
// the session once its in-flight window filled with failures. Only when
// the pipeline stops are the message and its duplicates left
// unacknowledged, and the id forgotten, for the broker to redeliver.
func (p *Pipeline) append(msg mqtt.Message, a accepted, rec []byte, attempt int) {
	appendFn := p.o.Spool.Append
	if a.urgent && p.reserved != nil {
		appendFn = p.reserved.AppendReserved
	}
	appendFn(p.ctx, rec, func(err error) {
		if err != nil {
			p.m.spoolErrors.Inc()
			if p.rl.Allow() {
				p.log.Error().Err(err).Str("topic", msg.Topic()).Int("attempt", attempt+1).
					Msg("spool append failed, message not acknowledged yet")
			}
			if p.ctx.Err() == nil && !errors.Is(err, spool.ErrClosed) && !errors.Is(err, spool.ErrTooLarge) {
				p.o.ScheduleRetry(attempt, func() { p.append(msg, a, rec, attempt+1) })
				return
			}
		}
		p.mu.Lock()
		dups := p.inflight[a.key]
		delete(p.inflight, a.key)
		if err != nil {
			p.o.Dedup.Forget(a.key.device, a.key.id)
		}
		p.mu.Unlock()
		if err != nil {
			return // the duplicates stay unacknowledged with the original
		}
		msg.Ack()
		for _, d := range dups {
			d.Ack()
		}
		p.m.accepted.WithLabelValues(string(a.kind)).Inc()
		if a.skew != "" {
			p.m.clockSkew.WithLabelValues(a.skew).Inc()
		}
		p.m.lag.Observe(p.o.Now().Sub(a.ts).Seconds())
		if a.ev != nil {
			p.sink.Accept(a.ev)
		}
	})
}

// retryBackoff is 100 ms, 200 ms, ... up to 5 s.
func retryBackoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 6)
	return min(d, 5*time.Second)
}

func (p *Pipeline) reject(msg mqtt.Message, err error) {
	reason := decode.ReasonOf(err)
	p.m.rejected.WithLabelValues(string(reason)).Inc()
	if p.rl.Allow() {
		p.log.Warn().Err(err).Str("topic", msg.Topic()).Str("reason", string(reason)).
			Int("bytes", len(msg.Payload())).Msg("message rejected")
	}
}
