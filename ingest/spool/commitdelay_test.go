package spool

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// countingFile records the records of each write.
type countingFile struct {
	segmentFile
	g *syncGate
}

func (f *countingFile) Write(p []byte) (int, error) {
	n := 0
	for b := p; len(b) > 0; b = b[frameLen(b):] {
		n++
	}
	f.g.syncsMu.Lock()
	f.g.recorded = append(f.g.recorded, n)
	f.g.syncsMu.Unlock()
	return f.segmentFile.Write(p)
}

// startDelayed runs a spool whose committer waits delay (set past
// Validate's cap, so that only a batch or an urgent record can end the
// wait within the test) for CommitBatch records.
func startDelayed(t *testing.T, delay time.Duration, batch int) (*harness, *syncGate) {
	t.Helper()
	opts := testOptions(t)
	opts.SegmentBytes = 1 << 20
	opts.MaxBytes = 1 << 24
	opts.ReserveBytes = 1 << 20
	opts.CommitBatch = batch
	g := &syncGate{}
	opts.openFile = func(name string, flag int, perm os.FileMode) (segmentFile, error) {
		f, err := openOSFile(name, flag, perm)
		if err != nil {
			return nil, err
		}
		return &countingFile{segmentFile: f, g: g}, nil
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.opts.CommitDelay = delay
	return run(t, s, opts), g
}

func (g *syncGate) writes() []int {
	g.syncsMu.Lock()
	defer g.syncsMu.Unlock()
	return append([]int(nil), g.recorded...)
}

// TestCommitDelayGathersABatch: with an hour's delay, 50 records sent one
// after another (none waiting for its ack) are written when the 50th
// arrives, together.
func TestCommitDelayGathersABatch(t *testing.T) {
	h, g := startDelayed(t, time.Hour, 50)
	results := make(chan error, 50)
	for i := range 50 {
		h.Append(context.Background(), fmt.Appendf(nil, "rec-%02d", i), func(err error) { results <- err })
	}
	for range 50 {
		if err := waitErr(t, results, "append done"); err != nil {
			t.Fatal(err)
		}
	}
	if w := g.writes(); len(w) != 1 || w[0] != 50 {
		t.Fatalf("records per write %v, want one write of 50", w)
	}
}

// TestCommitDelayUrgentGoesAtOnce: an urgent record (AppendReserved) ends
// the wait, and takes the ordinary record queued before it along.
func TestCommitDelayUrgentGoesAtOnce(t *testing.T) {
	h, g := startDelayed(t, time.Hour, 1000)
	results := make(chan error, 2)
	h.Append(context.Background(), []byte("heartbeat"), func(err error) { results <- err })
	h.AppendReserved(context.Background(), []byte("alarm.panic"), func(err error) { results <- err })
	for range 2 {
		if err := waitErr(t, results, "append done"); err != nil {
			t.Fatal(err)
		}
	}
	if w := g.writes(); len(w) < 1 || w[len(w)-1] == 0 {
		t.Fatalf("records per write %v", w)
	}
	// Nothing urgent now: the next ordinary record waits for its batch,
	// which Close flushes.
	h.Append(context.Background(), []byte("heartbeat-2"), func(err error) { results <- err })
	h.stop()
	if err := waitErr(t, results, "append flushed by Close"); err != nil {
		t.Fatal(err)
	}
}

// TestCommitDelayBounds checks Validate refuses a negative or long delay.
func TestCommitDelayBounds(t *testing.T) {
	for _, d := range []time.Duration{-time.Millisecond, 2 * time.Second} {
		o := testOptions(t)
		o.CommitDelay = d
		if err := o.Validate(); err == nil {
			t.Errorf("CommitDelay %s accepted", d)
		}
	}
}
