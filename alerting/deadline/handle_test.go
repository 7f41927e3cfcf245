package deadline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mixed drives a Set with keys "k<n>" and handles "h<n>" (handle n) through
// the model's names, so the model test's operations and callbacks apply to
// both at once.
type mixed struct {
	t testing.TB
	s *Set[string]
}

func handleOf(key string) (int32, bool) {
	n, ok := strings.CutPrefix(key, "h")
	if !ok {
		return 0, false
	}
	h, err := strconv.Atoi(n)
	if err != nil {
		panic(err)
	}
	return int32(h), true
}

func (o mixed) schedule(key string, at time.Time) {
	if h, ok := handleOf(key); ok {
		o.s.ScheduleHandle(h, at)
	} else {
		o.s.Schedule(key, at)
	}
	o.s.check(o.t)
}

func (o mixed) cancel(key string) bool {
	var ok bool
	if h, isH := handleOf(key); isH {
		ok = o.s.CancelHandle(h)
	} else {
		ok = o.s.Cancel(key)
	}
	o.s.check(o.t)
	return ok
}

func (o mixed) when(key string) (time.Time, bool) {
	if h, ok := handleOf(key); ok {
		return o.s.WhenHandle(h)
	}
	return o.s.When(key)
}

// TestHandlesModel runs random operations on keys and handles together
// against the sorted-slice model: one order for both, ties in scheduling
// order, callbacks that schedule and cancel either.
func TestHandlesModel(t *testing.T) {
	for _, n := range []int{3, 40, 400} {
		t.Run(fmt.Sprintf("%d names", n), func(t *testing.T) {
			runMixedModel(t, rand.New(rand.NewPCG(20261203, uint64(n))), n, 20000)
		})
	}
}

func runMixedModel(t *testing.T, r *rand.Rand, n, nops int) {
	s := New[string]()
	if first := s.AddHandles(n); first != 0 || s.Handles() != n {
		t.Fatalf("AddHandles(%d) = %d, Handles %d", n, first, s.Handles())
	}
	o := mixed{t, s}
	m := &model{}
	now := base
	name := func() string {
		if r.IntN(2) == 0 {
			return fmt.Sprintf("h%d", r.IntN(n))
		}
		return fmt.Sprintf("k%d", r.IntN(n))
	}
	when := func() time.Time { return randomWhen(r, now) }
	var fired, handles int
	for op := range nops {
		switch c := r.IntN(100); {
		case c < 55:
			k, at := name(), when()
			o.schedule(k, at)
			m.schedule(k, at)
		case c < 70:
			k := name()
			if got, want := o.cancel(k), m.cancel(k); got != want {
				t.Fatalf("op %d: cancel(%s) = %v, model %v", op, k, got, want)
			}
		case c < 85:
			now = now.Add(time.Duration(r.IntN(20)) * time.Second)
			seed := r.Uint64()
			var got, want []string
			hs := r.IntN(2) == 0
			cb := callback(&got, seed, now, n, mixedNames{o, hs})
			gotN := s.PopDueAll(now, cb, func(h int32, at time.Time) {
				handles++
				cb("h"+strconv.Itoa(int(h)), at)
			})
			wantN := m.popDue(now, callback(&want, seed, now, n, mixedNames{m, hs}))
			if gotN != wantN || !slices.Equal(got, want) {
				t.Fatalf("op %d: PopDueAll(%v) fired %d %v, model %d %v", op, now.Sub(base), gotN, got, wantN, want)
			}
			fired += gotN
		default:
			k := name()
			got, gotOK := o.when(k)
			i := m.find(k)
			if gotOK != (i >= 0) || (gotOK && !got.Equal(m.items[i].at)) {
				t.Fatalf("op %d: when(%s) = %v, %v, model %d", op, k, got, gotOK, i)
			}
		}
		s.check(t)
		if s.Len() != len(m.items) {
			t.Fatalf("op %d: Len = %d, model %d", op, s.Len(), len(m.items))
		}
		got, ok := s.Next()
		if ok != (len(m.items) > 0) || (ok && !got.Equal(m.items[0].at)) {
			t.Fatalf("op %d: Next = %v, %v, model %v", op, got, ok, m.items)
		}
	}
	if fired == 0 || handles == 0 {
		t.Fatalf("model run too tame: %d fired, %d of them handles", fired, handles)
	}
}

// mixedNames lets the model test's callback act on handles too: its
// "another key" choices go to "h<n>" when handles is set (both sides must
// make the same choice, so the flag is drawn once per PopDue for the Set
// and the model sees the same names through it).
type mixedNames struct {
	m       mutator
	handles bool
}

func (x mixedNames) rename(key string) string {
	if x.handles && strings.HasPrefix(key, "k") {
		return "h" + key[1:]
	}
	return key
}

func (x mixedNames) schedule(key string, at time.Time) { x.m.schedule(x.rename(key), at) }
func (x mixedNames) cancel(key string) bool            { return x.m.cancel(x.rename(key)) }

// TestHandleTimesUTC checks that a handle gives back the instant it was
// scheduled at, in UTC.
func TestHandleTimesUTC(t *testing.T) {
	s := New[string]()
	h := s.AddHandles(2) + 1
	at := base.Add(1500 * time.Millisecond)
	s.ScheduleHandle(h, at)
	got, ok := s.WhenHandle(h)
	if !ok || !got.Equal(at) || got.Location() != time.UTC {
		t.Fatalf("WhenHandle = %v, %v, want %v in UTC", got, ok, at)
	}
	if _, ok := s.WhenHandle(h - 1); ok {
		t.Fatal("an idle handle has a deadline")
	}
	var fired []int32
	if n := s.PopDueAll(at, nil, func(h int32, _ time.Time) { fired = append(fired, h) }); n != 1 || !slices.Equal(fired, []int32{h}) {
		t.Fatalf("PopDueAll fired %d %v, want handle %d", n, fired, h)
	}
	if s.CancelHandle(h) {
		t.Fatal("CancelHandle of a fired handle reported a deadline")
	}
}
