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
		if _, ok := l.reserve("k", clock.Now()); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if l.full("k", clock.Now()) {
		t.Fatal("full after 2 attempts")
	}
	clock.Add(20 * time.Second)
	if _, ok := l.reserve("k", clock.Now()); !ok || !l.full("k", clock.Now()) {
		t.Fatal("the third attempt: refused, or the key not full after it")
	}
	if d, ok := l.reserve("k", clock.Now()); ok || d != 40*time.Second {
		t.Fatalf("fourth attempt: ok %v, retry after %s", ok, d)
	}
	// A released place (a success, an attempt never checked) is free again.
	l.release("k")
	if _, ok := l.reserve("k", clock.Now()); !ok {
		t.Fatal("a released place was not free")
	}
	clock.Add(40 * time.Second)
	if _, ok := l.reserve("k", clock.Now()); !ok || l.m["k"].count != 1 {
		t.Fatal("an ended window counted on")
	}
	l.reset("k")
	if _, ok := l.m["k"]; ok {
		t.Fatal("reset kept the key")
	}
	l.reserve("j", clock.Now())
	l.release("j")
	if _, ok := l.m["j"]; ok {
		t.Fatal("a key with nothing reserved is kept")
	}
}

func TestLimiterBounded(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(3, time.Minute)
	for i := range maxLimiterKeys {
		l.reserve("old"+strconv.Itoa(i), clock.Now())
	}
	clock.Add(time.Second)
	l.reserve("new", clock.Now())
	if len(l.m) != maxLimiterKeys {
		t.Fatalf("%d keys", len(l.m))
	}
	if _, ok := l.m["new"]; !ok {
		t.Fatal("the new key was not kept")
	}
	// Once the windows have ended they all go at the next eviction.
	clock.Add(time.Minute)
	l.reserve("newest", clock.Now())
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

func TestAddressKey(t *testing.T) {
	for ip, want := range map[string]string{
		"192.0.2.1":            "192.0.2.1",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ff::1":   "2001:db8:1:2::/64",
		"::ffff:192.0.2.1":     "::ffff:192.0.2.1",
		"not-an-address":       "not-an-address",
	} {
		if got := addressKey(ip); got != want {
			t.Errorf("addressKey(%s) = %s, want %s", ip, got, want)
		}
	}
}
