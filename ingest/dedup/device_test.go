package dedup_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/dedup"
)

// registry returns an indexed registry of one school with the given device
// ids, in that order (their indexes).
func registry(ids ...string) *devices.Registry {
	r := &devices.Registry{Schools: []devices.School{{ID: "s1", Region: "130802"}}}
	for _, id := range ids {
		r.Schools[0].Devices = append(r.Schools[0].Devices, devices.Device{ID: id, Kind: devices.KindAccess})
	}
	r.Index()
	return r
}

func dev(t testing.TB, r *devices.Registry, id string) *devices.Device {
	t.Helper()
	d, ok := r.Device(id)
	if !ok {
		t.Fatalf("no device %s", id)
	}
	return d
}

func TestClaim(t *testing.T) {
	c := newClock()
	tr := dedup.New(window, c.Now)
	if !tr.Claim("gate-01", "e-1") {
		t.Fatal("first claim not new")
	}
	if tr.Claim("gate-01", "e-1") || !tr.Seen("gate-01", "e-1") {
		t.Fatal("second claim new, or pair not seen after claim")
	}
	if !tr.Claim("gate-01", "e-2") || !tr.Claim("gate-02", "e-1") {
		t.Fatal("other pairs not new")
	}
	c.Advance(window) // the pair moves to the older generation: still seen
	if tr.Claim("gate-01", "e-1") {
		t.Fatal("claimed again within two windows")
	}
	tr.Forget("gate-01", "e-1")
	if !tr.Claim("gate-01", "e-1") {
		t.Fatal("not new after forget")
	}
	c.Advance(2 * window)
	if !tr.Claim("gate-01", "e-2") {
		t.Fatal("not new after two windows")
	}
}

// TestSeqGapDevice runs TestSeqGap's rule through the by-index path.
func TestSeqGapDevice(t *testing.T) {
	r := registry("a", "b")
	a, b := dev(t, r, "a"), dev(t, r, "b")
	tr := dedup.New(window, newClock().Now)
	for i, step := range []struct {
		dev      *devices.Device
		seq, gap int64
	}{
		{a, 10, 0}, {a, 11, 0}, {a, 14, 2}, {a, 14, 0}, {a, 3, 0}, {a, 4, 0},
		{b, 100, 0}, {a, 6, 1}, {b, 101, 0}, {b, 105, 3},
	} {
		if got := tr.SeqGapDevice(step.dev, step.seq); got != step.gap {
			t.Errorf("step %d: SeqGapDevice(%s, %d) = %d, want %d", i, step.dev.ID, step.seq, got, step.gap)
		}
	}
	if s := tr.Stats(); s.Devices != 2 {
		t.Errorf("%d devices, want 2", s.Devices)
	}
}

// TestSeqGapDeviceReload: a reload renumbers devices (here a and b swap
// indexes, c is new, far beyond the old slots); each keeps its sequence.
// A device seen by id before (an event without Dev) is carried over too.
func TestSeqGapDeviceReload(t *testing.T) {
	old := registry("a", "b")
	tr := dedup.New(window, newClock().Now)
	tr.SeqGapDevice(dev(t, old, "a"), 10)
	tr.SeqGapDevice(dev(t, old, "b"), 20)
	tr.SeqGap("c", 30)

	ids := []string{"b", "a"}
	for i := range 200 {
		ids = append(ids, fmt.Sprint("x", i))
	}
	ids = append(ids, "c")
	cur := registry(ids...)
	if dev(t, cur, "a").Index() == dev(t, old, "a").Index() {
		t.Fatal("test registry did not renumber a")
	}
	for _, step := range []struct {
		id       string
		seq, gap int64
	}{{"a", 12, 1}, {"b", 23, 2}, {"c", 34, 3}, {"a", 13, 0}} {
		if got := tr.SeqGapDevice(dev(t, cur, step.id), step.seq); got != step.gap {
			t.Errorf("after reload SeqGapDevice(%s, %d) = %d, want %d", step.id, step.seq, got, step.gap)
		}
	}
	if s := tr.Stats(); s.Devices != 3 {
		t.Errorf("%d devices, want 3", s.Devices)
	}
	// A straggler decoded against the old registry continues its device's
	// sequence; the new registry's device then starts afresh once (no gap
	// counted), every other device keeps its number.
	if got := tr.SeqGapDevice(dev(t, old, "b"), 25); got != 1 {
		t.Errorf("old-registry b: gap %d, want 1", got)
	}
	for _, step := range []struct {
		id       string
		seq, gap int64
	}{{"b", 27, 0}, {"b", 29, 1}, {"a", 15, 1}, {"c", 36, 1}} {
		if got := tr.SeqGapDevice(dev(t, cur, step.id), step.seq); got != step.gap {
			t.Errorf("after the straggler SeqGapDevice(%s, %d) = %d, want %d", step.id, step.seq, got, step.gap)
		}
	}
}

