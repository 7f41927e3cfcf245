package spool

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/rs/zerolog"
)

func TestMetricsRegistered(t *testing.T) {
	opts := testOptions(t)
	h := start(t, opts)
	h.appendAll(records("m", 5))
	h.readN(2, 2, true)

	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	help := map[string]string{}
	for _, mf := range mfs {
		help[mf.GetName()] = mf.GetHelp()
	}
	for _, name := range []string{
		"campusguard_spool_records", "campusguard_spool_bytes", "campusguard_spool_max_bytes",
		"campusguard_spool_appended_records_total", "campusguard_spool_committed_records_total",
		"campusguard_spool_fsync_seconds", "campusguard_spool_full_waits_total",
		"campusguard_spool_corrupt_records_total", "campusguard_spool_append_errors_total",
		"campusguard_spool_disk_errors_total", "campusguard_spool_disk_full",
		"campusguard_spool_disk_failing", "campusguard_spool_rewound_records_total",
	} {
		if help[name] == "" {
			t.Errorf("metric %s missing or without help", name)
		}
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}

	for name, want := range map[string]float64{
		"campusguard_spool_records":                 3,
		"campusguard_spool_bytes":                   float64(h.Stats().Bytes),
		"campusguard_spool_max_bytes":               float64(opts.MaxBytes),
		"campusguard_spool_appended_records_total":  5,
		"campusguard_spool_committed_records_total": 2,
		"campusguard_spool_append_errors_total":     0,
		"campusguard_spool_disk_errors_total":       0,
		"campusguard_spool_disk_full":               0,
		"campusguard_spool_disk_failing":            0,
		"campusguard_spool_rewound_records_total":   0,
	} {
		if got := metricValue(t, h.reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func TestMetricsRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := testOptions(t)
	a.Registerer = reg
	h := start(t, a)

	b := testOptions(t)
	b.Registerer = reg
	if _, err := Open(b); err == nil || !strings.Contains(err.Error(), "register metrics") {
		t.Fatalf("second spool on one registry: %v, want a registration error", err)
	}
	b.Registerer = nil // no metrics at all is fine
	s, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	h.stop() // unregisters, so the registry can take a new spool
	b.Registerer = reg
	s, err = Open(b)
	if err != nil {
		t.Fatalf("open after the first spool closed: %v", err)
	}
	s.Close()
}

// syncBuffer is a log sink safe for the committer and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) count(msg string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.b.String(), msg)
}

func TestUsageWarningRateLimited(t *testing.T) {
	opts := boundOptions(t) // 1024 bytes; warn at 819
	var logs syncBuffer
	opts.Logger = zerolog.New(&logs)
	var mu sync.Mutex
	now := time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)
	opts.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := start(t, opts)

	const warning = `"message":"spool usage above warning level"`
	cross := func() {
		t.Helper()
		h.appendAll([][]byte{bytes.Repeat([]byte("w"), 500), bytes.Repeat([]byte("w"), 400)})
		h.readN(2, 2, true)
	}
	cross()
	if n := logs.count(warning); n != 1 {
		t.Fatalf("%d warnings after crossing, want 1", n)
	}
	if logs.count(`"component":"ingest.spool"`) == 0 {
		t.Fatal("logs lack component=ingest.spool")
	}
	cross() // again within the minute: suppressed
	if n := logs.count(warning); n != 1 {
		t.Fatalf("%d warnings after crossing twice in a minute, want 1", n)
	}
	advance(warnInterval)
	cross()
	if n := logs.count(warning); n != 2 {
		t.Fatalf("%d warnings after a minute, want 2", n)
	}
}
