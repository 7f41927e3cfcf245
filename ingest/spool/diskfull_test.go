package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// The tests in this file cover issue 7, item 3: a full or failing disk.

// asyncAppend appends rec and returns the channel its outcome arrives on.
func (h *harness) asyncAppend(rec []byte) <-chan error {
	done := make(chan error, 1)
	h.Append(context.Background(), rec, func(err error) { done <- err })
	return done
}

// TestFullDiskPacesWritesAndRecovers fills the disk (every segment write
// fails with ENOSPC) while 20 appends arrive: one write attempt fails the
// records it carried with ErrDiskFull, the others wait instead of each
// making the committer try (and, before, roll to a new segment file);
// Health and the metrics say the disk is full. When the reader commits and
// the spool deletes a consumed segment, the waiting appends and the retried
// ones are written at once, each exactly once.
func TestFullDiskPacesWritesAndRecovers(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 200
	opts.diskRetryMin, opts.diskRetryMax = time.Hour, time.Hour // only freed space ends the pause
	in := &injector{}
	opts.openFile = in.open
	h := start(t, opts)
	first := records("before", 16) // more than one segment
	h.appendAll(first)
	segsBefore := h.Stats().Segments
	if segsBefore < 2 {
		t.Fatalf("%d segments, the test needs a sealed one", segsBefore)
	}

	in.set(func(in *injector) { in.noSpace = true; in.writes = 0 })
	later := records("later", 20)
	type result struct {
		i   int
		err error
	}
	results := make(chan result, len(later))
	for i, r := range later {
		h.Append(context.Background(), r, func(err error) { results <- result{i, err} })
	}
	// One write attempt fails the records it carried; the pause (an hour
	// here) keeps the committer off the disk, so the rest wait.
	var failed [][]byte
	r := <-results
	for {
		if !errors.Is(r.err, ErrDiskFull) || !errors.Is(r.err, syscall.ENOSPC) {
			t.Fatalf("append %d = %v, want ErrDiskFull wrapping ENOSPC", r.i, r.err)
		}
		failed = append(failed, later[r.i])
		// append_errors_total counts the attempt's records before their
		// done funcs run.
		if float64(len(failed)) == metricValue(t, h.reg, "campusguard_spool_append_errors_total") {
			break
		}
		r = <-results
	}
	if err := h.Health(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Health = %v on a full disk, want ErrDiskFull", err)
	}
	for name, want := range map[string]float64{"campusguard_spool_disk_full": 1, "campusguard_spool_disk_failing": 1} {
		if got := metricValue(t, h.reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	retried := make([]<-chan error, len(failed))
	for i, r := range failed {
		retried[i] = h.asyncAppend(r)
	}
	in.mu.Lock()
	writes, creates := in.writes, in.createAttempts
	in.mu.Unlock()
	if writes != 1 {
		t.Errorf("%d segment writes while the disk is full, want 1 (then wait)", writes)
	}
	if h.Stats().Segments != segsBefore {
		t.Errorf("segments %d -> %d on a full disk: no new files while writes fail", segsBefore, h.Stats().Segments)
	}

	// Space returns because the reader consumed a sealed segment.
	in.set(func(in *injector) { in.noSpace = false })
	equalRecords(t, h.readN(len(first), 100, true), first)
	for range len(later) - len(failed) {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatalf("append %d after space returned: %v", r.i, r.err)
			}
		case <-time.After(testDeadline):
			t.Fatal("waiting appends not written after space returned")
		}
	}
	for i, c := range retried {
		if err := waitErr(t, c, "retried append"); err != nil {
			t.Fatalf("retried append %d: %v", i, err)
		}
	}
	got := h.readN(len(later), 100, true)
	h.expectEmpty()
	sortRecords(got)
	want := slices.Clone(later)
	sortRecords(want)
	equalRecords(t, got, want) // each exactly once
	if err := h.Health(); err != nil {
		t.Errorf("Health = %v after recovery", err)
	}
	for name, want := range map[string]float64{
		"campusguard_spool_disk_full": 0, "campusguard_spool_disk_failing": 0, "campusguard_spool_disk_errors_total": 1,
	} {
		if got := metricValue(t, h.reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	size := 0
	for _, r := range later {
		size += headerSize + len(r)
	}
	if n, rolls := in.createAttempts-creates, size/int(opts.SegmentBytes)+1; n > rolls {
		t.Errorf("%d segment files created for %d bytes of records, want at most %d", n, size, rolls)
	}
}

func sortRecords(r [][]byte) {
	slices.SortFunc(r, func(a, b []byte) int { return string2cmp(string(a), string(b)) })
}

func string2cmp(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestCommitWhenCursorCannotBePersisted makes every cursor write fail with
// ENOSPC: commits still take effect (the reader moves on, consumed segments
// are deleted, which is what frees a full disk), Health reports it, and a
// reopen replays from the oldest remaining segment: records again, never
// lost. A later successful cursor write clears the failure.
func TestCommitWhenCursorCannotBePersisted(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 200
	var fake *failingCursorFile
	opts.openCursor = func(name string) (cursorFileHandle, error) {
		f, err := openCursorOSFile(name)
		if err != nil {
			return nil, err
		}
		fake = &failingCursorFile{cursorFileHandle: f, err: &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}, failWrite: -1}
		return fake, nil
	}
	h := start(t, opts)
	alwaysFail := func() { fake.failWrite = fake.writes + 1 }
	want := records("cur", 30)
	h.appendAll(want)
	segs := h.Stats().Segments
	ctx := context.Background()
	var read [][]byte
	for len(read) < len(want) {
		b, err := h.Read(ctx, 4, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		alwaysFail()
		if err := h.Commit(b); err != nil {
			t.Fatalf("Commit = %v, want nil: the batch is consumed, only its cursor is not on disk", err)
		}
		read = append(read, b.Records...)
	}
	equalRecords(t, read, want)
	h.expectEmpty() // no rewind: nothing handed out twice
	if st := h.Stats(); st.Depth != 0 || st.Segments != 1 || st.Segments >= segs {
		t.Fatalf("stats %+v (from %d segments): consumed segments must be deleted", st, segs)
	}
	if err := h.Health(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Health = %v, want ErrDiskFull", err)
	}
	if got := labelValue(t, h.reg, "campusguard_spool_disk_errors_total", "op", opCursor); got == 0 {
		t.Fatal("cursor failures not counted")
	}
	if got := metricValue(t, h.reg, "campusguard_spool_disk_full"); got != 1 {
		t.Fatalf("disk_full = %v, want 1", got)
	}
	// The cursor on disk is still the first one; the segments it points
	// into are gone, so a restart replays the last segment, nothing else.
	h.stop()
	opts.openCursor = nil
	h = start(t, opts)
	tail := framesIn(t, segmentFiles(t, opts.Dir)[0])
	equalRecords(t, h.readN(len(tail), 100, true), want[len(want)-len(tail):])
	h.expectEmpty()
	if err := h.Health(); err != nil {
		t.Fatalf("Health = %v after a successful commit", err)
	}
}

// TestDiskErrorLogRateLimited fails many writes in a row: one log line a
// minute, with the number held back, and one line when writes recover.
func TestDiskErrorLogRateLimited(t *testing.T) {
	opts := testOptions(t)
	var logs syncBuffer
	opts.Logger = zerolog.New(&logs)
	var mu sync.Mutex
	now := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	opts.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	opts.diskRetryMin, opts.diskRetryMax = time.Nanosecond, time.Nanosecond
	in := &injector{noSpace: true}
	opts.openFile = in.open
	h := start(t, opts)

	const failure = `"message":"spool disk write failed"`
	for i := range 5 {
		if err := h.appendWait([]byte("x")); !errors.Is(err, ErrDiskFull) {
			t.Fatalf("append %d = %v, want ErrDiskFull", i, err)
		}
	}
	if n := logs.count(failure); n != 1 {
		t.Fatalf("%d failure lines for 5 failures in a minute, want 1", n)
	}
	mu.Lock()
	now = now.Add(warnInterval)
	mu.Unlock()
	if err := h.appendWait([]byte("x")); !errors.Is(err, ErrDiskFull) {
		t.Fatal(err)
	}
	if n := logs.count(failure); n != 2 || logs.count(`"suppressed":4`) != 1 {
		t.Fatalf("after a minute: %d failure lines (want 2), the second with suppressed 4", n)
	}
	in.set(func(in *injector) { in.noSpace = false })
	h.appendAll([][]byte{[]byte("ok")})
	if n := logs.count(`"message":"spool disk writes recovered"`); n != 1 {
		t.Fatalf("%d recovery lines, want 1", n)
	}
}

// TestDiskFullTmpfs fills a real 1 MiB tmpfs (root only) with appends that
// are retried until they succeed, then drains it: committing needs no free
// space, the retried appends go through as soon as consumed segments are
// deleted, and every record is read exactly once.
func TestDiskFullTmpfs(t *testing.T) {
	opts := testOptions(t)
	opts.Dir = filepath.Join(testenv.Tmpfs(t, 1<<20), "spool")
	opts.SegmentBytes = 64 << 10
	opts.MaxBytes = 64 << 20 // far above the filesystem
	opts.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	h := start(t, opts)

	// Fill: keep appending distinct records until one fails with ENOSPC.
	var acked [][]byte
	var pending []byte
	for i := 0; ; i++ {
		rec := fmt.Appendf(nil, "fill-%06d-%0100d", i, i)
		err := h.appendWait(rec)
		if errors.Is(err, ErrDiskFull) {
			pending = rec
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, rec)
	}
	if err := h.Health(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Health = %v on a full tmpfs", err)
	}
	files := len(segmentFiles(t, opts.Dir))
	retry := h.asyncAppend(pending) // as the pipeline does; it waits for space
	ctx := context.Background()
	var got [][]byte
	for len(got) < len(acked)+1 {
		b, err := h.Read(ctx, 500, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Commit(b); err != nil {
			t.Fatal(err)
		}
		got = append(got, b.Records...)
		if n := len(segmentFiles(t, opts.Dir)); n > files+1 {
			t.Fatalf("segment files %d -> %d while draining a full disk", files, n)
		}
	}
	if err := waitErr(t, retry, "retried append"); err != nil {
		t.Fatalf("retried append = %v after the spool freed space", err)
	}
	equalRecords(t, got, append(acked, pending))
	h.expectEmpty()
	if err := h.Health(); err != nil {
		t.Fatalf("Health = %v after draining", err)
	}
	if n := labelValue(t, h.reg, "campusguard_spool_disk_errors_total", "op", opCursor); n != 0 {
		t.Fatalf("%v cursor write failures: committing needed free space", n)
	}
	t.Logf("%d records filled the 1 MiB tmpfs", len(acked))
}
