package ingest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/spool"
)

var (
	alarmTopic     = topicOf(devices.KindAlarm, "alarm-01", devices.ChannelEvent)
	alarmHeartbeat = topicOf(devices.KindAlarm, "alarm-01", devices.ChannelHeartbeat)
)

func panicPayload(id string) []byte {
	return []byte(`{"id":"` + id + `","ts":"` + tsText + `","type":"alarm.panic","button":"front-desk"}`)
}

// TestPipelineAlarmLane: an alarm event reaches the sink as soon as it is
// decoded, before the spool has stored it; it is acknowledged only once
// durable; a redelivery (while in flight or later) and a retried append
// never reach the sink again.
func TestPipelineAlarmLane(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome error // of the first append; a retry follows a failure
	}{
		{"stored at once", nil},
		{"disk fails, then the retry stores it", errDisk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spool.hold = true
			m := newMsg(alarmTopic, panicPayload("pa-1"))
			f.p.Handle(m)

			evs := f.sink.Events()
			if len(evs) != 1 || evs[0].Type != "alarm.panic" || evs[0].ID != "pa-1" {
				t.Fatalf("sink got %+v before the append completed, want the panic", evs)
			}
			if got := metric(t, f.reg, "campusguard_ingest_evaluated_before_storage_total"); got != 1 {
				t.Errorf("evaluated_before_storage = %v, want 1", got)
			}
			if m.Acks() != 0 {
				t.Fatal("panic acknowledged before the spool reported it durable")
			}
			again := m.redelivery()
			f.p.Handle(again)
			if again.Acks() != 0 {
				t.Fatal("redelivery acknowledged before the original was durable")
			}

			f.spool.complete(t, 0, tc.outcome)
			if tc.outcome != nil {
				if m.Acks() != 0 {
					t.Fatal("acknowledged after a failed append")
				}
				if n := f.runRetries(); n != 1 {
					t.Fatalf("%d retries scheduled, want 1", n)
				}
				f.spool.complete(t, 1, nil)
			}
			if m.Acks() != 1 || again.Acks() != 1 {
				t.Fatalf("acks: original %d, redelivery %d; want 1 each", m.Acks(), again.Acks())
			}
			if got := metric(t, f.reg, "campusguard_ingest_accepted_total", "kind", "alarm"); got != 1 {
				t.Errorf("accepted{alarm} = %v, want 1", got)
			}

			// Later in the dedup window: a duplicate, acknowledged, not evaluated.
			f.clock.Advance(dedupWindow / 2)
			late := m.redelivery()
			f.p.Handle(late)
			if late.Acks() != 1 {
				t.Errorf("late redelivery acks = %d, want 1", late.Acks())
			}
			if n := len(f.sink.Events()); n != 1 {
				t.Fatalf("sink got the panic %d times, want once", n)
			}
		})
	}
}

// TestPipelineAlarmLaneOrder: the alarm events of one device reach the
// sink in arrival order, and an alarm heartbeat (not urgent) still waits
// for storage.
func TestPipelineAlarmLaneOrder(t *testing.T) {
	f := newFixture(t)
	f.spool.hold = true
	hb := newMsg(alarmHeartbeat, []byte(`{"ts":"`+tsText+`","linked":true,"battery":87}`))
	f.p.Handle(hb)
	var ids []string
	for i := range 5 {
		id := "ord-" + strconv.Itoa(i)
		ids = append(ids, id)
		f.p.Handle(newMsg(alarmTopic, panicPayload(id)))
	}
	evs := f.sink.Events()
	if len(evs) != len(ids) {
		t.Fatalf("sink got %d events before storage, want the %d alarm events only", len(evs), len(ids))
	}
	for i, ev := range evs {
		if ev.ID != ids[i] {
			t.Fatalf("sink event %d is %s, want %s (arrival order)", i, ev.ID, ids[i])
		}
	}
	f.spool.complete(t, 0, nil)
	if evs := f.sink.Events(); len(evs) != len(ids)+1 || evs[len(ids)].Channel != devices.ChannelHeartbeat {
		t.Fatalf("heartbeat not passed on once durable: %+v", evs)
	}
}

