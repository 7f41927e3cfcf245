package deadline

import "time"

// Handles are deadlines without a key: numbered slots the caller reserves
// with AddHandles and addresses by number, for timers it can name densely
// (a device's position times the timers per device, say). A handle costs
// 4 bytes while idle and a heap entry while scheduled; there is no map
// access and no key to store. Handles and keys share the heap, the
// scheduling counter and so the order: PopDueAll fires both in time
// order, ties in scheduling order.
//
// A handle's deadline is kept as an instant (Unix seconds and
// nanoseconds): WhenHandle and PopDueAll give it in UTC, without the
// location it was scheduled with (callers convert with Time.In).

// AddHandles adds n handles, idle, and returns the first; they are
// first, first+1, … first+n-1. Handles are never removed: a caller that
// stops using some reuses them or lets them idle.
func (s *Set[K]) AddHandles(n int) int32 {
	first := int32(len(s.hpos))
	for range n {
		s.hpos = append(s.hpos, -1)
	}
	return first
}

// Handles returns the number of handles added.
func (s *Set[K]) Handles() int { return len(s.hpos) }

// ScheduleHandle sets the deadline of handle h to at, as Schedule does
// for a key.
func (s *Set[K]) ScheduleHandle(h int32, at time.Time) {
	s.seq++
	e := entry{sec: at.Unix(), nsec: int32(at.Nanosecond()), seq: s.seq, node: ^h}
	if p := s.hpos[h]; p >= 0 {
		s.fix(int(p), e)
		return
	}
	s.push(e)
}

// CancelHandle removes the deadline of handle h and reports whether it had
// one.
func (s *Set[K]) CancelHandle(h int32) bool {
	p := s.hpos[h]
	if p < 0 {
		return false
	}
	s.removeAt(int(p))
	s.hpos[h] = -1
	return true
}

// WhenHandle returns the deadline of handle h (in UTC), if it has one.
func (s *Set[K]) WhenHandle(h int32) (time.Time, bool) {
	p := s.hpos[h]
	if p < 0 {
		return time.Time{}, false
	}
	return s.heap[p].time(), true
}

// popHandle removes the handle at the top of the heap and calls fn with
// it, if fn is not nil; it reports true (a deadline fired).
func (s *Set[K]) popHandle(fn func(h int32, at time.Time)) bool {
	e := s.heap[0]
	h := ^e.node
	s.removeAt(0)
	s.hpos[h] = -1
	if fn != nil {
		fn(h, e.time())
	}
	return true
}

// time is the entry's instant, in UTC.
func (e entry) time() time.Time { return time.Unix(e.sec, int64(e.nsec)).UTC() }
