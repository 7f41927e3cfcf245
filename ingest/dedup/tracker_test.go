package dedup_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/campusguard/campusguard/ingest/dedup"
)

// clock is a fake clock safe for concurrent reads.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

const window = time.Minute

func TestSeenMark(t *testing.T) {
	c := newClock()
	tr := dedup.New(window, c.Now)
	if tr.Seen("gate-01", "e-1") {
		t.Fatal("seen before mark")
	}
	tr.Mark("gate-01", "e-1")
	if !tr.Seen("gate-01", "e-1") {
		t.Fatal("not seen after mark")
	}
	for _, p := range [][2]string{{"gate-02", "e-1"}, {"gate-01", "e-2"}, {"gate-0", "1e-1"}, {"gate-01e-1", ""}} {
		if tr.Seen(p[0], p[1]) {
			t.Errorf("%q seen, only (gate-01, e-1) was marked", p)
		}
	}
	tr.Forget("gate-01", "e-1")
	if tr.Seen("gate-01", "e-1") {
		t.Error("seen after forget")
	}
}

// TestLifetime checks the promise: a pair is remembered for at least one
// window after Mark and forgotten within two, wherever in a generation it
// was marked.
func TestLifetime(t *testing.T) {
	for _, offset := range []time.Duration{0, time.Nanosecond, window / 3, window - time.Nanosecond} {
		t.Run(offset.String(), func(t *testing.T) {
			c := newClock()
			tr := dedup.New(window, c.Now)
			c.Advance(offset)
			tr.Mark("d", "x")
			c.Advance(window - time.Nanosecond)
			if !tr.Seen("d", "x") {
				t.Errorf("forgotten before one window")
			}
			c.Advance(window + time.Nanosecond)
			if tr.Seen("d", "x") {
				t.Errorf("remembered after two windows")
			}
			if s := tr.Stats(); s.Entries != 0 || s.Dropped != 0 {
				t.Errorf("stats %+v, want empty", s)
			}
		})
	}
}

func TestRemarkRefreshes(t *testing.T) {
	c := newClock()
	tr := dedup.New(window, c.Now)
	tr.Mark("d", "x")
	c.Advance(window) // now in prev
	tr.Mark("d", "x") // back into cur
	c.Advance(window + window/2)
	if !tr.Seen("d", "x") {
		t.Error("re-marked pair forgotten within its window")
	}
}

func TestLongIdleForgetsAll(t *testing.T) {
	c := newClock()
	tr := dedup.New(window, c.Now)
	tr.Mark("d", "x")
	c.Advance(10 * window)
	if tr.Seen("d", "x") {
		t.Error("remembered after a long idle")
	}
}

func TestClockBackwards(t *testing.T) {
	c := newClock()
	tr := dedup.New(window, c.Now)
	c.Advance(3 * window)
	tr.Mark("d", "x")
	c.Advance(-2 * window)
	if !tr.Seen("d", "x") {
		t.Error("a clock step back lost an entry")
	}
	c.Advance(2*window + window/2)
	if !tr.Seen("d", "x") {
		t.Error("entry lost after the clock came back")
	}
}

// TestCap checks memory stays bounded under a flood of distinct ids within
// one window, that the newest pairs survive and the drops are counted.
func TestCap(t *testing.T) {
	c := newClock()
	const limit = 64 * 10 // 10 per shard
	tr := dedup.NewWithLimit(window, c.Now, limit)
	const n = 20 * limit
	for i := range n {
		tr.Mark("gate-01", fmt.Sprint("e-", i))
	}
	s := tr.Stats()
	if s.Entries > limit+64 {
		t.Errorf("%d entries, cap %d (+1 per shard)", s.Entries, limit)
	}
	if s.Dropped == 0 || s.Dropped+uint64(s.Entries) != n {
		t.Errorf("stats %+v: entries+dropped should be %d", s, n)
	}
	if !tr.Seen("gate-01", fmt.Sprint("e-", n-1)) {
		t.Error("newest pair dropped")
	}
	// An early generation is counted when regular rotation drops it too;
	// the current one expires normally.
	c.Advance(2 * window)
	if s2 := tr.Stats(); s2.Entries != 0 || s2.Dropped < s.Dropped || s2.Dropped >= n {
		t.Errorf("after 2 windows: %+v, want 0 entries and at least %d drops", s2, s.Dropped)
	}
}

func TestSeqGap(t *testing.T) {
	tr := dedup.New(window, newClock().Now)
	for i, step := range []struct {
		device string
		seq    int64
		gap    int64
	}{
		{"a", 10, 0},  // first: no history
		{"a", 11, 0},  // in order
		{"a", 14, 2},  // 12 and 13 missing
		{"a", 14, 0},  // repeat
		{"a", 3, 0},   // reboot: reset without counting
		{"a", 4, 0},   // counting again from the reset
		{"b", 100, 0}, // devices are independent
		{"a", 6, 1},
		{"b", 101, 0},
		{"c", math.MinInt64, 0},
		{"c", math.MaxInt64, math.MaxInt64}, // no overflow
		{"d", 0, 0},
		{"d", math.MaxInt64, math.MaxInt64 - 1},
	} {
		if got := tr.SeqGap(step.device, step.seq); got != step.gap {
			t.Errorf("step %d: SeqGap(%s, %d) = %d, want %d", i, step.device, step.seq, got, step.gap)
		}
	}
	if s := tr.Stats(); s.Devices != 4 {
		t.Errorf("%d devices, want 4", s.Devices)
	}
}

func TestDefaults(t *testing.T) {
	tr := dedup.New(0, nil) // default window, real clock
	tr.Mark("d", "x")
	if !tr.Seen("d", "x") {
		t.Error("default tracker forgot at once")
	}
}

// TestConcurrent exercises every method from many goroutines (-race).
func TestConcurrent(t *testing.T) {
	c := newClock()
	tr := dedup.NewWithLimit(window, c.Now, 64*50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dev := fmt.Sprint("dev-", g)
			for i := range 2000 {
				id := fmt.Sprint("e-", i)
				if !tr.Seen(dev, id) {
					tr.Mark(dev, id)
				}
				if i%7 == 0 {
					tr.Forget(dev, id)
				}
				tr.SeqGap(dev, int64(i))
				if i%500 == 0 {
					c.Advance(window / 3)
					_ = tr.Stats()
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkSeenMark(b *testing.B) {
	tr := dedup.New(window, time.Now)
	ids := make([]string, 1<<16)
	for i := range ids {
		ids[i] = fmt.Sprintf("evt-%016x", rand.Uint64())
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(ids))
		for pb.Next() {
			id := ids[i%len(ids)]
			if !tr.Seen("gate-01", id) {
				tr.Mark("gate-01", id)
			}
			i++
		}
	})
}

func BenchmarkSeqGap(b *testing.B) {
	tr := dedup.New(window, time.Now)
	devs := make([]string, 1024)
	for i := range devs {
		devs[i] = fmt.Sprint("gate-", i)
	}
	b.ReportAllocs()
	var seq int64
	for b.Loop() {
		seq++
		tr.SeqGap(devs[seq%int64(len(devs))], seq)
	}
}