// TestPipelineAlarmLaneFullSpool runs a real spool that is full (no reader
// drains it, as when InfluxDB is down): a heartbeat's handler waits for
// space, but a panic handled meanwhile (the alarm session's own goroutine)
// reaches the sink and, through the spool's reserve, is stored and
// acknowledged. On the old pipeline the panic waited behind the heartbeats.
func TestPipelineAlarmLaneFullSpool(t *testing.T) {
	spReg := prometheus.NewRegistry()
	sp, err := spool.Open(spool.Options{Dir: t.TempDir(), SegmentBytes: 4 << 10, MaxBytes: 16 << 10,
		ReserveBytes: 4 << 10, Registerer: spReg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- sp.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Error(err)
		}
		if err := sp.Close(); err != nil {
			t.Error(err)
		}
	})
	clock := newFakeClock()
	sink := &fakeSink{}
	p, err := NewPipeline(ctx, PipelineOptions{
		Decoder: decode.New(testRegistry(), decode.Options{Now: clock.Now}),
		Dedup:   dedup.New(dedupWindow, clock.Now),
		Spool:   sp,
		Sink:    sink,
		Now:     clock.Now,
		Logger:  zerolog.Nop(),
		Metrics: NewMetrics(prometheus.NewRegistry()),
	})
	if err != nil {
		t.Fatal(err)
	}

	// The main session: access events until the spool is full and its
	// handler blocks.
	mainDone := make(chan struct{})
	go func() {
		defer close(mainDone)
		for i := 0; ; i++ {
			m := newMsg(gateTopic, granted(fmt.Sprintf("fill-%d", i), -1))
			p.Handle(m)
			if ctx.Err() != nil {
				return
			}
		}
	}()
	waitFor(t, 30*time.Second, "the main session blocked on a full spool", func() (bool, string) {
		v := metric(t, spReg, "campusguard_spool_full_waits_total")
		return v >= 1, fmt.Sprintf("full waits %v", v)
	})

	// The alarm session: a panic.
	m := newMsg(alarmTopic, panicPayload("full-1"))
	alarmDone := make(chan struct{})
	go func() { defer close(alarmDone); p.Handle(m) }()
	waitFor(t, 30*time.Second, "the panic evaluated with the spool full", func() (bool, string) {
		n := countType(sink.Events(), "alarm.panic")
		return n == 1, fmt.Sprintf("sink has the panic %d times", n)
	})
	waitFor(t, 30*time.Second, "the panic acknowledged through the spool's reserve", func() (bool, string) {
		return m.Acks() == 1, fmt.Sprintf("acks %d", m.Acks())
	})
	<-alarmDone
	cancel() // unblocks the main session's handler
	<-mainDone
}

func countType(evs []devices.Event, typ string) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// TestAlarmClockSkewCountedOnce: a panic stamped outside the window (a
// terminal clock reset) is counted once in alarm_clock_skew_total however
// often it arrives (with the alarm lane every alarm event reaches both
// MQTT sessions), and never for a duplicate.
func TestAlarmClockSkewCountedOnce(t *testing.T) {
	f := newFixture(t)
	behind := testNow.Add(-8 * 24 * time.Hour).UnixMilli()
	ahead := testNow.Add(6 * time.Minute).UnixMilli()
	for _, p := range []string{
		`{"id":"sk-1","type":"alarm.panic","ts":` + strconv.FormatInt(behind, 10) + `}`,
		`{"id":"sk-2","type":"alarm.panic","ts":` + strconv.FormatInt(ahead, 10) + `}`,
	} {
		m := newMsg(alarmTopic, []byte(p))
		f.p.Handle(m)
		f.p.Handle(m.redelivery()) // the other session's copy
		if m.Acks() != 1 {
			t.Fatalf("%s not acknowledged", p)
		}
	}
	if got := metric(t, f.reg, "campusguard_ingest_alarm_clock_skew_total", "direction", "past"); got != 1 {
		t.Errorf("skew past = %v, want 1", got)
	}
	if got := metric(t, f.reg, "campusguard_ingest_alarm_clock_skew_total", "direction", "future"); got != 1 {
		t.Errorf("skew future = %v, want 1", got)
	}
	if got := metric(t, f.reg, "campusguard_ingest_duplicates_total"); got != 2 {
		t.Errorf("duplicates = %v, want 2", got)
	}
}
