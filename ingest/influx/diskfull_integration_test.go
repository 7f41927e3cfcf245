package influx

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/spool"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestIntegrationDiskFull (issue 7, item 3) fills a real 4 MiB tmpfs with
// the spool while influxd is down, keeps failed appends retrying as the
// ingest pipeline does, then brings influxd back. Without any manual step
// every acknowledged record must be stored exactly once, the spool must
// drain, the failed appends must succeed, and a full disk must not make
// segment files pile up. It needs root (to mount the tmpfs) and influxd.
func TestIntegrationDiskFull(t *testing.T) {
	dir := testenv.Tmpfs(t, 4<<20)
	db := testenv.InfluxWith(t, testenv.InfluxOptions{DisableFlux: true})
	db.Stop(t)

	spReg := prometheus.NewRegistry()
	sp := openSpoolWith(t, spool.Options{
		Dir:          dir,
		SegmentBytes: 256 << 10,
		MaxBytes:     64 << 20, // far above the filesystem: the disk fills first
		Logger:       zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel),
		Registerer:   spReg,
	})
	w, reg, _ := realWriter(t, db, sp, nil)
	startWriter(t, w)

	// Appenders behave like ingest.Pipeline: a record counts as acknowledged
	// only when done(nil) came, and a failed append is retried until it
	// succeeds. Records i = g, g+appenders, ... are distinct points.
	const appenders = 8
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		stopNew  atomic.Bool  // no new records, finish the current ones
		failures atomic.Int64 // failed append attempts
		ackedN   atomic.Int64
		fullErr  atomic.Value // the first append error, for the log
		wg       sync.WaitGroup
	)
	for g := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; !stopNew.Load(); k++ {
				rec := event(g + appenders*k)
				for {
					err := appendOne(ctx, sp, rec)
					if err == nil {
						ackedN.Add(1)
						break
					}
					if ctx.Err() != nil || errors.Is(err, spool.ErrClosed) {
						return
					}
					fullErr.CompareAndSwap(nil, err.Error())
					failures.Add(1)
				}
			}
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()
	defer func() { cancel(); <-allDone }()

	// Phase 1: the disk fills while influxd is down.
	waitCond(t, "an append to fail on the full disk", func() bool { return failures.Load() > 0 })
	stopNew.Store(true)
	t.Logf("disk full after %d acknowledged records: %v", ackedN.Load(), fullErr.Load())
	if s, _ := fullErr.Load().(string); !strings.Contains(s, "no space left on device") {
		t.Errorf("first append error = %q, want ENOSPC", s)
	}
	filesAtFull := countSegments(t, dir)
	base := failures.Load()
	const moreFailures = 5
	waitCond(t, "failed appends to be retried", func() bool { return failures.Load() >= base+moreFailures })
	if n := countSegments(t, dir); n > filesAtFull+1 {
		t.Errorf("segment files grew from %d to %d while %d appends failed on the full disk", filesAtFull, n, moreFailures)
	}
	if got := metricValue(t, reg, "campusguard_influx_written_records_total"); got != 0 {
		t.Errorf("written_records_total = %v while influxd is down", got)
	}
	checkDiskFullReported(t, sp, spReg)

	// Phase 2: influxd returns. The writer drains the spool, which frees
	// space, and the retried appends go through on their own.
	db.Start(t)
	select {
	case <-allDone:
	case <-time.After(integrationDeadline):
		t.Fatalf("retried appends not acknowledged %s after influxd came back (depth %d, %d failures)",
			integrationDeadline, sp.Stats().Depth, failures.Load())
	}
	const after = 100
	total := int(ackedN.Load())
	appendDurable(t, sp, 1<<30, 1<<30+after, event) // intake works again
	total += after

	db.WaitCount(t, "access", total, integrationDeadline)
	waitDepth(t, sp, 0)
	if got := db.CountField(t, "access", "seq"); got != total {
		t.Errorf("points = %d, want %d (every acknowledged record once)", got, total)
	}
	// Each record was sent to InfluxDB once: no batch was written again.
	if got := metricValue(t, reg, "campusguard_influx_written_records_total"); got != float64(total) {
		t.Errorf("written_records_total = %v, want %d (a batch was written more than once)", got, total)
	}
	if got := metricValue(t, reg, "campusguard_influx_dead_letter_records_total"); got != 0 {
		t.Errorf("dead letters = %v, want 0", got)
	}
	if n := countSegments(t, dir); n > 2 {
		t.Errorf("%d segment files after draining, want at most 2", n)
	}
	checkRecovered(t, sp, spReg)
	t.Logf("%d records acknowledged, %d failed append attempts, %d stored, %v written",
		total, failures.Load(), db.CountField(t, "access", "seq"), metricValue(t, reg, "campusguard_influx_written_records_total"))
}

// appendOne appends rec and waits for its outcome.
func appendOne(ctx context.Context, sp *spool.Spool, rec []byte) error {
	done := make(chan error, 1)
	sp.Append(ctx, rec, func(err error) { done <- err })
	return <-done
}

// countSegments counts the spool's segment files in dir.
func countSegments(t testing.TB, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".seg") {
			n++
		}
	}
	return n
}

// waitCond waits until cond holds, failing after integrationDeadline.
func waitCond(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(integrationDeadline)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// checkDiskFullReported checks what readiness and operators see while the
// disk is full.
func checkDiskFullReported(t *testing.T, sp *spool.Spool, reg *prometheus.Registry) {
	t.Helper()
	if err := sp.Health(); !errors.Is(err, spool.ErrDiskFull) {
		t.Errorf("Health() = %v on a full disk, want spool.ErrDiskFull", err)
	}
	if got := metricValue(t, reg, "campusguard_spool_disk_full"); got != 1 {
		t.Errorf("spool_disk_full = %v on a full disk, want 1", got)
	}
	if got := metricValue(t, reg, "campusguard_spool_disk_errors_total", "op", "write"); got == 0 {
		t.Error("spool_disk_errors_total{op=write} = 0 on a full disk")
	}
}

// checkRecovered checks that the spool says it is healthy again, and that
// it never handed a batch out twice.
func checkRecovered(t *testing.T, sp *spool.Spool, reg *prometheus.Registry) {
	t.Helper()
	if err := sp.Health(); err != nil {
		t.Errorf("Health() = %v after recovery", err)
	}
	for _, name := range []string{"campusguard_spool_disk_full", "campusguard_spool_disk_failing", "campusguard_spool_rewound_records_total"} {
		if got := metricValue(t, reg, name); got != 0 {
			t.Errorf("%s = %v after recovery, want 0", name, got)
		}
	}
	if got := metricValue(t, reg, "campusguard_spool_disk_errors_total", "op", "cursor"); got != 0 {
		t.Errorf("spool_disk_errors_total{op=cursor} = %v: committing needed free space", got)
	}
}
