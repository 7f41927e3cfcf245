package influx

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestRunSplitsTimedOutRequests: InfluxDB answers no request of more than
// 200 records in time (as influxd 1.8 with thousands of new series per
// request did). The writer halves the requests until they go through and
// stores every record; before, it sent the same 800-record request again
// after every timeout, for ever.
func TestRunSplitsTimedOutRequests(t *testing.T) {
	const total, fits = 800, 200
	var (
		mu      sync.Mutex
		expire  context.CancelCauseFunc // the request in flight's timeout
		sizes   []int
		timeout int
	)
	db := newFakeInflux(t)
	db.inject = func(_ int, w http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		n := bytes.Count(body, []byte("\n"))
		mu.Lock()
		sizes = append(sizes, n)
		exp := expire
		mu.Unlock()
		if n <= fits {
			r.Body = io.NopCloser(bytes.NewReader(body))
			return false // the fake stores it
		}
		mu.Lock()
		timeout++
		mu.Unlock()
		exp(context.DeadlineExceeded) // its timeout passes while influxd works
		<-r.Context().Done()
		return true
	}
	src := newFakeSource(lines(total, 0)...)
	w, reg := testWriter(t, db.URL, src, func(o *Options) { o.BatchRecords = total })
	w.wait = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	w.withTimeout = func(ctx context.Context, _ time.Duration) (context.Context, context.CancelFunc) {
		rctx, cancel := context.WithCancelCause(ctx)
		mu.Lock()
		expire = cancel
		mu.Unlock()
		return rctx, func() { cancel(context.Canceled) }
	}
	runWriter(t, w)
	src.waitUntil(t, "all committed", func(s *fakeSource) bool { return s.committed == total })
	if got := db.count(); got != total {
		t.Errorf("influx has %d points, want %d", got, total)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", "transient"); int(got) != timeout {
		t.Errorf("transient errors = %v, want one per timed-out request (%d)", got, timeout)
	}
	if sizes[0] != total || sizes[1] != total/2 {
		t.Errorf("request sizes %v: want %d, then its half", sizes[:2], total)
	}
	if got := metricValue(t, reg, "campusguard_influx_request_records_limit"); got < fits || got > total {
		t.Errorf("request limit = %v, want within [%d, %d]", got, fits, total)
	}
}

// TestRequestLimitBounds: the limit never goes below minRequestRecords nor
// above Options.BatchRecords, and grows only after a request at the limit.
func TestRequestLimitBounds(t *testing.T) {
	src := newFakeSource()
	w, _ := testWriter(t, "http://127.0.0.1:1", src, func(o *Options) { o.BatchRecords = 1000 })
	if w.limit != 1000 {
		t.Fatalf("initial limit %d, want BatchRecords 1000", w.limit)
	}
	if w.shrink(minRequestRecords) {
		t.Errorf("shrank a request of %d records", minRequestRecords)
	}
	for _, want := range []int{500, 250, 125, minRequestRecords} {
		if !w.shrink(w.limit) || w.limit != want {
			t.Fatalf("limit %d after a shrink, want %d", w.limit, want)
		}
	}
	w.grow(minRequestRecords - 1)
	if w.limit != minRequestRecords {
		t.Errorf("grew after a request below the limit: %d", w.limit)
	}
	for _, want := range []int{200, 400, 800, 1000, 1000} {
		w.grow(w.limit)
		if w.limit != want {
			t.Fatalf("limit %d after a grow, want %d", w.limit, want)
		}
	}
}
