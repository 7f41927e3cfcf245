package ingest

import (
	"context"
	"errors"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/lineproto"
	"github.com/campusguard/campusguard/ingest/mqtt"
)

// Appender is the durable queue the pipeline writes to; *spool.Spool
// satisfies it. done(nil) means the record is on disk.
type Appender interface {
	Append(ctx context.Context, rec []byte, done func(error))
}

// Sink receives every accepted event once it is durable, in per-device
// order. It must not block (the alerting engine queues internally).
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
	Logger  zerolog.Logger
	Metrics *Metrics
}

// Pipeline handles each MQTT message: decode, dedupe, encode, spool, ack.
type Pipeline struct {
	o    PipelineOptions
	log  zerolog.Logger
	rl   *rateLimiter
	ctx  context.Context
	m    *Metrics
	sink Sink
}

// NewPipeline returns a Pipeline; ctx bounds waits on a full spool.
func NewPipeline(ctx context.Context, o PipelineOptions) (*Pipeline, error) {
	if o.Decoder == nil || o.Dedup == nil || o.Spool == nil || o.Metrics == nil {
		return nil, errors.New("ingest: pipeline needs decoder, dedup, spool and metrics")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Pipeline{
		o:    o,
		log:  o.Logger.With().Str("component", "ingest").Logger(),
		rl:   newRateLimiter(10, time.Second, o.Now),
		ctx:  ctx,
		m:    o.Metrics,
		sink: o.Sink,
	}, nil
}

// Handle is the mqtt.Handler. A rejected message is acknowledged (it can
// never become valid; it is counted and logged), a duplicate is
// acknowledged and counted, a good one is acknowledged only after the
// spool reports it durable. On a spool failure the message is left
// unacknowledged so the broker redelivers it after reconnect.
func (p *Pipeline) Handle(msg mqtt.Message) {
	now := p.o.Now()
	p.m.received.Inc()
	ev, err := p.o.Decoder.Decode(msg.Topic(), msg.Payload(), now)
	if err != nil {
		p.reject(msg, err)
		msg.Ack()
		return
	}
	if p.o.Dedup.Seen(ev.Device, ev.ID) {
		p.m.duplicates.Inc()
		msg.Ack()
		return
	}
	// Mark now so an immediate redelivery is recognised; forgotten again
	// if the append fails.
	p.o.Dedup.Mark(ev.Device, ev.ID)
	if ev.HasSeq {
		if gap := p.o.Dedup.SeqGap(ev.Device, ev.Seq); gap > 0 {
			p.m.seqGaps.Add(float64(gap))
		}
	}
	rec := lineproto.Append(make([]byte, 0, 256), &ev)
	evp := &ev
	p.o.Spool.Append(p.ctx, rec, func(err error) {
		if err != nil {
			p.o.Dedup.Forget(evp.Device, evp.ID)
			p.m.spoolErrors.Inc()
			if p.rl.Allow() {
				p.log.Error().Err(err).Str("topic", msg.Topic()).Msg("spool append failed, message left unacknowledged")
			}
			return
		}
		msg.Ack()
		p.m.accepted.WithLabelValues(string(evp.Kind)).Inc()
		p.m.lag.Observe(p.o.Now().Sub(evp.TS).Seconds())
		if p.sink != nil {
			p.sink.Accept(evp)
		}
	})
}

func (p *Pipeline) reject(msg mqtt.Message, err error) {
	reason := decode.ReasonOf(err)
	p.m.rejected.WithLabelValues(string(reason)).Inc()
	if p.rl.Allow() {
		p.log.Warn().Err(err).Str("topic", msg.Topic()).Str("reason", string(reason)).
			Int("bytes", len(msg.Payload())).Msg("message rejected")
	}
}
