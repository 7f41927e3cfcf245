package schedule

import (
	"slices"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// WindowVerdict is how a window went, as observed up to some instant.
type WindowVerdict struct {
	Started bool      // the window has begun
	Done    bool      // the window is over
	AtStart int       // people counting for it at its start
	Least   int       // the fewest counting at any instant of it so far
	ShortAt time.Time // the first instant fewer than Need counted (zero: never)
}

// Staffed reports whether the window was staffed so far: begun, with at
// least Need people counting for it at every instant from its start. The
// guard rules fire post_unstaffed or post_understaffed exactly when it is
// not (the alert point before the start is an early warning and does not
// count against the window).
func (v WindowVerdict) Staffed() bool { return v.Started && v.ShortAt.IsZero() }

// JudgeWindow returns the verdict of w from the stays at its post,
// observed up to upTo.
func (p Params) JudgeWindow(w *Window, stays []Stay, upTo time.Time) WindowVerdict {
	var v WindowVerdict
	if !upTo.After(w.Start) {
		return v
	}
	v.Started, v.Done = true, !upTo.Before(w.End)
	v.AtStart = p.StaffAt(w, stays, w.Start)
	v.Least = -1
	p.pieces(stays, w.Start, earlier(w.End, upTo), func(t time.Time) int { return p.StaffAt(w, stays, t) },
		func(from, _ time.Time, n int) {
			if v.Least < 0 || n < v.Least {
				v.Least = n
			}
			if n < w.Need && v.ShortAt.IsZero() {
				v.ShortAt = from
			}
		})
	v.Least = max(v.Least, 0)
	return v
}

// LapseAt returns when a guard shortfall that began at since becomes a
// lapse: HandoverGap after it began (a handover shorter than that is not
// one), and not before from, when staffing starts being judged.
func (p Params) LapseAt(since, from time.Time) time.Time {
	return later(since.Add(p.HandoverGap), from)
}

// GuardVerdict is how a school's guard staffing went over a span.
type GuardVerdict struct {
	Least   int       // the fewest licensed guards on duty during the span
	LapseAt time.Time // the first lapse (zero: none)
}

// JudgeGuards judges the licensed guards on duty against req from from to
// to. Shortfalls are measured from watch (≤ from: when observation
// began), so one that began before from and lasted past the handover gap
// is a lapse at from; Least is taken over [from, to).
func (p Params) JudgeGuards(s *devices.School, stays []Stay, req int, watch, from, to time.Time) GuardVerdict {
	var v GuardVerdict
	if !to.After(from) {
		return v
	}
	v.Least = -1
	var since time.Time
	short := false
	p.pieces(stays, earlier(watch, from), to, func(t time.Time) int { return p.LicensedOnDuty(s, stays, t) },
		func(a, b time.Time, n int) {
			if b.After(from) && (v.Least < 0 || n < v.Least) {
				v.Least = n
			}
			if n >= req {
				short = false
				return
			}
			if !short {
				short, since = true, a
			}
			if at := p.LapseAt(since, from); v.LapseAt.IsZero() && at.Before(b) && at.Before(to) {
				v.LapseAt = at
			}
		})
	v.Least = max(v.Least, 0)
	return v
}

// pieces calls f for each piece of [from, to) over which count does not
// change (it changes only where a stay begins or ends), in time order,
// with count taken at the piece's start; adjacent pieces of equal count
// are merged.
func (p Params) pieces(stays []Stay, from, to time.Time, count func(time.Time) int, f func(a, b time.Time, n int)) {
	if !to.After(from) {
		return
	}
	cuts := []time.Time{from, to}
	for i := range stays {
		for _, t := range [...]time.Time{stays[i].In, p.End(&stays[i])} {
			if t.After(from) && t.Before(to) {
				cuts = append(cuts, t)
			}
		}
	}
	// Licences are valid by date: a day boundary may change the count.
	for d := devices.DateOf(from.In(devices.Location())).AddDays(1); ; d = d.AddDays(1) {
		t := d.In(devices.Location())
		if !t.Before(to) {
			break
		}
		cuts = append(cuts, t)
	}
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	cuts = slices.CompactFunc(cuts, func(a, b time.Time) bool { return a.Equal(b) })
	a, n := cuts[0], count(cuts[0])
	for _, t := range cuts[1 : len(cuts)-1] {
		if m := count(t); m != n {
			f(a, t, n)
			a, n = t, m
		}
	}
	f(a, to, n)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
