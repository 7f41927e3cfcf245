package spool

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
)

// gatedFile holds the first fsync until the test releases it.
type gatedFile struct {
	segmentFile
	g *syncGate
}

type syncGate struct {
	once     sync.Once
	entered  chan struct{} // closed when the first fsync starts
	release  chan struct{} // closed by the test
	syncsMu  sync.Mutex
	syncs    int
	recorded []int // records per write, in order
}

func (f *gatedFile) Write(p []byte) (int, error) {
	n := 0
	for b := p; len(b) > 0; b = b[frameLen(b):] {
		n++
	}
	f.g.syncsMu.Lock()
	f.g.recorded = append(f.g.recorded, n)
	f.g.syncsMu.Unlock()
	return f.segmentFile.Write(p)
}

func (f *gatedFile) Sync() error {
	f.g.once.Do(func() {
		close(f.g.entered)
		<-f.g.release
	})
	f.g.syncsMu.Lock()
	f.g.syncs++
	f.g.syncsMu.Unlock()
	return f.segmentFile.Sync()
}

// TestGroupCommit holds the first fsync while 64 appenders queue their
// records, as MQTT handlers do while a slow disk syncs: the records that
// arrive during one fsync go to disk together in the next write and fsync.
// The fsync is held by the test, not by timing, so a loaded machine cannot
// change the outcome.
func TestGroupCommit(t *testing.T) {
	const appenders = 64
	opts := testOptions(t)
	opts.SegmentBytes = 1 << 20
	opts.MaxBytes = 1 << 24
	g := &syncGate{entered: make(chan struct{}), release: make(chan struct{})}
	opts.openFile = func(name string, flag int, perm os.FileMode) (segmentFile, error) {
		f, err := openOSFile(name, flag, perm)
		if err != nil {
			return nil, err
		}
		return &gatedFile{segmentFile: f, g: g}, nil
	}
	h := start(t, opts)

	results := make(chan error, appenders)
	for a := range appenders {
		go h.Append(context.Background(), fmt.Appendf(nil, "%02d:%04d", a, 0), func(err error) { results <- err })
	}
	<-g.entered
	// Every record is queued: the ones in the held write and the rest.
	waitFor(t, "all appends queued", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.queued == appenders*(headerSize+7)
	})
	close(g.release)
	for range appenders {
		if err := waitErr(t, results, "append"); err != nil {
			t.Fatal(err)
		}
	}
	g.syncsMu.Lock()
	syncs, writes := g.syncs, slices.Clone(g.recorded)
	g.syncsMu.Unlock()
	if syncs != 2 || len(writes) != 2 || writes[0]+writes[1] != appenders {
		t.Fatalf("%d fsyncs, records per write %v; want 2 writes and fsyncs for %d records", syncs, writes, appenders)
	}
	if got := metricValue(t, h.reg, "campusguard_spool_fsync_seconds"); got != 2 {
		t.Fatalf("fsync_seconds count = %v, want 2", got)
	}
}

// TestGroupCommitOrder runs many appenders that each wait for their record
// to be durable before appending the next, as MQTT handlers do, and checks
// that each appender's records stay in order. How many records share an
// fsync depends on scheduling, so it is logged, not asserted.
func TestGroupCommitOrder(t *testing.T) {
	const appenders, each = 64, 40
	opts := testOptions(t)
	opts.SegmentBytes = 1 << 20
	opts.MaxBytes = 1 << 24
	h := start(t, opts)

	var wg sync.WaitGroup
	for a := range appenders {
		wg.Go(func() {
			done := make(chan error, 1)
			for i := range each {
				h.Append(context.Background(), fmt.Appendf(nil, "%02d:%04d", a, i), func(err error) { done <- err })
				if err := waitErr(t, done, "append"); err != nil {
					t.Errorf("appender %d record %d: %v", a, i, err)
					return
				}
			}
		})
	}
	wg.Wait()

	total := appenders * each
	fsyncs := metricValue(t, h.reg, "campusguard_spool_fsync_seconds")
	t.Logf("%d records, %v fsyncs (%.1f records per fsync)", total, fsyncs, float64(total)/fsyncs)
	if got := metricValue(t, h.reg, "campusguard_spool_appended_records_total"); got != float64(total) {
		t.Fatalf("appended_records_total = %v, want %d", got, total)
	}

	next := make([]int, appenders)
	for _, r := range h.readN(total, 500, true) {
		var a, i int
		if _, err := fmt.Sscanf(string(r), "%02d:%04d", &a, &i); err != nil {
			t.Fatalf("record %q: %v", r, err)
		}
		if i != next[a] {
			t.Fatalf("appender %d: record %d after %d", a, i, next[a]-1)
		}
		next[a]++
	}
}
