package sim

import (
	"runtime"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// BenchmarkStep measures generation without a broker, on a generated
// registry. Each op of "school-day" is one virtual school day of 20 schools
// (realistic traffic, every day a school day); each op of "load" is one
// virtual second at Rate 100,000 msg/s on top of it. msgs/s is what one core
// generates; allocs/msg is allocations per message.
func BenchmarkStep(b *testing.B) {
	reg := devices.Generate(devices.GenerateOptions{Seed: 1, Schools: 20})
	always := func(*devices.School, time.Time) bool { return true }
	run := func(b *testing.B, opts Options, step, op time.Duration) {
		opts.Registry, opts.Start, opts.SchoolDay, opts.Seed = reg, monday, always, 1
		s, err := New(opts, nil)
		if err != nil {
			b.Fatal(err)
		}
		var n, bytes int
		emit := func(_ string, _ bool, payload []byte) { n++; bytes += len(payload) }
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.ReportAllocs()
		b.ResetTimer()
		now := monday
		for range b.N {
			for end := now.Add(op); now.Before(end); {
				now = now.Add(step)
				s.Step(now, emit)
			}
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
		b.ReportMetric(float64(n)/float64(b.N), "msgs/op")
		b.ReportMetric(float64(bytes)/float64(n), "B/msg")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/msg")
	}
	b.Run("school-day", func(b *testing.B) { run(b, Options{}, time.Second, 24*time.Hour) })
	b.Run("load", func(b *testing.B) { run(b, Options{Rate: 100000}, 10*time.Millisecond, time.Second) })
}
