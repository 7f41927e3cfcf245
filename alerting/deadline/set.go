package deadline

import "time"

// Set is a keyed set of deadlines: each key has at most one deadline, and
// the earliest deadlines are taken out in time order by PopDue.
//
// Deadlines are ordered by the instant they denote (as time.Time.Equal
// sees it), with their monotonic clock reading stripped, so the order is a
// total order whatever clock the times came from. Deadlines at the same
// instant fire in the order they were scheduled; moving a key counts as
// scheduling it anew.
//
// A Set is not safe for concurrent use: it belongs to one engine shard
// goroutine, which is why it has no lock. The zero value is not usable;
// call New. It holds up to 2³¹-1 keys; the memory of its largest size
// stays allocated (slots are reused, not returned).
type Set[K comparable] struct {
	index map[K]int32 // key → slot in nodes and pos
	nodes []node[K]   // slab of live and free slots
	pos   []int32     // slot → its position in heap, beside nodes
	free  []int32     // free slots
	hpos  []int32     // handle → its position in heap, or -1 (handle.go)
	heap  []entry     // 4-ary min-heap of the live slots and handles
	seq   uint64      // scheduling counter, breaks ties
}

// node is one key's slot: the key and its deadline as scheduled. Heap
// positions live in Set.pos, a dense array that sifting writes without
// touching these larger slots.
type node[K comparable] struct {
	key K
	at  time.Time
}

// New returns an empty Set.
func New[K comparable]() *Set[K] {
	return &Set[K]{index: make(map[K]int32)}
}

// Len returns the number of keys with a deadline.
func (s *Set[K]) Len() int { return len(s.heap) }

// When returns the deadline of key, if it has one. The time is the one
// given to Schedule, without its monotonic clock reading.
func (s *Set[K]) When(key K) (time.Time, bool) {
	i, ok := s.index[key]
	if !ok {
		return time.Time{}, false
	}
	return s.nodes[i].at, true
}

// Next returns the earliest deadline, or false when the Set is empty.
func (s *Set[K]) Next() (time.Time, bool) {
	if len(s.heap) == 0 {
		return time.Time{}, false
	}
	if e := s.heap[0]; e.node < 0 {
		return e.time(), true
	}
	return s.nodes[s.heap[0].node].at, true
}

// Schedule sets the deadline of key to at, inserting key or moving its
// deadline (earlier or later) when it already has one. Any time works,
// from the zero Time to years ahead; a time at or before the now of the
// next PopDue fires in that call.
func (s *Set[K]) Schedule(key K, at time.Time) {
	at = at.Round(0) // strip the monotonic reading: order by instant only
	s.seq++
	e := entry{sec: at.Unix(), nsec: int32(at.Nanosecond()), seq: s.seq}
	if i, ok := s.index[key]; ok {
		s.nodes[i].at = at
		e.node = i
		s.fix(int(s.pos[i]), e)
		return
	}
	i := s.alloc(key, at)
	e.node = i
	s.push(e)
}

// Cancel removes the deadline of key and reports whether it had one.
func (s *Set[K]) Cancel(key K) bool {
	i, ok := s.index[key]
	if !ok {
		return false
	}
	s.removeAt(int(s.pos[i]))
	s.release(i)
	return true
}

// PopDue removes every deadline at or before now, in time order (ties in
// scheduling order), and calls fn with each key and deadline after it has
// been removed; it returns how many fired. fn may be nil to drop them.
//
// fn may Schedule and Cancel any key, including the one it was called
// with. A deadline that fn schedules at or before now fires in the same
// call, in its place in time order among the deadlines still due (a time
// before the deadline being handled fires next); a callback that always
// re-schedules at or before now therefore never lets PopDue return. A due
// deadline that fn cancels or moves past now does not fire.
func (s *Set[K]) PopDue(now time.Time, fn func(key K, at time.Time)) int {
	return s.PopDueAll(now, fn, nil)
}

// PopDueAll is PopDue for a Set with handles (handle.go): fn is called
// for keys, onHandle for handles (either may be nil), all in one time
// order.
func (s *Set[K]) PopDueAll(now time.Time, fn func(key K, at time.Time), onHandle func(h int32, at time.Time)) int {
	limit := entry{sec: now.Unix(), nsec: int32(now.Nanosecond()), seq: ^uint64(0)}
	fired := 0
	for len(s.heap) > 0 && !limit.less(s.heap[0]) {
		i := s.heap[0].node
		if i < 0 {
			if s.popHandle(onHandle) {
				fired++
			}
			continue
		}
		n := &s.nodes[i]
		key, at := n.key, n.at
		s.removeAt(0)
		s.release(i)
		fired++
		if fn != nil {
			fn(key, at)
		}
	}
	return fired
}

// alloc takes a free slot for key and records it in the index.
func (s *Set[K]) alloc(key K, at time.Time) int32 {
	var i int32
	if k := len(s.free); k > 0 {
		i = s.free[k-1]
		s.free = s.free[:k-1]
	} else {
		s.nodes = append(s.nodes, node[K]{})
		s.pos = append(s.pos, 0)
		i = int32(len(s.nodes) - 1)
	}
	s.nodes[i] = node[K]{key: key, at: at}
	s.index[key] = i
	return i
}

// release frees slot i, which is no longer in the heap, and forgets its
// key. The slot is zeroed so it holds no reference to the key's memory.
func (s *Set[K]) release(i int32) {
	delete(s.index, s.nodes[i].key)
	s.nodes[i] = node[K]{}
	s.free = append(s.free, i)
}
