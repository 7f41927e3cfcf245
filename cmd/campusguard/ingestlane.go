package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/mqtt"
	"github.com/campusguard/campusguard/ingest/spool"
)

// ingestSessions is the ingest pipeline and the MQTT sessions that feed it:
// main for everything but alarm events, alarm (the alarm lane, nil with
// --mqtt-single-session) for campus/+/+/alarm/+/event. Both share one
// pipeline, so one dedup tracker and one in-flight set cover both: an
// event that reaches both sessions is evaluated and stored once.
type ingestSessions struct {
	main, alarm *mqtt.Subscriber
}

// newIngest builds the pipeline and its sessions; run starts them.
func newIngest(ctx context.Context, c *runConfig, brokerURL string, dec ingest.Decoder, sp *spool.Spool,
	sink ingest.Sink, now func() time.Time, log zerolog.Logger, promReg prometheus.Registerer) (*ingestSessions, error) {
	tracker := dedup.New(c.DedupWindow, now)
	// The tracker keeps sequence numbers by device index: it must know the
	// registry the decoder uses now, to notice a reload (SIGHUP) at once.
	if d, ok := dec.(*decode.Decoder); ok {
		if live, ok := d.Registry().(interface{ Load() *devices.Registry }); ok {
			tracker.UseRegistry(live.Load)
		}
	}
	pipe, err := ingest.NewPipeline(ctx, ingest.PipelineOptions{
		Decoder: dec,
		Dedup:   tracker,
		Spool:   sp,
		Sink:    sink,
		Logger:  log,
		Metrics: ingest.NewMetrics(promReg),
	})
	if err != nil {
		return nil, err
	}
	mo := mqtt.Defaults()
	mo.Broker, mo.ClientID, mo.Username, mo.Password = brokerURL, c.MQTTClientID, c.MQTTUser, mqtt.Secret(c.MQTTPassword)
	mo.Topics = c.MQTTTopics
	mo.CAFile, mo.CertFile, mo.KeyFile, mo.InsecureSkipVerify = c.MQTTCAFile, c.MQTTCertFile, c.MQTTKeyFile, c.MQTTInsecure
	mo.Logger, mo.Registerer = log, promReg

	s := &ingestSessions{}
	if !c.MQTTSingleSession {
		mainTopics, alarmTopics := mqtt.SplitAlarmLane(c.MQTTTopics)
		// Filters that match alarm events only leave nothing to
		// separate them from: one session then.
		if len(alarmTopics) > 0 && len(mainTopics) > 0 {
			ao := mo
			ao.Topics, ao.Session = alarmTopics, "alarm"
			ao.ClientID = c.MQTTAlarmClientID
			if ao.ClientID == "" {
				ao.ClientID = c.MQTTClientID + "-alarm"
			}
			if s.alarm, err = mqtt.New(ao, pipe.Handle); err != nil {
				return nil, err
			}
			mo.Topics = mainTopics
		}
	}
	if s.main, err = mqtt.New(mo, pipe.Handle); err != nil {
		return nil, err
	}
	log.Info().Strs("main_topics", mo.Topics).Bool("alarm_lane", s.alarm != nil).Msg("ingest sessions")
	return s, nil
}

// run starts the sessions on g.
func (s *ingestSessions) run(ctx context.Context, g *errgroup.Group) {
	g.Go(func() error { return s.main.Run(ctx) })
	if s.alarm != nil {
		g.Go(func() error { return s.alarm.Run(ctx) })
	}
}

// connected reports whether every session is subscribed.
func (s *ingestSessions) connected() bool {
	return s.main.Connected() && (s.alarm == nil || s.alarm.Connected())
}
