package notify

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestQueueOrderGrowthAndOverflow(t *testing.T) {
	q := newQueue(40, prometheus.NewGauge(prometheus.GaugeOpts{Name: "q"}))
	push := func(i int) bool {
		return q.push(item{n: note(fmt.Sprint(i))})
	}
	next := 0 // id expected from the next pop
	// Interleave pushes and pops so the ring wraps while it grows.
	for i := range 30 {
		if push(i) {
			t.Fatalf("push %d dropped below capacity", i)
		}
		if i%3 == 2 {
			it, ok := q.pop()
			if !ok || it.n.Alert.ID != fmt.Sprint(next) {
				t.Fatalf("pop = %v %v, want %d", it.n.Alert.ID, ok, next)
			}
			next++
		}
	}
	drops := 0
	for i := 30; i < 100; i++ {
		if push(i) {
			drops++
		}
	}
	// 100 pushed, 10 popped, 40 kept: the 50 oldest were dropped.
	if drops != 50 {
		t.Fatalf("dropped %d, want 50", drops)
	}
	if q.len() != 40 {
		t.Fatalf("len = %d, want 40", q.len())
	}
	for want := 60; want < 100; want++ {
		it, ok := q.pop()
		if !ok || it.n.Alert.ID != fmt.Sprint(want) {
			t.Fatalf("pop = %q %v, want %d", it.n.Alert.ID, ok, want)
		}
	}
	if _, ok := q.pop(); ok {
		t.Fatal("pop from an empty queue")
	}
}

func TestBackoff(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: time.Second, rand: func() float64 { return 0.999999 }}
	var got []time.Duration
	for range 7 {
		got = append(got, b.next(0).Round(time.Millisecond))
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays = %v, want %v ms", got, want)
		}
	}
	lo := backoff{min: 100 * time.Millisecond, max: time.Second, rand: func() float64 { return 0 }}
	if d := lo.next(0); d != 50*time.Millisecond {
		t.Errorf("lowest jitter = %s, want half the base", d)
	}
	if d := lo.next(3 * time.Second); d != 3*time.Second {
		t.Errorf("with a Retry-After floor = %s, want 3s", d)
	}
	huge := backoff{min: time.Hour, max: 1 << 62, rand: func() float64 { return 0 }}
	for range 80 {
		if d := huge.next(0); d <= 0 {
			t.Fatalf("overflowed to %s", d)
		}
	}
}
