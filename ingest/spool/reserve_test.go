package spool

import (
	"bytes"
	"context"
	"testing"
)

// TestAppendReservedUsesReserveWhileFull checks an urgent record is stored
// while ordinary appends wait for a full spool, and that the reserve has
// its own bound.
func TestAppendReservedUsesReserveWhileFull(t *testing.T) {
	opts := boundOptions(t)
	opts.ReserveBytes = 2 * 108 // two 100-byte records
	h := start(t, opts)
	fillToBound(t, h)

	ordinary := make(chan error, 1)
	go h.Append(context.Background(), bytes.Repeat([]byte("o"), 100), func(err error) { ordinary <- err })
	waitBlocked(t, h, 1)

	for i, b := range []byte("uv") {
		urgent := make(chan error, 1)
		h.AppendReserved(context.Background(), bytes.Repeat([]byte{b}, 100), func(err error) { urgent <- err })
		if err := waitErr(t, urgent, "reserved append"); err != nil {
			t.Fatalf("reserved append %d while full: %v", i, err)
		}
	}
	select {
	case err := <-ordinary:
		t.Fatalf("ordinary append completed while full: %v", err)
	default:
	}

	// The reserve is used up: a third urgent record waits too.
	third := make(chan error, 1)
	go h.AppendReserved(context.Background(), bytes.Repeat([]byte("w"), 100), func(err error) { third <- err })
	waitBlocked(t, h, 2)
	select {
	case err := <-third:
		t.Fatalf("reserved append beyond the reserve completed: %v", err)
	default:
	}

	// Draining makes room for both waiting appends.
	got := h.readN(11, 100, true)
	if len(got) != 11 {
		t.Fatalf("read %d records, want 11", len(got))
	}
	if err := waitErr(t, third, "third reserved append"); err != nil {
		t.Fatal(err)
	}
	if err := waitErr(t, ordinary, "ordinary append"); err != nil {
		t.Fatal(err)
	}
}
