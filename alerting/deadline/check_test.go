package deadline

import (
	"testing"
	"time"
)

// check verifies the Set's internal invariants: the heap order, that every
// live slot knows its heap position and is indexed under its key, and that
// free slots are zeroed, and that every scheduled handle knows its heap
// position (they keep no key memory alive).
func (s *Set[K]) check(t testing.TB) {
	t.Helper()
	handles := 0
	for h, p := range s.hpos {
		if p < 0 {
			continue
		}
		handles++
		if int(p) >= len(s.heap) || s.heap[p].node != ^int32(h) {
			t.Fatalf("handle %d says pos %d, heap does not hold it there", h, p)
		}
	}
	if len(s.index) != len(s.heap)-handles {
		t.Fatalf("index has %d keys, heap %d entries of which %d handles", len(s.index), len(s.heap), handles)
	}
	if len(s.heap)-handles+len(s.free) != len(s.nodes) || len(s.pos) != len(s.nodes) {
		t.Fatalf("heap %d - handles %d + free %d != nodes %d", len(s.heap), handles, len(s.free), len(s.nodes))
	}
	for i, e := range s.heap {
		if i > 0 && e.less(s.heap[(i-1)/arity]) {
			t.Fatalf("heap order broken at %d", i)
		}
		if e.node < 0 {
			continue
		}
		n := s.nodes[e.node]
		if int(s.pos[e.node]) != i {
			t.Fatalf("slot %d says pos %d, is at %d", e.node, s.pos[e.node], i)
		}
		if got := s.index[n.key]; got != e.node {
			t.Fatalf("key %v indexed at slot %d, heap says %d", n.key, got, e.node)
		}
		if n.at.Unix() != e.sec || int32(n.at.Nanosecond()) != e.nsec {
			t.Fatalf("slot %d time %v does not match entry %d.%09d", e.node, n.at, e.sec, e.nsec)
		}
	}
	var zero node[K]
	for _, i := range s.free {
		if s.nodes[i] != zero {
			t.Fatalf("free slot %d not zeroed: %+v", i, s.nodes[i])
		}
	}
}

// base is an arbitrary instant in the engine's zone; tests work in offsets
// from it.
var base = time.Date(2026, 11, 28, 7, 0, 0, 0, time.FixedZone("CST", 8*3600))

func at(d time.Duration) time.Time { return base.Add(d) }
