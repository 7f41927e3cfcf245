package ingest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/lineproto"
	"github.com/campusguard/campusguard/ingest/mqtt"
	"github.com/campusguard/campusguard/ingest/spool"
)

// Appender is the durable queue the pipeline writes to; *spool.Spool
// satisfies it. done(nil) means the record is on disk. rec is lent until
// done is called (the spool copies it at once): the pipeline then reuses
// the buffer for a later message. done is called exactly once per Append.
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
//
// The event is lent for the call only: the pipeline reuses the Event's
// memory for a later message once Accept returns, so a sink that keeps the
// event keeps a copy (*ev), as the alerting engine does. The strings and
// the Values slice the event refers to are never reused and may be kept.
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
	inflight map[eventKey]*flight

	// flights recycles the per-message state (see flight).
	flights sync.Pool
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

		inflight: make(map[eventKey]*flight),
	}
	p.flights.New = func() any { return newFlight(p) }
	p.reserved, _ = o.Spool.(ReservedAppender)
	return p, nil
}

// Handle is the mqtt.Handler. A rejected message is acknowledged (it can
// never become valid; it is counted and logged), a duplicate is counted and
// acknowledged (together with its original when that is still being
// appended), a good one is acknowledged only after the spool reports it
// durable. On a spool failure the message, and any duplicate of it that
// arrived meanwhile, is retried until it is stored (see complete).
//
// An Urgent event goes to the sink as soon as it is marked seen, before the
// append: evaluation never waits for the spool, while the acknowledgement
// still does. The dedup mark comes first, so a redelivery that arrives
// while the event is being stored, or later within the dedup window, is a
// duplicate and is not evaluated again; a retried append does not call the
// sink again. Handle may be called from several goroutines (one per MQTT
// session); each session's messages are handled in its order.
//
// Heartbeats are not remembered for dedup (see remembered). The per-message
// state (the event, its line-protocol record, the completion callback)
// lives in a recycled flight, so a message costs no allocation here beyond
// the decoder's.
func (p *Pipeline) Handle(msg mqtt.Message) {
	now := p.o.Now()
	p.m.received.Inc()
	f := p.flights.Get().(*flight)
	var err error
	if f.ev, err = p.o.Decoder.Decode(msg.Topic(), msg.Payload(), now); err != nil {
		p.recycle(f)
		p.reject(msg, err)
		msg.Ack()
		return
	}
	ev := &f.ev
	if msg.Retained() {
		// The broker replays retained messages (the status last will) on
		// every subscription: the last known state, stored when it was
		// first published. Pass it on as state; don't store it again.
		ev.Retained = true
		p.m.retained.Inc()
		msg.Ack()
		if p.sink != nil {
			p.sink.Accept(ev)
		}
		p.recycle(f)
		return
	}
	f.msg = msg
	if remembered(ev) {
		f.key = eventKey{ev.Device, ev.ID}
		p.mu.Lock()
		// Claim marks the pair now so an immediate redelivery is
		// recognised; complete forgets it again if the append fails.
		if !p.o.Dedup.Claim(ev.Device, ev.ID) {
			orig, inFlight := p.inflight[f.key]
			if inFlight {
				orig.dups = append(orig.dups, msg)
			}
			p.mu.Unlock()
			p.m.duplicates.Inc()
			if !inFlight {
				msg.Ack()
			}
			p.recycle(f)
			return
		}
		f.tracked = true
		p.inflight[f.key] = f
		p.mu.Unlock()
	}
	if ev.HasSeq {
		var gap int64
		if ev.Dev != nil {
			gap = p.o.Dedup.SeqGapDevice(ev.Dev, ev.Seq)
		} else {
			gap = p.o.Dedup.SeqGap(ev.Device, ev.Seq)
		}
		if gap > 0 {
			p.m.seqGaps.Add(float64(gap))
		}
	}
	f.rec = lineproto.Append(f.rec[:0], ev)
	if Urgent(ev) {
		f.urgent = true
		if p.sink != nil {
			p.sink.Accept(ev) // lent: the sink keeps a copy if anything
			p.m.early.Inc()
		}
	}
	p.append(f)
}

// remembered reports whether ev's (device, id) pair goes into the dedup
// set and the in-flight set. Heartbeats do not: dedup is there so a QoS 1
// redelivery is not acted on twice, and a heartbeat acted on twice is
// harmless (it refreshes the same device's liveness; its InfluxDB point has
// the same series and timestamp, so storing it again overwrites it with the
// same values). Leaving them out keeps the pair set to real
// events: 1,000,000 devices heartbeating every minute would otherwise put
// 10,000,000 pairs a window into it, over its cap, and push out the pairs
// of the events dedup exists for. A heartbeat redelivered while its
// original is still being stored is simply stored, and acknowledged, on
// its own.
func remembered(ev *devices.Event) bool {
	return ev.Channel != devices.ChannelHeartbeat
}

