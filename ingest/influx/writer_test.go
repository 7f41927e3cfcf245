package influx

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunWritesAndCommits(t *testing.T) {
	for _, gz := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "gzip"}[gz]
		t.Run(name, func(t *testing.T) {
			db := newFakeInflux(t)
			src := newFakeSource(lines(10, 1000)...)
			w, reg := testWriter(t, db.URL, src, func(o *Options) { o.BatchRecords = 4; o.Gzip = gz })
			runWriter(t, w)

			src.waitUntil(t, "10 records committed", func(s *fakeSource) bool { return s.committed == 10 })
			if got := db.count(); got != 10 {
				t.Fatalf("influx has %d points, want 10", got)
			}
			if got := db.writeCount(); got != 3 {
				t.Errorf("write requests = %d, want 3 (batches of 4)", got)
			}
			if got := db.auth[0]; got != "Token writer:s3cret" {
				t.Errorf("Authorization = %q, want the 1.8 user:password token", got)
			}
			if got := metricValue(t, reg, "campusguard_influx_written_records_total"); got != 10 {
				t.Errorf("written_records_total = %v, want 10", got)
			}
			if got := metricValue(t, reg, "campusguard_influx_write_batches_total"); got != 3 {
				t.Errorf("write_batches_total = %v, want 3", got)
			}
			if got := metricValue(t, reg, "campusguard_influx_up"); got != 1 {
				t.Errorf("up = %v, want 1", got)
			}
			if got := metricValue(t, reg, "campusguard_influx_write_duration_seconds"); got != 3 {
				t.Errorf("write_duration_seconds count = %v, want 3", got)
			}
			for _, kind := range []string{"transient", "permanent"} {
				if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", kind); got != 0 {
					t.Errorf("write_errors_total{kind=%s} = %v, want 0", kind, got)
				}
			}
			if !w.Healthy() || w.LastError() != nil {
				t.Errorf("Healthy() = %v, LastError() = %v after success", w.Healthy(), w.LastError())
			}
			// Records appended later are written as soon as they are there.
			src.append(lines(3, 2000)...)
			src.waitUntil(t, "13 records committed", func(s *fakeSource) bool { return s.committed == 13 })
			if !db.has("m,dev=d2", 2002) {
				t.Error("late record missing")
			}
		})
	}
}

// gate is a waitFunc the test steps through: each retry announces its delay
// on delays and waits for release, so the test sees the state between
// attempts.
type gate struct {
	delays  chan time.Duration
	release chan struct{}
}

func newGate() *gate { return &gate{delays: make(chan time.Duration), release: make(chan struct{})} }

func (g *gate) wait(ctx context.Context, d time.Duration) error {
	select {
	case g.delays <- d:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-g.delays:
		return d
	case <-time.After(testDeadline):
		t.Fatal("timed out waiting for a retry")
		return 0
	}
}

func TestRunRetriesTransientErrors(t *testing.T) {
	status := func(code int, header ...string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			httpError(w, code, http.StatusText(code))
		}
	}
	hangUp := func(w http.ResponseWriter) { // a network error: the connection drops
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	cases := []struct {
		name    string
		answer  func(http.ResponseWriter)
		minWait time.Duration // Retry-After honoured
	}{
		{"500 internal error", status(http.StatusInternalServerError), 0},
		{"503 with retry-after", status(http.StatusServiceUnavailable, "Retry-After", "2"), 2 * time.Second},
		{"429 too many requests", status(http.StatusTooManyRequests), 0},
		{"401 bad credentials", status(http.StatusUnauthorized), 0},
		{"403 forbidden", status(http.StatusForbidden), 0},
		{"404 database not found", status(http.StatusNotFound), 0},
		{"connection dropped", hangUp, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const failures = 3
			db := newFakeInflux(t)
			db.inject = func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n > failures {
					return false
				}
				tc.answer(w)
				return true
			}
			src := newFakeSource(lines(5, 0)...)
			w, reg := testWriter(t, db.URL, src, nil)
			g := newGate()
			w.wait = g.wait
			runWriter(t, w)

			for i := range failures {
				d := g.next(t)
				if d < tc.minWait {
					t.Errorf("retry %d after %s, want at least the Retry-After %s", i, d, tc.minWait)
				}
				if _, committed, _ := src.state(); committed != 0 {
					t.Fatalf("committed %d records while InfluxDB fails", committed)
				}
				if w.Healthy() || w.LastError() == nil {
					t.Errorf("Healthy() = true during failures")
				}
				if got := metricValue(t, reg, "campusguard_influx_up"); got != 0 {
					t.Errorf("up = %v during failures, want 0", got)
				}
				g.release <- struct{}{}
			}
			src.waitUntil(t, "all committed", func(s *fakeSource) bool { return s.committed == 5 })
			if got := db.count(); got != 5 {
				t.Errorf("influx has %d points, want 5", got)
			}
			if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", "transient"); got != failures {
				t.Errorf("transient errors = %v, want %d", got, failures)
			}
			if got := metricValue(t, reg, "campusguard_influx_dead_letter_records_total"); got != 0 {
				t.Errorf("dead letters = %v, want 0", got)
			}
			if !w.Healthy() {
				t.Errorf("not healthy after recovery: %v", w.LastError())
			}
		})
	}
}

