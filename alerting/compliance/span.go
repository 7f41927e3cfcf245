package compliance

import (
	"slices"
	"time"
)

// span is the half-open interval [from, to).
type span struct{ from, to time.Time }

func (s span) empty() bool { return !s.to.After(s.from) }

func (s span) len() time.Duration {
	if s.empty() {
		return 0
	}
	return s.to.Sub(s.from)
}

// clip returns s ∩ w (possibly empty).
func (s span) clip(w span) span { return span{later(s.from, w.from), earlier(s.to, w.to)} }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// total sums the lengths of disjoint spans.
func total(ss []span) time.Duration {
	var d time.Duration
	for _, s := range ss {
		d += s.len()
	}
	return d
}

// overlap returns how long the disjoint spans a cover the disjoint spans
// mask.
func overlap(a, mask []span) time.Duration {
	var d time.Duration
	for _, x := range a {
		for _, m := range mask {
			d += x.clip(m).len()
		}
	}
	return d
}

// intersect returns the non-empty pieces of mask inside w.
func intersect(mask []span, w span) []span {
	var out []span
	for _, m := range mask {
		if c := m.clip(w); !c.empty() {
			out = append(out, c)
		}
	}
	return out
}

// union sorts ss and merges overlapping or touching spans (in place).
func union(ss []span) []span {
	ss = slices.DeleteFunc(ss, span.empty)
	slices.SortFunc(ss, func(a, b span) int { return a.from.Compare(b.from) })
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && !s.from.After(out[n-1].to) {
			out[n-1].to = later(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// minus returns w without the disjoint sorted spans holes.
func minus(w span, holes []span) []span {
	var out []span
	at := w.from
	for _, h := range holes {
		if !h.to.After(at) {
			continue
		}
		if !h.from.Before(w.to) {
			break
		}
		if h.from.After(at) {
			out = append(out, span{at, h.from})
		}
		at = h.to
	}
	if at.Before(w.to) {
		out = append(out, span{at, w.to})
	}
	return out
}

// counts calls f for each piece of w, in time order, with how many of
// items cover it (a piece is a maximal stretch with one count).
func counts(items []span, w span, f func(piece span, n int)) {
	if w.empty() {
		return
	}
	type edge struct {
		at time.Time
		d  int
	}
	var edges []edge
	for _, it := range items {
		c := it.clip(w)
		if c.empty() {
			continue
		}
		edges = append(edges, edge{c.from, +1}, edge{c.to, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	at, n := w.from, 0
	for i := 0; i < len(edges); {
		t := edges[i].at
		if t.After(at) {
			f(span{at, t}, n)
			at = t
		}
		for ; i < len(edges) && edges[i].at.Equal(t); i++ {
			n += edges[i].d
		}
	}
	if w.to.After(at) {
		f(span{at, w.to}, n)
	}
}

// coverAt returns how many of items contain t.
func coverAt(items []span, t time.Time) int {
	n := 0
	for _, it := range items {
		if !t.Before(it.from) && t.Before(it.to) {
			n++
		}
	}
	return n
}

// pruneSpans drops the spans that ended by h (in place).
func pruneSpans(ss []span, h time.Time) []span {
	return slices.DeleteFunc(ss, func(s span) bool { return !s.to.After(h) })
}
