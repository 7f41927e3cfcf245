package ingest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/spool"
)

// TestPipelineWithSpool runs the pipeline against a real spool whose
// committer calls done on its own goroutine: every message is acknowledged
// exactly once, and the spool holds each event once even though a tenth of
// the messages are redeliveries, some of them of events still in flight.
func TestPipelineWithSpool(t *testing.T) {
	const unique, redeliverEvery = 2000, 10
	sp, err := spool.Open(spool.Options{Dir: t.TempDir(), SegmentBytes: 1 << 20, MaxBytes: 64 << 20})
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
	reg := prometheus.NewRegistry()
	sink := &fakeSink{}
	p, err := NewPipeline(ctx, PipelineOptions{
		Decoder: decode.New(testRegistry(), decode.Options{Now: clock.Now}),
		Dedup:   dedup.New(dedupWindow, clock.Now),
		Spool:   sp,
		Sink:    sink,
		Now:     clock.Now,
		Logger:  zerolog.Nop(),
		Metrics: NewMetrics(reg),
	})
	if err != nil {
		t.Fatal(err)
	}

	var msgs []*fakeMsg
	for i := range unique {
		m := newMsg(gateTopic, granted("ws-"+strconv.Itoa(i), i))
		msgs = append(msgs, m)
		p.Handle(m)
		if i%redeliverEvery == 0 {
			// Right behind the original (likely still in flight) or
			// further back (certainly durable).
			again := msgs[i/2].redelivery()
			msgs = append(msgs, again)
			p.Handle(again)
		}
	}

	waitFor(t, 10*time.Second, "every message acknowledged", func() (bool, string) {
		acked := 0
		for _, m := range msgs {
			acked += m.Acks()
		}
		return acked == len(msgs), strconv.Itoa(acked) + " of " + strconv.Itoa(len(msgs)) + " acks"
	})
	for _, m := range msgs {
		if m.Acks() != 1 {
			t.Fatalf("%s acknowledged %d times", m, m.Acks())
		}
	}
	if depth := sp.Stats().Depth; depth != unique {
		t.Errorf("spool depth %d, want %d unique events", depth, unique)
	}
	if n := len(sink.Events()); n != unique {
		t.Errorf("sink got %d events, want %d", n, unique)
	}
	if got := metric(t, reg, "campusguard_ingest_duplicates_total"); got != unique/redeliverEvery {
		t.Errorf("duplicates = %v, want %d", got, unique/redeliverEvery)
	}
	if got := metric(t, reg, "campusguard_ingest_seq_gaps_total"); got != 0 {
		t.Errorf("seq gaps = %v, want 0", got)
	}
}

// TestPipelineSpoolClosed checks a spool that stopped accepting (shutdown)
// leaves the message for redelivery.
func TestPipelineSpoolClosed(t *testing.T) {
	sp, err := spool.Open(spool.Options{Dir: t.TempDir(), SegmentBytes: 1 << 20, MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	clock := newFakeClock()
	p, err := NewPipeline(context.Background(), PipelineOptions{
		Decoder: decode.New(testRegistry(), decode.Options{Now: clock.Now}),
		Dedup:   dedup.New(dedupWindow, clock.Now),
		Spool:   sp,
		Now:     clock.Now,
		Metrics: NewMetrics(reg),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := newMsg(gateTopic, granted("closed-1", -1))
	p.Handle(m)
	if m.Acks() != 0 {
		t.Fatal("acknowledged a message a closed spool refused")
	}
	if got := metric(t, reg, "campusguard_ingest_spool_errors_total"); got != 1 {
		t.Errorf("spool errors = %v, want 1", got)
	}
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s (last: %s)", what, timeout, state)
		}
		<-tick.C
	}
}
