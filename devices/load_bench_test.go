package devices

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// benchSchools sets the size of the registry the load benchmarks load:
// 16,600 schools are about 100,000 devices (-bench-schools 166000 for a
// million; that needs about 1.5 GiB).
var benchSchools = flag.Int("bench-schools", 16600, "schools in the load benchmarks' registry")

// benchRegistry writes a generated registry of benchSchools schools as YAML
// and compiled into dir.
func benchRegistry(dir string) (string, string) {
	yamlPath, cgrPath := filepath.Join(dir, "r.yaml"), filepath.Join(dir, "r.cgr")
	f, err := os.Create(yamlPath)
	if err != nil {
		panic(err)
	}
	sw, err := NewSchoolWriter(f, GenerateHead())
	if err != nil {
		panic(err)
	}
	if err := GenerateEach(GenerateOptions{Seed: 1, Schools: *benchSchools}, sw.Write); err != nil {
		panic(err)
	}
	if err := sw.Close(); err != nil {
		panic(err)
	}
	f.Close()
	r, err := Load(yamlPath)
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := r.WriteCompiled(&buf); err != nil {
		panic(err)
	}
	if err := os.WriteFile(cgrPath, buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
	return yamlPath, cgrPath
}

// BenchmarkLoad loads a generated registry (YAML and compiled) and reports
// seconds per load, live heap bytes per device once loaded, and the peak
// heap during the load (sampled every millisecond) per device.
//
//	go test -run '^$' -bench 'Load/' -benchtime 3x ./devices/
func BenchmarkLoad(b *testing.B) {
	yamlPath, cgrPath := benchRegistry(b.TempDir())
	for _, c := range []struct{ name, path string }{{"yaml", yamlPath}, {"compiled", cgrPath}} {
		b.Run(c.name, func(b *testing.B) {
			var live, peak, devices uint64
			var secs float64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				base := heapBytes()
				stop := make(chan struct{})
				peakc := make(chan uint64)
				go samplePeak(stop, peakc)
				start := time.Now()
				r, err := Load(c.path)
				secs += time.Since(start).Seconds()
				close(stop)
				p := <-peakc
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				devices = uint64(r.DeviceCount())
				live += heapBytes() - base
				peak += max(p, base) - base
				runtime.KeepAlive(r)
			}
			n := float64(b.N)
			b.ReportMetric(secs/n, "s/load")
			b.ReportMetric(float64(live)/n/float64(devices), "heapB/device")
			b.ReportMetric(float64(peak)/n/float64(devices), "peakheapB/device")
			b.ReportMetric(float64(devices), "devices")
		})
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func samplePeak(stop <-chan struct{}, out chan<- uint64) {
	var peak uint64
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		peak = max(peak, heapBytes())
		select {
		case <-stop:
			out <- max(peak, heapBytes())
			return
		case <-t.C:
		}
	}
}
