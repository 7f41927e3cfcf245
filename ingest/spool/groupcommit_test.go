package spool

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestGroupCommit runs many appenders that each wait for their record to be
// durable before appending the next, as MQTT handlers do, and checks that
// records share fsyncs and that each appender's records stay in order.
func TestGroupCommit(t *testing.T) {
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
	if fsyncs > float64(total)/4 {
		t.Fatalf("%v fsyncs for %d records: commits were not grouped", fsyncs, total)
	}
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
