package influx

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/spool"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// These tests run against a real influxd 1.8 (ingest/testenv: skipped when
// it is missing, failed when CAMPUSGUARD_REQUIRE_SERVERS=1) and a real spool.

// integrationDeadline bounds waits that include an influxd restart.
const integrationDeadline = 60 * time.Second

// baseTime is where the records' timestamps start; each record is 1ms after
// the previous, so every record is a distinct point.
var baseTime = time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)

// event makes the line protocol of record i: one point, distinct timestamp.
func event(i int) []byte {
	return fmt.Appendf(nil, "access,region=130802,school=s%d,kind=access,device=d%d seq=%di,person=\"p-%d\" %d\n",
		i%20, i%200, i, i, baseTime.Add(time.Duration(i)*time.Millisecond).UnixNano())
}

// openSpool opens a spool in t.TempDir() and runs its committer until the
// test ends.
func openSpool(t testing.TB) *spool.Spool {
	t.Helper()
	return openSpoolWith(t, spool.Options{Dir: t.TempDir(), Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)})
}

// openSpoolWith opens a spool with opts and runs its committer until the
// test ends.
func openSpoolWith(t testing.TB, opts spool.Options) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sp.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("spool Run: %v", err)
		}
		if err := sp.Close(); err != nil {
			t.Errorf("spool Close: %v", err)
		}
	})
	return sp
}