// TestRunTimesOutHungRequests: a request InfluxDB never answers is
// abandoned when its timeout expires, counted as one transient error and
// retried. The test expires the first request's deadline itself once the
// server holds it, so a loaded machine cannot make later requests time out
// too (it once saw 3 transient errors with a real 50 ms timeout).
func TestRunTimesOutHungRequests(t *testing.T) {
	db := newFakeInflux(t)
	hung := make(chan struct{})
	db.inject = func(n int, _ http.ResponseWriter, r *http.Request) bool {
		if n > 1 {
			return false
		}
		close(hung)
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
		<-r.Context().Done()               // until the client gives up
		return true
	}
	src := newFakeSource(lines(2, 0)...)
	w, reg := testWriter(t, db.URL, src, func(o *Options) { o.Timeout = 7 * time.Second })
	expire := make(chan struct{})
	var requests atomic.Int32
	w.withTimeout = func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
		if d != 7*time.Second {
			t.Errorf("request timeout = %s, want Options.Timeout 7s", d)
		}
		if requests.Add(1) > 1 {
			return context.WithCancel(ctx) // later requests never time out here
		}
		rctx, cancel := context.WithCancelCause(ctx)
		go func() {
			select {
			case <-expire:
				cancel(context.DeadlineExceeded)
			case <-rctx.Done():
			}
		}()
		return rctx, func() { cancel(context.Canceled) }
	}
	runWriter(t, w)
	<-hung
	if _, committed, _ := src.state(); committed != 0 {
		t.Fatalf("committed %d records while the request hangs", committed)
	}
	close(expire) // the first request's deadline passes
	src.waitUntil(t, "committed after the timeout", func(s *fakeSource) bool { return s.committed == 2 })
	if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", "transient"); got != 1 {
		t.Errorf("transient errors = %v, want 1", got)
	}
	if got := db.writeCount(); got != 2 {
		t.Errorf("write requests = %d, want 2 (the hung one and its retry)", got)
	}
}

func TestRunDeadLettersRejectedRecords(t *testing.T) {
	bad := `m,dev=d1 v="text" 50` + "\n" // v is an integer field: a field type conflict
	unparsable := "m,dev=d1 v= 60\n"
	cases := []struct {
		name   string
		insert map[int]string // index in the batch -> bad record
	}{
		{"one in the middle", map[int]string{4: bad}},
		{"first", map[int]string{0: bad}},
		{"last", map[int]string{9: bad}},
		{"two apart", map[int]string{2: bad, 7: unparsable}},
		{"neighbours", map[int]string{5: bad, 6: unparsable}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := newFakeInflux(t)
			// Settle v's type first, as an existing database would have it.
			db.store("m,dev=d0 v=1i 1")
			recs := lines(10, 100)
			for i, r := range tc.insert {
				recs[i] = r
			}
			src := newFakeSource(recs...)
			w, reg := testWriter(t, db.URL, src, nil)
			runWriter(t, w)

			src.waitUntil(t, "batch committed", func(s *fakeSource) bool { return s.committed == 10 })
			good := 10 - len(tc.insert)
			if got := db.count() - 1; got != good {
				t.Errorf("influx has %d new points, want %d", got, good)
			}
			for i := range 10 {
				if _, isBad := tc.insert[i]; !isBad && !db.has("m,dev=d"+string(rune('0'+i%7)), 100+i) {
					t.Errorf("good record %d missing", i)
				}
			}
			entries := readDeadLetters(t, w.opts.DeadLetterDir)
			if len(entries) != len(tc.insert) {
				t.Fatalf("dead letters = %d, want %d: %+v", len(entries), len(tc.insert), entries)
			}
			var want []string
			for i := range 10 {
				if r, ok := tc.insert[i]; ok {
					want = append(want, r)
				}
			}
			for i, e := range entries {
				if e.Record != want[i] {
					t.Errorf("dead letter %d record = %q, want %q", i, e.Record, want[i])
				}
				if e.Status != http.StatusBadRequest || !strings.Contains(e.Error, "partial write") {
					t.Errorf("dead letter %d: status %d error %q, want 400 with the server's message", i, e.Status, e.Error)
				}
				if e.Bucket != "db/autogen" || e.Time.IsZero() || len(e.SHA256) != 64 {
					t.Errorf("dead letter %d incomplete: %+v", i, e)
				}
			}
			if got := metricValue(t, reg, "campusguard_influx_dead_letter_records_total"); got != float64(len(tc.insert)) {
				t.Errorf("dead_letter_records_total = %v, want %d", got, len(tc.insert))
			}
			if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", "permanent"); got == 0 {
				t.Error("permanent errors not counted")
			}
			if got := metricValue(t, reg, "campusguard_influx_up"); got != 1 {
				t.Errorf("up = %v: InfluxDB answered, want 1", got)
			}
		})
	}
}