// flight is one accepted message from its decode to its completion: the
// event, its record, and the spool's done callback, bound once when the
// flight is made so an append allocates no closure. A flight goes back to
// the pool when its message is settled (acknowledged, or left for the
// broker to redeliver): by then the spool is done with rec and the sink
// with &ev (both are lent, see Appender and Sink).
type flight struct {
	p       *Pipeline
	msg     mqtt.Message
	ev      devices.Event
	key     eventKey
	rec     []byte
	attempt int
	urgent  bool           // taken to the sink before the append already
	tracked bool           // in the dedup and in-flight sets (remembered)
	dups    []mqtt.Message // redeliveries waiting for this one's outcome, under p.mu
	done    func(error)    // f.complete
	retry   func()         // f.again
}

// maxKeptRec bounds the record buffer a recycled flight keeps.
const maxKeptRec = 4 << 10

func newFlight(p *Pipeline) *flight {
	f := &flight{p: p, rec: make([]byte, 0, 256)}
	f.done, f.retry = f.complete, f.again
	return f
}

// recycle clears f and puts it back in the pool.
func (p *Pipeline) recycle(f *flight) {
	clear(f.dups)
	if cap(f.rec) > maxKeptRec {
		f.rec = make([]byte, 0, 256)
	}
	f.msg, f.ev, f.key, f.rec, f.dups = nil, devices.Event{}, eventKey{}, f.rec[:0], f.dups[:0]
	f.attempt, f.urgent, f.tracked = 0, false, false
	p.flights.Put(f)
}

// Urgent reports whether ev takes the alarm lane: evaluated before it is
// stored, and stored through the spool's reserve. Those are the alarm
// terminal's events (alarm.panic, alarm.test, alarm.trouble, alarm.link):
// rare, and the ones the police wait for.
func Urgent(ev *devices.Event) bool {
	return ev.Kind == devices.KindAlarm && ev.Channel == devices.ChannelEvent
}

// skewOf says which way an alarm message's clock was off when decode
// replaced its ts with the receive time (DeviceTS set), for the
// campusguard_ingest_alarm_clock_skew_total counter.
func (m *Metrics) skewOf(ev *devices.Event) prometheus.Counter {
	switch {
	case ev.DeviceTS.IsZero():
		return nil
	case ev.DeviceTS.After(ev.TS):
		return m.skewFuture
	}
	return m.skewPast
}

// append puts f's record in the spool; complete runs when it is durable or
// has failed.
func (p *Pipeline) append(f *flight) {
	if f.urgent && p.reserved != nil {
		p.reserved.AppendReserved(p.ctx, f.rec, f.done)
		return
	}
	p.o.Spool.Append(p.ctx, f.rec, f.done)
}

// again is the scheduled retry of a failed append.
func (f *flight) again() {
	f.attempt++
	f.p.append(f)
}

// complete is the spool's done callback. On success it acknowledges the
// message and the duplicates that waited for it. A failed append (a disk
// error) is retried with backoff for as long as the pipeline lives: the
// broker redelivers an unacknowledged message only after a reconnect, so
// giving up would stall the session once its in-flight window filled with
// failures. Only when the pipeline stops are the message and its
// duplicates left unacknowledged, and the id forgotten, for the broker to
// redeliver.
func (f *flight) complete(err error) {
	p := f.p
	if err != nil {
		p.m.spoolErrors.Inc()
		if p.rl.Allow() {
			p.log.Error().Err(err).Str("topic", f.msg.Topic()).Int("attempt", f.attempt+1).
				Msg("spool append failed, message not acknowledged yet")
		}
		if p.ctx.Err() == nil && !errors.Is(err, spool.ErrClosed) && !errors.Is(err, spool.ErrTooLarge) {
			p.o.ScheduleRetry(f.attempt, f.retry)
			return
		}
	}
	var dups []mqtt.Message
	if f.tracked {
		p.mu.Lock()
		delete(p.inflight, f.key)
		dups = f.dups
		if err != nil {
			p.o.Dedup.Forget(f.key.device, f.key.id)
		}
		p.mu.Unlock()
	}
	if err != nil {
		p.recycle(f) // the duplicates stay unacknowledged with the original
		return
	}
	f.msg.Ack()
	for _, d := range dups {
		d.Ack()
	}
	ev := &f.ev
	p.m.acceptedFor(ev.Kind).Inc()
	if c := p.m.skewOf(ev); c != nil {
		c.Inc()
	}
	p.m.lag.Observe(p.o.Now().Sub(ev.TS).Seconds())
	if !f.urgent && p.sink != nil {
		p.sink.Accept(ev)
	}
	p.recycle(f)
}

// retryBackoff is 100 ms, 200 ms, ... up to 5 s.
func retryBackoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << min(attempt, 6)
	return min(d, 5*time.Second)
}

func (p *Pipeline) reject(msg mqtt.Message, err error) {
	reason := decode.ReasonOf(err)
	p.m.rejectedFor(reason).Inc()
	if p.rl.Allow() {
		p.log.Warn().Err(err).Str("topic", msg.Topic()).Str("reason", string(reason)).
			Int("bytes", len(msg.Payload())).Msg("message rejected")
	}
}
