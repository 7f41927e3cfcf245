package deadline

// entry is a heap element: the deadline's instant and scheduling number,
// which order it, and its slot. Keeping the order inline means sifting
// compares entries of one array instead of chasing slots.
type entry struct {
	sec  int64  // seconds since the Unix epoch
	seq  uint64 // scheduling number: earlier wins a tie
	nsec int32  // nanoseconds within sec, [0, 1e9)
	node int32  // slot in Set.nodes, or ^handle (negative) for a handle
}

// less orders by instant, then by scheduling number; seq is unique among
// live entries, so the order is total.
func (a entry) less(b entry) bool {
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.seq < b.seq
}

// arity is the heap's fan-out: a 4-ary heap is half as deep as a binary
// one, and a node's four children share a cache line or two.
const arity = 4

// set places e at heap position i and tells its slot where it is.
func (s *Set[K]) set(i int, e entry) {
	s.heap[i] = e
	if e.node >= 0 {
		s.pos[e.node] = int32(i)
	} else {
		s.hpos[^e.node] = int32(i)
	}
}

// push adds e to the heap.
func (s *Set[K]) push(e entry) {
	s.heap = append(s.heap, e)
	s.up(len(s.heap)-1, e)
}

// fix replaces the entry at position i with e and restores the heap.
func (s *Set[K]) fix(i int, e entry) {
	if i > 0 && e.less(s.heap[(i-1)/arity]) {
		s.up(i, e)
	} else {
		s.down(i, e)
	}
}

// removeAt takes the entry at position i out of the heap.
func (s *Set[K]) removeAt(i int) {
	last := len(s.heap) - 1
	e := s.heap[last]
	s.heap = s.heap[:last]
	if i < last {
		s.fix(i, e)
	}
}

// up moves e from the hole at position i towards the root.
func (s *Set[K]) up(i int, e entry) {
	for i > 0 {
		p := (i - 1) / arity
		if !e.less(s.heap[p]) {
			break
		}
		s.set(i, s.heap[p])
		i = p
	}
	s.set(i, e)
}

// down moves e from the hole at position i towards the leaves.
func (s *Set[K]) down(i int, e entry) {
	n := len(s.heap)
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		best := c
		end := min(c+arity, n)
		for j := c + 1; j < end; j++ {
			if s.heap[j].less(s.heap[best]) {
				best = j
			}
		}
		if !s.heap[best].less(e) {
			break
		}
		s.set(i, s.heap[best])
		i = best
	}
	s.set(i, e)
}
