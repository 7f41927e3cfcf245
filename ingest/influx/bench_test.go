package influx

import (
	"context"
	"testing"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// BenchmarkWriteBatch writes batches of Defaults().BatchRecords records (one
// point each, distinct timestamps) to a real influxd 1.8 and reports
// records/s; it is skipped when influxd is missing.
func BenchmarkWriteBatch(b *testing.B) {
	for _, gz := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(b *testing.B) {
			db := testenv.InfluxWith(b, testenv.InfluxOptions{DisableFlux: true})
			w, _, _ := realWriter(b, db, newFakeSource(), func(o *Options) { o.Gzip = gz })
			size := Defaults().BatchRecords
			ctx := context.Background()
			next := 0
			batch := func() [][]byte {
				recs := make([][]byte, size)
				for i := range recs {
					recs[i] = event(next)
					next++
				}
				return recs
			}
			bytes := 0
			for _, r := range batch() {
				bytes += len(r)
			}
			b.SetBytes(int64(bytes))
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				recs := batch()
				b.StartTimer()
				var rejected []DeadLetter
				if err := w.writeSplit(ctx, recs, &rejected); err != nil || len(rejected) > 0 {
					b.Fatalf("write: %v, rejected %d", err, len(rejected))
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
