package spool

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkAppend measures parallel appends of 300-byte records through
// group commit. Each appender waits for its record to be durable before the
// next, like an MQTT handler that acknowledges after the spool; a reader
// drains and commits meanwhile so segments are recycled.
func BenchmarkAppend(b *testing.B) {
	reg := prometheus.NewRegistry()
	opts := Options{Dir: b.TempDir(), SegmentBytes: 4 << 20, MaxBytes: 64 << 20, Registerer: reg}
	s, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx) }()
	readErr := make(chan error, 1)
	go func() {
		for {
			batch, err := s.Read(ctx, 4096, 4<<20)
			if err == nil {
				err = s.Commit(batch)
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()

	rec := make([]byte, 300)
	b.SetBytes(int64(len(rec)))
	b.SetParallelism(16) // 16 appenders per CPU
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		done := make(chan error, 1)
		ack := func(err error) { done <- err }
		for pb.Next() {
			s.Append(ctx, rec, ack)
			if err := <-done; err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/metricValue(b, reg, "campusguard_spool_fsync_seconds"), "records/fsync")

	cancel()
	if err := <-runErr; err != nil {
		b.Fatal(err)
	}
	if err := <-readErr; !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}
