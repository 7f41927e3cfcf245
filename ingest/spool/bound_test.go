package spool

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// boundOptions fits 9 records of 100 bytes (108 framed) and not a tenth.
func boundOptions(t *testing.T) Options {
	opts := testOptions(t)
	opts.SegmentBytes = 256
	opts.MaxBytes = 1024
	return opts
}

func fillToBound(t *testing.T, h *harness) [][]byte {
	t.Helper()
	recs := make([][]byte, 9)
	for i := range recs {
		recs[i] = bytes.Repeat([]byte{byte('a' + i)}, 100)
	}
	h.appendAll(recs)
	if st := h.Stats(); st.Bytes != 9*108 {
		t.Fatalf("bytes = %d, want %d", st.Bytes, 9*108)
	}
	return recs
}

// waitBlocked waits until n appends have started waiting for space.
func waitBlocked(t *testing.T, h *harness, n float64) {
	t.Helper()
	waitFor(t, "append to block", func() bool {
		return metricValue(t, h.reg, "campusguard_spool_full_waits_total") >= n
	})
}

func TestAppendBlocksWhileFull(t *testing.T) {
	h := start(t, boundOptions(t))
	recs := fillToBound(t, h)

	done := make(chan error, 1)
	extra := bytes.Repeat([]byte("z"), 100)
	go h.Append(context.Background(), extra, func(err error) { done <- err })
	waitBlocked(t, h, 1)
	select {
	case err := <-done:
		t.Fatalf("append completed while full: %v", err)
	default:
	}

	b, err := h.Read(context.Background(), 1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("append completed after read without commit: %v", err)
	default:
	}
	if err := h.Commit(b); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, done, "blocked append"); err != nil {
		t.Fatalf("append after commit: %v", err)
	}
	equalRecords(t, h.readN(9, 100, true), append(recs[1:], extra))
}

func TestAppendWaitEndsWithContext(t *testing.T) {
	h := start(t, boundOptions(t))
	fillToBound(t, h)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go h.Append(ctx, bytes.Repeat([]byte("w"), 100), func(err error) { done <- err })
	waitBlocked(t, h, 1)
	cancel()
	if err := waitErr(t, done, "cancelled append"); !errors.Is(err, context.Canceled) {
		t.Fatalf("append = %v, want context.Canceled", err)
	}
	if got := metricValue(t, h.reg, "campusguard_spool_append_errors_total"); got != 1 {
		t.Fatalf("append_errors_total = %v, want 1", got)
	}

	// Close also releases a waiting append.
	done2 := make(chan error, 1)
	go h.Append(context.Background(), bytes.Repeat([]byte("v"), 100), func(err error) { done2 <- err })
	waitBlocked(t, h, 2)
	h.stop()
	if err := waitErr(t, done2, "append during close"); !errors.Is(err, ErrClosed) {
		t.Fatalf("append = %v, want ErrClosed", err)
	}
}

func TestLargeRecordIntoEmptySpool(t *testing.T) {
	// A record larger than MaxBytes still goes in when the spool is empty,
	// or it could never be stored.
	h := start(t, boundOptions(t))
	big := bytes.Repeat([]byte("B"), 2000)
	if err := h.appendWait(big); err != nil {
		t.Fatal(err)
	}
	equalRecords(t, h.readN(1, 1, true), [][]byte{big})
}
