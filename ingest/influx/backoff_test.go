package influx

import (
	"context"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name  string
		rand  float64
		floor time.Duration
		want  []time.Duration
	}{
		{"lowest jitter doubles from min/2", 0, 0, []time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms}},
		{"highest jitter approaches base", 0.999999, 0, []time.Duration{99 * ms, 199 * ms, 399 * ms, 799 * ms, 1599 * ms, 3199 * ms}},
		{"retry-after raises the delay", 0, 2 * time.Second, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"retry-after is capped at max", 0, time.Hour, []time.Duration{10 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackoff(100*ms, 10*time.Second)
			b.rand = func() float64 { return tc.rand }
			for i, want := range tc.want {
				if got := b.next(tc.floor).Truncate(ms); got != want {
					t.Errorf("attempt %d: %s, want %s", i, got, want)
				}
			}
		})
	}
	t.Run("capped and reset", func(t *testing.T) {
		b := newBackoff(100*ms, 10*time.Second)
		b.rand = func() float64 { return 0.999999 }
		var d time.Duration
		for range 100 { // far past any shift overflow
			d = b.next(0)
			if d > 10*time.Second || d <= 0 {
				t.Fatalf("delay %s out of (0, max]", d)
			}
		}
		if d < 9*time.Second {
			t.Errorf("long-failing delay %s, want close to max", d)
		}
		b.reset()
		if d := b.next(0); d >= 100*ms {
			t.Errorf("after reset: %s, want below min", d)
		}
	})
}

func TestSleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); err != context.Canceled {
		t.Fatalf("sleep = %v, want context.Canceled", err)
	}
	if err := sleep(context.Background(), 0); err != nil {
		t.Fatalf("sleep(0) = %v", err)
	}
}
