package influx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/ingest/spool"
)

func TestReady(t *testing.T) {
	db := newFakeInflux(t)
	w, reg := testWriter(t, db.URL, newFakeSource(), nil)
	if err := w.Ready(context.Background()); err != nil {
		t.Fatalf("Ready = %v against a live server", err)
	}
	if got := metricValue(t, reg, "campusguard_influx_up"); got != 1 {
		t.Errorf("up = %v after a ping, want 1", got)
	}
	db.Close()
	if err := w.Ready(context.Background()); err == nil {
		t.Fatal("Ready = nil against a stopped server")
	}
	if w.Healthy() || metricValue(t, reg, "campusguard_influx_up") != 0 {
		t.Error("still healthy and up after a failed ping")
	}
}

// TestRunRetriesCommitWithoutRewriting (issue 7, item 3): when the spool
// cannot commit, the writer retries the commit; it does not write the batch
// to InfluxDB again.
func TestRunRetriesCommitWithoutRewriting(t *testing.T) {
	db := newFakeInflux(t)
	src := newFakeSource(lines(4, 0)...)
	src.commitErr = func(n int) error {
		if n <= 3 {
			return errors.New("disk on fire")
		}
		return nil
	}
	w, reg := testWriter(t, db.URL, src, nil)
	runWriter(t, w)
	src.waitUntil(t, "committed on the fourth try", func(s *fakeSource) bool { return s.committed == 4 })
	if got := db.writeCount(); got != 1 {
		t.Errorf("write requests = %d, want 1 (the batch is in InfluxDB; only the commit is retried)", got)
	}
	if got := metricValue(t, reg, "campusguard_influx_written_records_total"); got != 4 {
		t.Errorf("written_records_total = %v, want 4", got)
	}
	if _, _, rewinds := src.state(); rewinds != 1 { // the one at the start of Run
		t.Errorf("rewinds = %d, want 1", rewinds)
	}
}

func TestRunRetriesReadErrors(t *testing.T) {
	db := newFakeInflux(t)
	src := newFakeSource(lines(2, 0)...)
	src.readErr = func(n int) error {
		if n <= 2 {
			return fmt.Errorf("segment: %w", spool.ErrCorrupt)
		}
		return nil
	}
	w, _ := testWriter(t, db.URL, src, nil)
	runWriter(t, w)
	src.waitUntil(t, "committed after read errors", func(s *fakeSource) bool { return s.committed == 2 })
}

func TestRunReturnsWhenSpoolClosed(t *testing.T) {
	db := newFakeInflux(t)
	src := newFakeSource()
	src.readErr = func(int) error { return spool.ErrClosed }
	w, _ := testWriter(t, db.URL, src, nil)
	if err := w.Run(context.Background()); !errors.Is(err, spool.ErrClosed) {
		t.Fatalf("Run = %v, want spool.ErrClosed", err)
	}
}

func TestRunOnlyOnce(t *testing.T) {
	db := newFakeInflux(t)
	src := newFakeSource()
	w, _ := testWriter(t, db.URL, src, nil)
	runWriter(t, w)
	src.waitUntil(t, "first Run reading", func(s *fakeSource) bool { return s.reads > 0 })
	if err := w.Run(context.Background()); err == nil {
		t.Fatal("a second concurrent Run succeeded")
	}
}

func TestRunResumesAfterRestart(t *testing.T) {
	db := newFakeInflux(t)
	var down atomic.Bool
	down.Store(true)
	db.inject = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		if down.Load() {
			httpError(w, http.StatusServiceUnavailable, "down")
			return true
		}
		return false
	}
	src := newFakeSource(lines(3, 0)...)
	w, _ := testWriter(t, db.URL, src, nil)
	g := newGate()
	w.wait = g.wait
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	g.next(t) // failed once, now backing off: stop the writer
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	down.Store(false)
	runWriter(t, w) // a new Run on the same source picks the batch up again
	src.waitUntil(t, "committed by the second Run", func(s *fakeSource) bool { return s.committed == 3 })
}

func TestMetricsRegisterOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	o := validOptions()
	o.Registerer = reg
	if _, err := New(o, newFakeSource()); err != nil {
		t.Fatal(err)
	}
	if _, err := New(o, newFakeSource()); err == nil {
		t.Fatal("a second Writer registered the same metrics without error")
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"campusguard_influx_write_batches_total": true, "campusguard_influx_written_records_total": true,
		"campusguard_influx_write_errors_total": true, "campusguard_influx_write_duration_seconds": true,
		"campusguard_influx_dead_letter_records_total": true, "campusguard_influx_up": true,
	}
	for _, mf := range mfs {
		if mf.GetHelp() == "" {
			t.Errorf("%s has no help", mf.GetName())
		}
		delete(want, mf.GetName())
	}
	for name := range want {
		t.Errorf("%s not registered", name)
	}
	if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", "permanent"); got != 0 {
		t.Errorf("pre-created permanent errors = %v", got)
	}
}