// appendDurable appends records [from, to) made by rec and waits until all
// are durable, as the MQTT side does before acknowledging.
func appendDurable(t testing.TB, sp *spool.Spool, from, to int, rec func(int) []byte) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, to-from)
	for i := from; i < to; i++ {
		wg.Add(1)
		sp.Append(context.Background(), rec(i), func(err error) {
			if err != nil {
				errs <- err
			}
			wg.Done()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(integrationDeadline):
		t.Fatal("appends not durable in time")
	}
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
}

// realWriter builds a Writer against db reading sp, with fast retries (edit
// may change the options); retries
// are announced on the returned channel (dropped when nobody listens).
func realWriter(t testing.TB, db *testenv.InfluxServer, sp Source, edit func(*Options)) (*Writer, *prometheus.Registry, <-chan time.Duration) {
	t.Helper()
	reg := prometheus.NewRegistry()
	opts := Defaults()
	opts.URL = db.URL()
	opts.Bucket = db.Bucket()
	opts.DeadLetterDir = t.TempDir()
	opts.RetryMin = 10 * time.Millisecond
	opts.RetryMax = 200 * time.Millisecond
	opts.Registerer = reg
	opts.Logger = zerolog.New(zerolog.NewTestWriter(t))
	if edit != nil {
		edit(&opts)
	}
	w, err := New(opts, sp)
	if err != nil {
		t.Fatal(err)
	}
	retries := make(chan time.Duration, 1)
	w.wait = func(ctx context.Context, d time.Duration) error {
		select {
		case retries <- d:
		default:
		}
		return sleep(ctx, d)
	}
	return w, reg, retries
}

// startWriter runs w until the test ends.
func startWriter(t testing.TB, w *Writer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func TestIntegrationDrainsSpool(t *testing.T) {
	db := testenv.InfluxWith(t, testenv.InfluxOptions{DisableFlux: true})
	sp := openSpool(t)
	const n = 10_000
	appendDurable(t, sp, 0, n, event)

	w, reg, _ := realWriter(t, db, sp, nil)
	start := time.Now()
	startWriter(t, w)
	db.WaitCount(t, "access", n, integrationDeadline)
	t.Logf("%d records spool -> influxd in %s", n, time.Since(start).Round(time.Millisecond))

	waitDepth(t, sp, 0)
	if got := metricValue(t, reg, "campusguard_influx_written_records_total"); got != n {
		t.Errorf("written_records_total = %v, want %d", got, n)
	}
	if got := metricValue(t, reg, "campusguard_influx_dead_letter_records_total"); got != 0 {
		t.Errorf("dead letters = %v, want 0", got)
	}
	if err := w.Ready(context.Background()); err != nil {
		t.Errorf("Ready = %v", err)
	}
}

func TestIntegrationSurvivesInfluxOutage(t *testing.T) {
	db := testenv.InfluxWith(t, testenv.InfluxOptions{DisableFlux: true})
	sp := openSpool(t)
	w, reg, retries := realWriter(t, db, sp, nil)
	startWriter(t, w)

	const before, chunks, chunk = 2000, 10, 300
	appendDurable(t, sp, 0, before, event)
	db.WaitCount(t, "access", before, integrationDeadline)
	waitDepth(t, sp, 0)

	db.Stop(t)
	next := before
	var depth int64
	for c := range chunks {
		appendDurable(t, sp, next, next+chunk, event)
		next += chunk
		// The writer fails and retries; nothing is committed meanwhile.
		for range 2 {
			select {
			case <-retries:
			case <-time.After(integrationDeadline):
				t.Fatalf("chunk %d: the writer stopped retrying", c)
			}
		}
		d := sp.Stats().Depth
		if d <= depth {
			t.Fatalf("chunk %d: spool depth %d did not grow from %d while influxd is down", c, d, depth)
		}
		depth = d
	}
	if depth != chunks*chunk {
		t.Errorf("spool depth = %d while influxd is down, want %d", depth, chunks*chunk)
	}
	if w.Healthy() {
		t.Error("Healthy() while influxd is down")
	}
	if got := metricValue(t, reg, "campusguard_influx_write_errors_total", "kind", "transient"); got < 2*chunks {
		t.Errorf("transient errors = %v, want at least %d", got, 2*chunks)
	}

	db.Start(t)
	db.WaitCount(t, "access", next, integrationDeadline)
	waitDepth(t, sp, 0)
	// Exactly once: every record is its own point, and none is missing or extra.
	if got := db.CountField(t, "access", "seq"); got != next {
		t.Errorf("points with seq = %d, want %d", got, next)
	}
	if got := metricValue(t, reg, "campusguard_influx_dead_letter_records_total"); got != 0 {
		t.Errorf("dead letters = %v, want 0", got)
	}
	if !w.Healthy() || metricValue(t, reg, "campusguard_influx_up") != 1 {
		t.Errorf("not healthy after influxd came back: %v", w.LastError())
	}
}

// TestIntegrationRejectedRecords shows what InfluxDB 1.8 does with records it
// will not store, through /api/v2/write:
//   - a field type conflict with a type already stored: 400, body
//     {"error":"partial write: field type conflict: ... dropped=N"}; the
//     other points of the request ARE stored;
//   - a line that does not parse: 400 "partial write: unable to parse ...
//     dropped=0" and the other points are stored; alone in a request, 400
//     "unable to parse ...";
//   - a type conflict inside one request on a new field: 400 "field type
//     conflict" and NOTHING of the request is stored.
//
// All are 400, so the writer splits the request until the culprits stand
// alone; the first point to reach InfluxDB fixes a new field's type.
func TestIntegrationRejectedRecords(t *testing.T) {
	db := testenv.InfluxWith(t, testenv.InfluxOptions{DisableFlux: true})
	db.Write(t, fmt.Sprintf("access,school=seed seq=0i %d\n", baseTime.Add(-time.Hour).UnixNano()))
	sp := openSpool(t)

	const n = 500
	bad := map[int]string{
		100: fmt.Sprintf("access,school=s0 seq=\"oops\" %d\n", baseTime.UnixNano()+1), // conflicts with integer seq
		101: "access,school=s0 seq= 5\n",                                              // does not parse
		300: fmt.Sprintf("access,school=s1 seq=1.5 %d\n", baseTime.UnixNano()+2),      // float into integer
		// A new measurement: the first record sets v's type, the next two conflict with it.
		400: fmt.Sprintf("kitchen,school=s2 v=\"text\" %d\n", baseTime.UnixNano()),
		401: fmt.Sprintf("kitchen,school=s2 v=1i %d\n", baseTime.UnixNano()+1),
		402: fmt.Sprintf("kitchen,school=s2 v=2i %d\n", baseTime.UnixNano()+2),
	}
	rec := func(i int) []byte {
		if r, ok := bad[i]; ok {
			return []byte(r)
		}
		return event(i)
	}
	appendDurable(t, sp, 0, n, rec)
	w, reg, _ := realWriter(t, db, sp, nil)
	startWriter(t, w)

	good := n - len(bad)
	db.WaitCount(t, "access", good+1, integrationDeadline)
	waitDepth(t, sp, 0)
	if got := db.Count(t, "kitchen"); got != 1 {
		t.Errorf("kitchen points = %d, want 1 (the first one fixes the type)", got)
	}
	entries := readDeadLetters(t, w.opts.DeadLetterDir)
	want := []int{100, 101, 300, 401, 402}
	if len(entries) != len(want) {
		t.Fatalf("dead letters = %d, want %d: %+v", len(entries), len(want), entries)
	}
	for i, e := range entries {
		if e.Record != bad[want[i]] {
			t.Errorf("dead letter %d = %q, want %q", i, e.Record, bad[want[i]])
		}
		if e.Status != 400 || !strings.Contains(e.Error, "http 400: ") {
			t.Errorf("dead letter %d: status %d, error %q; want 400 with InfluxDB's message", i, e.Status, e.Error)
		}
		t.Logf("influxd 1.8 rejected %q: %s", strings.TrimSpace(e.Record), e.Error)
	}
	if got := metricValue(t, reg, "campusguard_influx_dead_letter_records_total"); got != float64(len(want)) {
		t.Errorf("dead_letter_records_total = %v, want %d", got, len(want))
	}
}

// waitDepth waits until the spool's depth is want (the writer committed).
func waitDepth(t testing.TB, sp *spool.Spool, want int64) {
	t.Helper()
	deadline := time.Now().Add(integrationDeadline)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for sp.Stats().Depth != want {
		if time.Now().After(deadline) {
			t.Fatalf("spool depth %d, want %d", sp.Stats().Depth, want)
		}
		<-tick.C
	}
}
