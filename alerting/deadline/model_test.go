package deadline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// model is the reference: a slice kept sorted by (instant, scheduling
// number), searched and edited linearly.
type model struct {
	items []modelItem
	seq   int
}

type modelItem struct {
	key string
	at  time.Time
	seq int
}

func (m *model) find(key string) int {
	return slices.IndexFunc(m.items, func(it modelItem) bool { return it.key == key })
}

func (m *model) schedule(key string, at time.Time) {
	if i := m.find(key); i >= 0 {
		m.items = slices.Delete(m.items, i, i+1)
	}
	m.seq++
	it := modelItem{key, at, m.seq}
	i, _ := slices.BinarySearchFunc(m.items, it, func(a, b modelItem) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	m.items = slices.Insert(m.items, i, it)
}

func (m *model) cancel(key string) bool {
	i := m.find(key)
	if i < 0 {
		return false
	}
	m.items = slices.Delete(m.items, i, i+1)
	return true
}

func (m *model) popDue(now time.Time, fn func(string, time.Time)) int {
	n := 0
	for len(m.items) > 0 && !m.items[0].at.After(now) {
		it := m.items[0]
		m.items = m.items[1:]
		n++
		fn(it.key, it.at)
	}
	return n
}

// TestModel runs thousands of random operations, with moves, ties,
// nanosecond offsets and callbacks that schedule and cancel, against the
// sorted-slice model, and checks every answer and the Set's invariants.
func TestModel(t *testing.T) {
	for _, keys := range []int{3, 40, 400} {
		t.Run(fmt.Sprintf("%d keys", keys), func(t *testing.T) {
			runModel(t, rand.New(rand.NewPCG(20261128, uint64(keys))), keys, 20000)
		})
	}
}

// randomWhen picks a time around now: mostly whole seconds (many ties),
// some nanosecond offsets, some in the past, a few days ahead.
func randomWhen(r *rand.Rand, now time.Time) time.Time {
	switch r.IntN(10) {
	case 0:
		return now.Add(-time.Duration(r.IntN(30)) * time.Second)
	case 1:
		return now.Add(time.Duration(r.IntN(5)) * time.Second).Add(time.Duration(r.IntN(3)))
	case 2:
		return now.Add(time.Duration(1+r.IntN(5)) * 24 * time.Hour)
	default:
		return now.Add(time.Duration(r.IntN(200)) * time.Second)
	}
}

func runModel(t *testing.T, r *rand.Rand, nkeys, nops int) {
	s := New[string]()
	m := &model{}
	now := base
	key := func() string { return fmt.Sprintf("k%d", r.IntN(nkeys)) }
	when := func() time.Time { return randomWhen(r, now) }
	var fired, cancelled int
	for op := range nops {
		switch c := r.IntN(100); {
		case c < 55:
			k, at := key(), when()
			s.Schedule(k, at)
			m.schedule(k, at)
		case c < 70:
			k := key()
			got, want := s.Cancel(k), m.cancel(k)
			if got != want {
				t.Fatalf("op %d: Cancel(%s) = %v, model %v", op, k, got, want)
			}
			if got {
				cancelled++
			}
		case c < 85:
			now = now.Add(time.Duration(r.IntN(20)) * time.Second)
			// The callback's choices come from a seed both sides share, so
			// they act alike as long as they fire alike.
			seed := r.Uint64()
			var got, want []string
			gotN := s.PopDue(now, callback(&got, seed, now, nkeys, setOps{t, s}))
			wantN := m.popDue(now, callback(&want, seed, now, nkeys, m))
			if gotN != wantN || !slices.Equal(got, want) {
				t.Fatalf("op %d: PopDue(%v) fired %d %v, model %d %v", op, now.Sub(base), gotN, got, wantN, want)
			}
			fired += gotN
		default:
			k := key()
			got, gotOK := s.When(k)
			var want time.Time
			i := m.find(k)
			if i >= 0 {
				want = m.items[i].at
			}
			if gotOK != (i >= 0) || got != want {
				t.Fatalf("op %d: When(%s) = %v, %v, model %v, %v", op, k, got, gotOK, want, i >= 0)
			}
		}
		s.check(t)
		if s.Len() != len(m.items) {
			t.Fatalf("op %d: Len = %d, model %d", op, s.Len(), len(m.items))
		}
		got, ok := s.Next()
		if ok != (len(m.items) > 0) || (ok && got != m.items[0].at) {
			t.Fatalf("op %d: Next = %v, %v, model %v", op, got, ok, m.items)
		}
	}
	if fired == 0 || cancelled == 0 {
		t.Fatalf("model run too tame: %d fired, %d cancelled", fired, cancelled)
	}
	t.Logf("%d ops: %d fired, %d cancelled, %d left", nops, fired, cancelled, s.Len())
}

// mutator is what a PopDue callback may do, to the Set or to the model.
type mutator interface {
	schedule(key string, at time.Time)
	cancel(key string) bool
}

// setOps adapts a Set to mutator, checking its invariants after each call.
type setOps struct {
	t testing.TB
	s *Set[string]
}

func (o setOps) schedule(key string, at time.Time) { o.s.Schedule(key, at); o.s.check(o.t) }
func (o setOps) cancel(key string) bool            { ok := o.s.Cancel(key); o.s.check(o.t); return ok }

// callback records each fired key in out and then, by a random choice
// drawn from seed, re-schedules it later or due again (at most three
// times per call, so PopDue ends), moves or cancels another key, or does
// nothing.
func callback(out *[]string, seed uint64, now time.Time, nkeys int, m mutator) func(string, time.Time) {
	r := rand.New(rand.NewPCG(seed, 0))
	again := 0
	return func(k string, at time.Time) {
		*out = append(*out, fmt.Sprintf("%s@%v", k, at.Sub(base)))
		switch c := r.IntN(10); {
		case c < 2:
			m.schedule(k, now.Add(time.Duration(1+r.IntN(200))*time.Second))
		case c < 3 && again < 3:
			again++
			m.schedule(k, now.Add(-time.Duration(r.IntN(20))*time.Second))
		case c < 4:
			m.schedule(fmt.Sprintf("k%d", r.IntN(nkeys)), now.Add(time.Duration(r.IntN(40)-20)*time.Second))
		case c < 5:
			m.cancel(fmt.Sprintf("k%d", r.IntN(nkeys)))
		}
	}
}
