package compliance

import (
	"slices"
	"testing"
	"time"
)

func TestSpans(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, loc)
	m := func(a, b int) span {
		return span{t0.Add(time.Duration(a) * time.Minute), t0.Add(time.Duration(b) * time.Minute)}
	}
	t.Run("union merges overlapping and touching", func(t *testing.T) {
		got := union([]span{m(20, 30), m(0, 10), m(10, 15), m(25, 40), m(50, 50)})
		if want := []span{m(0, 15), m(20, 40)}; !slices.Equal(got, want) {
			t.Errorf("union = %v, want %v", got, want)
		}
	})
	t.Run("minus leaves the gaps", func(t *testing.T) {
		got := minus(m(0, 100), []span{m(-10, 5), m(20, 30), m(90, 120)})
		if want := []span{m(5, 20), m(30, 90)}; !slices.Equal(got, want) {
			t.Errorf("minus = %v, want %v", got, want)
		}
		if got := minus(m(0, 10), nil); !slices.Equal(got, []span{m(0, 10)}) {
			t.Errorf("minus nothing = %v", got)
		}
	})
	t.Run("counts pieces", func(t *testing.T) {
		type piece struct{ a, b, n int }
		var got []piece
		counts([]span{m(10, 30), m(20, 40), m(20, 25)}, m(0, 50), func(p span, n int) {
			got = append(got, piece{int(p.from.Sub(t0) / time.Minute), int(p.to.Sub(t0) / time.Minute), n})
		})
		want := []piece{{0, 10, 0}, {10, 20, 1}, {20, 25, 3}, {25, 30, 2}, {30, 40, 1}, {40, 50, 0}}
		if !slices.Equal(got, want) {
			t.Errorf("counts = %v, want %v", got, want)
		}
	})
	t.Run("overlap and coverAt", func(t *testing.T) {
		if got := overlap([]span{m(0, 10), m(20, 30)}, []span{m(5, 25)}); got != 10*time.Minute {
			t.Errorf("overlap = %v", got)
		}
		if n := coverAt([]span{m(0, 10), m(10, 20)}, t0.Add(10*time.Minute)); n != 1 {
			t.Errorf("coverAt boundary = %d, want 1 (half-open)", n)
		}
	})
	t.Run("fresh extends and expires", func(t *testing.T) {
		f := fresh{window: 3 * time.Minute}
		f.seen(m(0, 0).from)
		f.seen(m(2, 2).from)   // extends to 5
		f.seen(m(10, 10).from) // after the deadline: a new stretch
		f.stop(m(11, 11).from) // last will
		if got, want := f.spans(m(0, 60).to, nil), []span{m(0, 5), m(10, 11)}; !slices.Equal(got, want) {
			t.Errorf("fresh = %v, want %v", got, want)
		}
	})
}
