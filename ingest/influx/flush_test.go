package influx

import (
	"context"
	"testing"
	"time"
)

// TestFlushIntervalGathersRecords: after a request that was not full the
// writer waits (FlushInterval less the time since that batch was read)
// before reading again, so what arrives meanwhile goes out in one request;
// after a full request it reads on at once. The wait is the test's: it
// sees each one and lets it end.
func TestFlushIntervalGathersRecords(t *testing.T) {
	db := newFakeInflux(t)
	src := newFakeSource(lines(12, 1000)...)
	w, _ := testWriter(t, db.URL, src, func(o *Options) { o.BatchRecords = 5; o.FlushInterval = time.Minute })
	lingers := make(chan time.Duration)
	release := make(chan struct{})
	w.linger = func(ctx context.Context, d time.Duration) error {
		select {
		case lingers <- d:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	runWriter(t, w)

	// 5 + 5 go out at once (full), then the 2 left (not full), then it waits.
	var d time.Duration
	select {
	case d = <-lingers:
	case <-time.After(3 * testDeadline):
		t.Fatal("the writer never waited after a request that was not full")
	}
	if d <= 0 || d > time.Minute {
		t.Fatalf("waited %s, want up to the flush interval (1m)", d)
	}
	if got := db.writeCount(); got != 3 {
		t.Fatalf("%d requests before the wait, want 3 (5, 5, 2)", got)
	}
	src.append(lines(4, 2000)...) // arrive while it waits
	close(release)
	src.waitUntil(t, "16 records committed", func(s *fakeSource) bool { return s.committed == 16 })
	if got := db.writeCount(); got != 4 {
		t.Errorf("%d requests, want 4: the 4 records that arrived during the wait in one", got)
	}
}
