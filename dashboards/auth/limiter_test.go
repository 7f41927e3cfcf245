package auth

import (
	"strconv"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(3, time.Minute)
	for i := range 2 {
		if l.fail("k", clock.Now()) {
			t.Fatalf("blocked after %d failures", i+1)
		}
	}
	if _, blocked := l.blocked("k", clock.Now()); blocked {
		t.Fatal("blocked after 2 failures")
	}
	clock.Add(20 * time.Second)
	if !l.fail("k", clock.Now()) {
		t.Fatal("not blocked after 3 failures")
	}
	if d, blocked := l.blocked("k", clock.Now()); !blocked || d != 40*time.Second {
		t.Fatalf("blocked %v for %s", blocked, d)
	}
	clock.Add(40 * time.Second)
	if _, blocked := l.blocked("k", clock.Now()); blocked {
		t.Fatal("still blocked after the window")
	}
	// A failure after the window starts a new one.
	l.fail("j", clock.Now())
	clock.Add(time.Minute)
	if l.fail("j", clock.Now()) || l.m["j"].count != 1 {
		t.Fatal("an ended window counted on")
	}
	l.reset("j")
	if _, ok := l.m["j"]; ok {
		t.Fatal("reset kept the key")
	}
}

func TestLimiterBounded(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(3, time.Minute)
	for i := range maxLimiterKeys {
		l.fail("old"+strconv.Itoa(i), clock.Now())
	}
	clock.Add(time.Second)
	l.fail("new", clock.Now())
	if len(l.m) != maxLimiterKeys {
		t.Fatalf("%d keys", len(l.m))
	}
	if _, ok := l.m["new"]; !ok {
		t.Fatal("the new key was not kept")
	}
	// Once the windows have ended they all go at the next eviction.
	clock.Add(time.Minute)
	l.fail("newest", clock.Now())
	if len(l.m) != 1 {
		t.Fatalf("%d keys after evicting ended windows", len(l.m))
	}
}

func TestRetrySeconds(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 5 * time.Minute: 300} {
		if got := retrySeconds(d); got != want {
			t.Errorf("retrySeconds(%s) = %d, want %d", d, got, want)
		}
	}
}
