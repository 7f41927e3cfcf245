package spool

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestAppendWaitsForCommitterBacklog: with MaxQueuedBytes of records in
// memory and the committer not writing, the next ordinary Append waits
// (the spool is far from full); an urgent one does not; once the committer
// writes, the waiting Append goes through and every record is durable.
// Before, a producer that did not wait for its acks queued up to MaxBytes
// (1 GiB) in memory. The urgent append does not wait with or without a
// reserve.
func TestAppendWaitsForCommitterBacklog(t *testing.T) {
	for _, reserve := range []int64{0, 1 << 10} {
		t.Run(fmt.Sprintf("reserve=%d", reserve), func(t *testing.T) { testCommitterBacklog(t, reserve) })
	}
}

func testCommitterBacklog(t *testing.T, reserve int64) {
	opts := testOptions(t)
	opts.MaxQueuedBytes = 300 // two framed 100-byte records (108 each), not three
	opts.ReserveBytes = reserve
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	rec := bytes.Repeat([]byte("r"), 100)
	done := make(chan error, 4)
	ack := func(err error) { done <- err }
	s.Append(context.Background(), rec, ack) // the committer is not running:
	s.Append(context.Background(), rec, ack) // both stay queued in memory
	returned := make(chan struct{})
	go func() {
		s.Append(context.Background(), rec, ack)
		close(returned)
	}()
	reg := opts.Registerer.(*prometheus.Registry)
	waitFor(t, "the third append to wait", func() bool {
		return metricValue(t, reg, "campusguard_spool_queue_waits_total") >= 1
	})
	select {
	case <-returned:
		t.Fatal("Append returned with MaxQueuedBytes already queued")
	default:
	}
	urgent := make(chan struct{})
	go func() {
		s.AppendReserved(context.Background(), rec, ack)
		close(urgent)
	}()
	select {
	case <-urgent:
	case <-returned:
		t.Fatal("the waiting Append returned before the committer ran")
	case <-time.After(testDeadline):
		t.Fatal("AppendReserved waited for the committer's backlog")
	}
	run(t, s, opts) // the committer writes what is queued
	select {
	case <-returned:
	case <-time.After(testDeadline):
		t.Fatal("Append still waiting after the committer wrote")
	}
	for i := range 4 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
		case <-time.After(testDeadline):
			t.Fatalf("only %d of 4 records acknowledged", i)
		}
	}
	if st := s.Stats(); st.Depth != 4 {
		t.Errorf("spool holds %d records, want 4", st.Depth)
	}
}
