package spool

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/rs/zerolog"
)

// testDeadline bounds every wait in the tests; nothing should come close.
const testDeadline = 20 * time.Second

// testOptions returns small segments, a registry of its own and a logger
// that writes through t.
func testOptions(t testing.TB) Options {
	return Options{
		Dir:          t.TempDir(),
		SegmentBytes: 1 << 10,
		MaxBytes:     1 << 20,
		Logger:       zerolog.New(zerolog.NewTestWriter(t)),
		Registerer:   prometheus.NewRegistry(),
	}
}

// harness is an open Spool with its committer running.
type harness struct {
	*Spool
	t    testing.TB
	reg  *prometheus.Registry
	stop func()
}

// start opens a spool and runs its committer until stop (or the end of the
// test), then closes it.
func start(t testing.TB, opts Options) *harness {
	t.Helper()
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return run(t, s, opts)
}

func run(t testing.TB, s *Spool, opts Options) *harness {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	var once sync.Once
	h := &harness{Spool: s, t: t}
	h.reg, _ = opts.Registerer.(*prometheus.Registry)
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("run: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	return h
}

// appendWait appends rec and waits for its done.
func (h *harness) appendWait(rec []byte) error {
	h.t.Helper()
	done := make(chan error, 1)
	h.Append(context.Background(), rec, func(err error) { done <- err })
	return waitErr(h.t, done, "append done")
}

// appendAll appends records one by one, each acknowledged before the next.
func (h *harness) appendAll(recs [][]byte) {
	h.t.Helper()
	for i, r := range recs {
		if err := h.appendWait(r); err != nil {
			h.t.Fatalf("append %d: %v", i, err)
		}
	}
}

// readN reads exactly n records in batches of at most batch records,
// committing each batch if commit is set.
func (h *harness) readN(n, batch int, commit bool) [][]byte {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	var out [][]byte
	for len(out) < n {
		b, err := h.Read(ctx, min(batch, n-len(out)), 1<<20)
		if err != nil {
			h.t.Fatalf("read after %d of %d records: %v", len(out), n, err)
		}
		out = append(out, b.Records...)
		if commit {
			if err := h.Commit(b); err != nil {
				h.t.Fatalf("commit: %v", err)
			}
		}
	}
	return out
}

// expectEmpty checks that no record is readable now.
func (h *harness) expectEmpty() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if b, err := h.Read(ctx, 1, 1); err == nil {
		h.t.Fatalf("read %q, want no more records", b.Records)
	}
}

func waitErr(t testing.TB, c <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-c:
		return err
	case <-time.After(testDeadline):
		t.Fatalf("timed out waiting for %s", what)
		return nil
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testDeadline)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// records returns n distinct records of varying sizes.
func records(prefix string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "%s-%06d-%s", prefix, i, make([]byte, i%97))
	}
	return out
}

func equalRecords(t testing.TB, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i]) != string(want[i]) {
			t.Fatalf("record %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// metricValue returns the value of a counter or gauge, or the sample count
// of a histogram, summed over label values.
func metricValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		var v float64
		for _, m := range mf.GetMetric() {
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				v += m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				v += m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				v += float64(m.GetHistogram().GetSampleCount())
			}
		}
		return v
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// labelValue returns the value of a counter or gauge with one label.
func labelValue(t testing.TB, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue() + m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{%s=%q} not registered", name, label, value)
	return 0
}