func TestRunDeadLetterFileAppends(t *testing.T) {
	db := newFakeInflux(t)
	db.store("m,dev=d0 v=1i 1")
	src := newFakeSource(`m,dev=d0 v="a" 2` + "\n")
	w, _ := testWriter(t, db.URL, src, func(o *Options) { o.BatchRecords = 1 })
	runWriter(t, w)
	src.waitUntil(t, "first committed", func(s *fakeSource) bool { return s.committed == 1 })
	src.append("m,dev=d0 v=\"\xff\" 3\n") // not UTF-8: kept byte for byte
	src.waitUntil(t, "second committed", func(s *fakeSource) bool { return s.committed == 2 })
	entries := readDeadLetters(t, w.opts.DeadLetterDir)
	if len(entries) != 2 {
		t.Fatalf("dead letters = %d, want 2", len(entries))
	}
	if entries[1].Record != "" || entries[1].RecordBase64 == "" {
		t.Errorf("non-UTF-8 record not kept as base64: %+v", entries[1])
	}
	fi, err := os.Stat(filepath.Join(w.opts.DeadLetterDir, DeadLetterFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("dead-letter file mode %v, want 0600", fi.Mode().Perm())
	}
}

func readDeadLetters(t *testing.T, dir string) []DeadLetter {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, DeadLetterFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []DeadLetter
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e DeadLetter
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("dead-letter line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func TestRunStopsPromptly(t *testing.T) {
	cases := []struct {
		name string
		// setup returns the source and a function that blocks until the
		// writer is busy in the state under test.
		setup func(t *testing.T, db *fakeInflux, w *Writer) (src *fakeSource, busy func())
	}{
		{"waiting for records", func(t *testing.T, _ *fakeInflux, _ *Writer) (*fakeSource, func()) {
			src := newFakeSource()
			return src, func() { src.waitUntil(t, "a read", func(s *fakeSource) bool { return s.reads > 0 }) }
		}},
		{"request in flight", func(_ *testing.T, db *fakeInflux, _ *Writer) (*fakeSource, func()) {
			inFlight := make(chan struct{})
			db.inject = func(n int, _ http.ResponseWriter, r *http.Request) bool {
				if n == 1 {
					close(inFlight)
				}
				_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client hanging up
				<-r.Context().Done()
				return true
			}
			return newFakeSource(lines(3, 0)...), func() { <-inFlight }
		}},
		{"backing off", func(_ *testing.T, db *fakeInflux, w *Writer) (*fakeSource, func()) {
			db.inject = func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				httpError(w, http.StatusServiceUnavailable, "down")
				return true
			}
			waiting := make(chan struct{})
			w.bo = newBackoff(time.Hour, time.Hour)
			w.wait = func(ctx context.Context, d time.Duration) error {
				close(waiting) // once: the test ends at the first wait
				return sleep(ctx, d)
			}
			return newFakeSource(lines(3, 0)...), func() { <-waiting }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := newFakeInflux(t)
			w, _ := testWriter(t, db.URL, newFakeSource(), nil)
			src, busy := tc.setup(t, db, w)
			w.src = src
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			busy()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil", err)
				}
			case <-time.After(testDeadline):
				// No assertion on how long it took: only that it returns
				// (the backing-off case waits an hour otherwise).
				t.Fatal("Run did not return after cancel")
			}
			read, committed, rewinds := src.state()
			if committed != 0 {
				t.Errorf("committed %d records that were not written", committed)
			}
			if read != committed || rewinds == 0 {
				t.Errorf("reader at %d after stop, want rewound to the committed cursor %d", read, committed)
			}
		})
	}
}