// TestSeqGapDeviceConcurrentReload exercises renumbering from many
// goroutines while two registries are in use (-race, no deadlock).
func TestSeqGapDeviceConcurrentReload(t *testing.T) {
	var ids, rev []string
	for i := range 300 {
		ids = append(ids, fmt.Sprint("d", i))
	}
	for i := len(ids) - 1; i >= 0; i-- {
		rev = append(rev, ids[i])
	}
	regs := []*devices.Registry{registry(ids...), registry(rev...)}
	tr := dedup.New(window, newClock().Now)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 2000 {
				r := regs[(n/500+g)%2]
				tr.SeqGapDevice(r.DeviceAt((n*7+g)%300), int64(n))
				tr.SeqGap(fmt.Sprint("d", n%300), int64(n))
				if n%250 == 0 {
					_ = tr.Stats()
				}
			}
		}()
	}
	wg.Wait()
}

// TestSeqGapDeviceUnindexed: a device outside an indexed registry falls
// back to its id.
func TestSeqGapDeviceUnindexed(t *testing.T) {
	tr := dedup.New(window, newClock().Now)
	d := &devices.Device{ID: "loose"}
	tr.SeqGapDevice(d, 1)
	if got := tr.SeqGap("loose", 3); got != 1 {
		t.Errorf("gap %d, want 1", got)
	}
}

func BenchmarkClaim(b *testing.B) {
	tr := dedup.New(window, time.Now)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = fmt.Sprintf("evt-%016x", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.Claim("gate-01", ids[i%len(ids)])
		i++
	}
}

func BenchmarkSeqGapDevice(b *testing.B) {
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprint("gate-", i)
	}
	r := registry(ids...)
	devs := make([]*devices.Device, len(ids))
	for i := range devs {
		devs[i] = r.DeviceAt(i)
	}
	tr := dedup.New(window, time.Now)
	b.ReportAllocs()
	var seq int64
	for b.Loop() {
		seq++
		tr.SeqGapDevice(devs[seq%int64(len(devs))], seq)
	}
}

// BenchmarkMemory reports the heap a Tracker holds per remembered pair
// and per device with a sequence number, for 1,000,000 of each (the
// million-device target): B/pair and B/device. It is a measurement, not a
// speed: run it with -benchtime 1x.
func BenchmarkMemory(b *testing.B) {
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("d-%07d", i)
	}
	r := registry(ids...)
	for b.Loop() {
		var before, mid, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tr := dedup.NewWithLimit(window, time.Now, 2*n)
		for i := range n {
			tr.Claim(ids[i], "hb-1795821123000")
		}
		runtime.GC()
		runtime.ReadMemStats(&mid)
		for i := range n {
			tr.SeqGapDevice(r.DeviceAt(i), 1)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(mid.HeapAlloc-before.HeapAlloc)/n, "B/pair")
		b.ReportMetric(float64(after.HeapAlloc-mid.HeapAlloc)/n, "B/device")
		runtime.KeepAlive(tr)
	}
}

// TestSeqGapDeviceUseRegistry: with the current registry known, a reload
// is noticed even when a device moves to a free index, and an event
// decoded against the old registry counts for its device in the new one.
func TestSeqGapDeviceUseRegistry(t *testing.T) {
	var live atomic.Pointer[devices.Registry]
	old := registry("a", "b")
	live.Store(old)
	tr := dedup.New(window, newClock().Now)
	tr.UseRegistry(live.Load)
	tr.SeqGapDevice(dev(t, old, "a"), 10)
	tr.SeqGapDevice(dev(t, old, "b"), 20)

	cur := registry("x", "y", "b", "a") // a and b move to free indexes
	live.Store(cur)
	for i, step := range []struct {
		reg      *devices.Registry
		id       string
		seq, gap int64
	}{
		{cur, "a", 12, 1},
		{old, "b", 22, 1}, // a straggler: counts for the new b
		{cur, "b", 25, 2},
		{old, "a", 13, 0},
		{cur, "a", 15, 1},
	} {
		if got := tr.SeqGapDevice(dev(t, step.reg, step.id), step.seq); got != step.gap {
			t.Errorf("step %d: SeqGapDevice(%s, %d) = %d, want %d", i, step.id, step.seq, got, step.gap)
		}
	}
	if s := tr.Stats(); s.Devices != 2 {
		t.Errorf("%d devices, want 2", s.Devices)
	}
	// A device the new registry dropped is tracked by its id.
	live.Store(registry("a"))
	if got := tr.SeqGapDevice(dev(t, cur, "b"), 27); got != 1 {
		t.Errorf("dropped device: gap %d, want 1", got)
	}
}
