package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// BenchmarkPanicLatency measures the time from publishing an alarm.panic
// to receiving its alert on campus/alerts/# — through real Mosquitto,
// campusguard's ingest (spool fsync included), the engine, the lifecycle
// (bbolt fsync included) and the MQTT notifier — over at least 1,000
// presses while a background publisher sends 5,000 other events per
// second. Run: make bench, or
//
//	go test -run '^$' -bench PanicLatency -benchtime 1x ./cmd/campusguard/
func BenchmarkPanicLatency(b *testing.B) { benchPanicLatency(b, false) }

// BenchmarkPanicLatencySpoolFull is BenchmarkPanicLatency with InfluxDB
// down and the spool full (issue 7 item 2): the 5,000 heartbeats/s queue
// at the broker for the main session, which waits for spool space, while
// each panic takes the alarm lane (its own MQTT session, evaluation before
// storage, the spool's alarm reserve). Run:
//
//	go test -run '^$' -bench PanicLatencySpoolFull -benchtime 1x ./cmd/campusguard/
func BenchmarkPanicLatencySpoolFull(b *testing.B) { benchPanicLatency(b, true) }

func benchPanicLatency(b *testing.B, spoolFull bool) {
	mq := testenv.Mosquitto(b)
	db := testenv.Influx(b)
	reg, regPath := testRegistry(b, 120)
	c := baseConfig(b, regPath, mq.URL(), db.URL(), db.Bucket())
	// The batching a production run has: the spool's group-commit wait and the
	// InfluxDB writer's flush interval, at the run command's defaults.
	var defaults runConfig
	registerRunFlags(flag.NewFlagSet("defaults", flag.ContinueOnError), &defaults)
	c.SpoolCommitDelay, c.InfluxFlushInterval = defaults.SpoolCommitDelay, defaults.InfluxFlushInterval
	if spoolFull {
		c.spoolSegmentBytes, c.SpoolMaxBytes, c.SpoolAlarmReserveBytes = 64<<10, 256<<10, 16<<20
		db.Stop(b)
	}
	a := startApp(b, c)
	alerts := subscribeAlerts(b, mq.URL(), "latency-watch")

	var alarms, others []*devices.Device
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			d := &reg.Schools[i].Devices[j]
			if d.Kind == devices.KindAlarm {
				alarms = append(alarms, d)
			} else {
				others = append(others, d)
			}
		}
	}
	// Background load: 5,000 heartbeats per second over 4 connections.
	bg, err := sim.NewMQTTPublisher(mq.URL(), 4, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := bg.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	defer bg.Close()
	var sent atomic.Int64
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for k := 0; k < 50; k++ { // 50 per 10 ms = 5,000/s
				d := others[n%len(others)]
				n++
				p := fmt.Sprintf(`{"id":"bg-%d","ts":%q}`, n, time.Now().Format(time.RFC3339Nano))
				if bg.Publish(ctx, topicOf(d, devices.ChannelHeartbeat), 1, false, []byte(p)) == nil {
					sent.Add(1)
				}
			}
		}
	}()

	if spoolFull {
		eventually(b, 60*time.Second, "the spool full, intake waiting", func() (bool, string) {
			v := promSum(b, a.promReg, "campusguard_spool_full_waits_total")
			return v >= 1, fmt.Sprintf("full waits %v, spool %+v", v, a.spool.Stats())
		})
	}

	presses := max(b.N, 1000)
	pub := newPublisher(b, mq.URL(), "latency-pub")
	lat := make([]time.Duration, 0, presses)
	loadStart, sent0 := time.Now(), sent.Load()
	b.ResetTimer()
	for i := 0; i < presses; i++ {
		d := alarms[i%len(alarms)]
		id := fmt.Sprintf("lat-%d", i)
		t0 := time.Now()
		if err := pub.publish([]sample{{topic: topicOf(d, devices.ChannelEvent), payload: panicPayload(id, t0)}}); err != nil {
			b.Fatal(err)
		}
		m := waitAlert(b, alerts, 30*time.Second, "panic alert", func(m alertMsg) bool {
			return m.Rule == "alarm_panic" && m.Event == "fired" && m.Device == d.ID
		})
		lat = append(lat, time.Since(t0))
		// Close it so the next press of this terminal is a new alert.
		if _, err := a.alerting.Manager().Close(m.ID, alerting.Actor{Name: "bench", Admin: true}, "benchmark"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	rate := float64(sent.Load()-sent0) / time.Since(loadStart).Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.5), "p50_ms")
	b.ReportMetric(p(0.99), "p99_ms")
	b.ReportMetric(p(1), "max_ms")
	b.ReportMetric(rate, "background_events/s")
	b.ReportMetric(float64(len(lat)), "presses")
	if spoolFull {
		if v := promSum(b, a.promReg, "campusguard_spool_full_waits_total"); v < 1 {
			b.Fatalf("the spool was never full (full waits %v)", v)
		}
		b.ReportMetric(float64(a.spool.Stats().Bytes), "spool_bytes")
	}
}
