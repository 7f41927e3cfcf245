package deadline

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// The benchmarks model the offline watch of a city: n devices, each
// heartbeat every 60 s moving the device's offline deadline to 3 minutes
// after it, so at any time the deadlines spread over the next 3 minutes.
const (
	devices   = 1_000_000
	heartbeat = 60 * time.Second
	offline   = 3 * time.Minute
)

// deviceKeys returns n timer keys shaped like the engine's.
func deviceKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("alarm/offline/dev-%07d", i)
	}
	return keys
}

// steadySet returns a Set of keys whose deadlines are those of devices
// that heartbeat in key order, one every heartbeat/len(keys), the last
// one just before base: key i is due at base + offline - heartbeat + i·step.
func steadySet(keys []string) (*Set[string], time.Duration) {
	step := heartbeat / time.Duration(len(keys))
	s := New[string]()
	for i, k := range keys {
		s.Schedule(k, base.Add(offline-heartbeat+time.Duration(i)*step))
	}
	return s, step
}

// BenchmarkSchedule1M moves one deadline of 1,000,000 later, as a
// heartbeat does (ns and allocations per heartbeat).
func BenchmarkSchedule1M(b *testing.B) {
	keys := deviceKeys(devices)
	// heartbeats in the steady order: the moved key holds the earliest
	// deadline and goes to the latest.
	b.Run("in-order", func(b *testing.B) {
		s, step := steadySet(keys)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			now := base.Add(time.Duration(i) * step)
			s.Schedule(keys[i%devices], now.Add(offline))
		}
	})
	// heartbeats from random devices: the moved key is anywhere.
	b.Run("random", func(b *testing.B) {
		s, step := steadySet(keys)
		r := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			now := base.Add(time.Duration(i) * step)
			s.Schedule(keys[r.IntN(devices)], now.Add(offline))
		}
	})
}

// BenchmarkPopDue1M advances the clock 1 s per op over 1,000,000 deadlines
// spread evenly over 3 minutes, so 1/180 of them fire each tick and the
// callback re-schedules each 3 minutes later (ns per tick).
func BenchmarkPopDue1M(b *testing.B) {
	keys := deviceKeys(devices)
	step := offline / devices
	s := New[string]()
	for i, k := range keys {
		s.Schedule(k, base.Add(time.Duration(i+1)*step))
	}
	again := func(k string, at time.Time) { s.Schedule(k, at.Add(offline)) }
	fired := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		fired += s.PopDue(base.Add(time.Duration(i+1)*time.Second), again)
	}
	b.StopTimer()
	b.ReportMetric(float64(fired)/float64(b.N), "fired/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(fired), "ns/fired")
}

// BenchmarkMemory1M builds a Set of 1,000,000 keys (ns per build) and
// reports the heap it holds per key, keys' own strings excluded.
func BenchmarkMemory1M(b *testing.B) {
	keys := deviceKeys(devices)
	var perKey float64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, _ := steadySet(keys)
		runtime.GC()
		runtime.ReadMemStats(&after)
		perKey += float64(after.HeapAlloc-before.HeapAlloc) / devices
		runtime.KeepAlive(s)
	}
	b.ReportMetric(perKey/float64(b.N), "B/key")
}
