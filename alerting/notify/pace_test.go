package notify

import (
	"testing"
	"time"
)

// TestPacerWindow: never more than Limit sends in any window of Per; other
// notifications stop at Limit-Reserve so a P0 always finds a slot.
func TestPacerWindow(t *testing.T) {
	p := newPacer(RateOptions{Limit: 4, Per: time.Minute, Reserve: 1})
	now := t0
	for i := range 3 {
		if d := p.delay(now, false); d != 0 {
			t.Fatalf("send %d waits %s under the limit", i, d)
		}
		p.take(now)
		now = now.Add(10 * time.Second)
	}
	// 3 sends at 0s, 10s, 20s; now 30s: the 4th slot is the P0 reserve.
	if d := p.delay(now, false); d != 30*time.Second {
		t.Errorf("non-P0 waits %s, want 30s (until the send at 0s leaves the window)", d)
	}
	if d := p.delay(now, true); d != 0 {
		t.Errorf("P0 waits %s, want the reserve at once", d)
	}
	p.take(now) // the P0
	if d := p.delay(now, true); d != 30*time.Second {
		t.Errorf("a second P0 waits %s, want 30s (the window is full)", d)
	}
	if d := p.delay(now, false); d != 40*time.Second {
		t.Errorf("non-P0 waits %s, want 40s (two sends must leave the window)", d)
	}
	// Sliding: at 60s the first send has left, at 70s the second.
	if d := p.delay(t0.Add(time.Minute), true); d != 0 {
		t.Errorf("P0 at 60s waits %s", d)
	}
	if d := p.delay(t0.Add(70*time.Second), false); d != 0 {
		t.Errorf("non-P0 at 70s waits %s", d)
	}
	var none *pacer
	if d := none.delay(now, false); d != 0 {
		t.Errorf("an unpaced receiver waits %s", d)
	}
	none.take(now)
}

// TestPacerNeverExceedsLimit drives a pacer greedily at random-ish times
// and checks every window of Per.
func TestPacerNeverExceedsLimit(t *testing.T) {
	o := RobotRate()
	p := newPacer(o)
	var sends []time.Time
	now := t0
	for i := 0; len(sends) < 200; i++ {
		p0 := i%7 == 0
		if d := p.delay(now, p0); d > 0 {
			now = now.Add(d)
			continue
		}
		p.take(now)
		sends = append(sends, now)
		now = now.Add(time.Duration(i%5) * 700 * time.Millisecond)
	}
	for i := range sends {
		n := 0
		for _, s := range sends[i:] {
			if s.Sub(sends[i]) < o.Per {
				n++
			}
		}
		if n > o.Limit {
			t.Fatalf("%d sends in the minute from %s, limit %d", n, sends[i].Format(time.TimeOnly), o.Limit)
		}
	}
}
