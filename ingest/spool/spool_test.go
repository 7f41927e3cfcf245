package spool

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestRoundTripAcrossSegments(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 256 // forces many rolls
	h := start(t, opts)
	want := records("rt", 300)
	h.appendAll(want)

	if st := h.Stats(); st.Depth != 300 || st.Segments < 10 {
		t.Fatalf("stats after append = %+v, want depth 300 and many segments", st)
	}
	got := h.readN(len(want), 7, true)
	equalRecords(t, got, want)
	h.expectEmpty()
	st := h.Stats()
	if st.Depth != 0 || st.Bytes != 0 || st.Segments != 1 {
		t.Fatalf("stats after commit = %+v, want depth 0, bytes 0, 1 segment", st)
	}
	if got := metricValue(t, h.reg, "campusguard_spool_committed_records_total"); got != 300 {
		t.Fatalf("committed_records_total = %v, want 300", got)
	}
}

func TestRecordLargerThanSegment(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 64
	h := start(t, opts)
	want := [][]byte{[]byte("small"), bytes.Repeat([]byte("L"), 500), []byte("after")}
	h.appendAll(want)
	equalRecords(t, h.readN(3, 10, true), want)
}

func TestReadLimits(t *testing.T) {
	h := start(t, testOptions(t))
	want := [][]byte{bytes.Repeat([]byte("a"), 100), bytes.Repeat([]byte("b"), 100), []byte("c"), []byte("d")}
	h.appendAll(want)
	ctx := context.Background()

	tests := []struct {
		name       string
		maxRecords int
		maxBytes   int
		want       int
	}{
		{name: "record limit", maxRecords: 1, maxBytes: 1 << 20, want: 1},
		{name: "byte limit", maxRecords: 10, maxBytes: 150, want: 1},
		{name: "first record always fits", maxRecords: 10, maxBytes: 1, want: 1},
		{name: "both generous", maxRecords: 10, maxBytes: 1 << 20, want: 4},
		{name: "bytes for three", maxRecords: 10, maxBytes: 201, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Rewind()
			b, err := h.Read(ctx, tt.maxRecords, tt.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			equalRecords(t, b.Records, want[:tt.want])
		})
	}
	if _, err := h.Read(ctx, 0, 10); err == nil {
		t.Fatal("read with max records 0 succeeded")
	}
}

func TestReadBlocksUntilData(t *testing.T) {
	h := start(t, testOptions(t))
	type result struct {
		b   Batch
		err error
	}
	res := make(chan result, 1)
	go func() {
		b, err := h.Read(context.Background(), 10, 1<<20)
		res <- result{b, err}
	}()
	select {
	case r := <-res:
		t.Fatalf("read returned before any append: %+v", r)
	default:
	}
	h.Append(context.Background(), []byte("hello"), nil)
	select {
	case r := <-res:
		if r.err != nil {
			t.Fatal(r.err)
		}
		equalRecords(t, r.b.Records, [][]byte{[]byte("hello")})
	case <-time.After(testDeadline):
		t.Fatal("read did not return after append")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.Read(ctx, 1, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read on empty spool = %v, want deadline exceeded", err)
	}
}

func TestReadUnblockedByClose(t *testing.T) {
	h := start(t, testOptions(t))
	errc := make(chan error, 1)
	go func() {
		_, err := h.Read(context.Background(), 1, 1)
		errc <- err
	}()
	h.stop()
	if err := waitErr(t, errc, "read"); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close = %v, want ErrClosed", err)
	}
}

func TestSuccessiveReadsAndRewind(t *testing.T) {
	h := start(t, testOptions(t))
	want := records("rw", 10)
	h.appendAll(want)
	ctx := context.Background()

	b1, _ := h.Read(ctx, 3, 1<<20)
	b2, _ := h.Read(ctx, 3, 1<<20)
	equalRecords(t, b1.Records, want[0:3])
	equalRecords(t, b2.Records, want[3:6])

	h.Rewind() // a write downstream failed: retry from the cursor
	b, _ := h.Read(ctx, 3, 1<<20)
	equalRecords(t, b.Records, want[0:3])
	if err := h.Commit(b); err != nil {
		t.Fatal(err)
	}
	if err := h.Commit(b1); err != nil { // stale: no-op
		t.Fatal(err)
	}
	if st := h.Stats(); st.Depth != 7 {
		t.Fatalf("depth = %d, want 7", st.Depth)
	}
	h.Rewind()
	equalRecords(t, h.readN(7, 100, true), want[3:])
	if err := h.Commit(Batch{}); err != nil {
		t.Fatalf("commit of empty batch: %v", err)
	}
}

func TestReopenResumesAtCursor(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 300
	h := start(t, opts)
	want := records("ro", 40)
	h.appendAll(want)
	equalRecords(t, h.readN(15, 4, true), want[:15])
	equalRecords(t, h.readN(10, 4, false), want[15:25]) // read, not committed
	h.stop()

	h = start(t, opts)
	if st := h.Stats(); st.Depth != 25 {
		t.Fatalf("depth after reopen = %d, want 25", st.Depth)
	}
	more := records("more", 5)
	h.appendAll(more)
	equalRecords(t, h.readN(30, 6, true), append(append([][]byte{}, want[15:]...), more...))
	h.stop()

	h = start(t, opts)
	if st := h.Stats(); st.Depth != 0 || st.Segments != 1 {
		t.Fatalf("stats after everything committed = %+v", st)
	}
	h.expectEmpty()
}

func TestAppendRejects(t *testing.T) {
	h := start(t, testOptions(t))
	tests := []struct {
		name string
		rec  []byte
		want error
	}{
		{name: "empty", rec: nil, want: ErrEmpty},
		{name: "too large", rec: make([]byte, MaxRecordSize+1), want: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.appendWait(tt.rec); !errors.Is(err, tt.want) {
				t.Fatalf("append = %v, want %v", err, tt.want)
			}
		})
	}
	if err := h.appendWait(make([]byte, MaxRecordSize)); err != nil {
		t.Fatalf("append of max size record: %v", err)
	}
	h.stop()
	if err := h.appendWait([]byte("late")); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close = %v, want ErrClosed", err)
	}
	if err := h.Commit(Batch{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("commit after close = %v, want ErrClosed", err)
	}
}

func TestAppendAfterRunReturns(t *testing.T) {
	opts := testOptions(t)
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Queued before Run starts: flushed by Run.
	early := make(chan error, 1)
	s.Append(context.Background(), []byte("early"), func(err error) { early <- err })
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	if err := waitErr(t, early, "early append"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := waitErr(t, errc, "run"); err != nil {
		t.Fatalf("run = %v", err)
	}
	late := make(chan error, 1)
	s.Append(context.Background(), []byte("late"), func(err error) { late <- err })
	if err := waitErr(t, late, "late append"); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after run returned = %v, want ErrClosed", err)
	}
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("second run succeeded")
	}
}

func TestCloseWithoutRunFailsPending(t *testing.T) {
	s, err := Open(testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	s.Append(context.Background(), []byte("never"), func(err error) { done <- err })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, done, "append"); !errors.Is(err, ErrClosed) {
		t.Fatalf("pending append after close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestOpenLocksDir(t *testing.T) {
	opts := testOptions(t)
	h := start(t, opts)
	opts2 := opts
	opts2.Registerer = nil
	if _, err := Open(opts2); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open = %v, want ErrLocked", err)
	}
	h.stop()
	s, err := Open(opts2)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s.Close()
}
