package guard

import (
	"strconv"
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// day is the plan of one local date: its school-day points and its
// protection-post windows.
type day struct {
	date      devices.Date
	school    bool      // a school day by the calendar
	start     time.Time // first gate window start (default 07:00)
	checkFrom time.Time // guard_understaffed checked from here ...
	end       time.Time // ... until the last gate window end (default 18:00)
	noon      time.Time // patrol_shortfall P2 point
	partial   bool      // the engine started after the day start: the patrol count is incomplete
	checking  bool      // guard_understaffed is being checked
	endDone   bool      // the day-end duties ran
	windows   []window
}

// dayBounds returns the start of the school's first gate window and the
// end of its last one on date d (07:00-18:00 without gate windows).
func dayBounds(s *devices.School, d devices.Date) (time.Time, time.Time) {
	lo, hi := defDayStart, defDayEnd
	if g := s.WindowsOn(d).Gate; len(g) > 0 {
		lo, hi = g[0].Start, g[0].End
		for _, w := range g[1:] {
			lo, hi = min(lo, w.Start), max(hi, w.End)
		}
	}
	return lo.At(d), hi.At(d)
}

// plan makes the plan of date d and arms its deadlines. start is true when
// called from Module.Start: at engine start (nothing known yet) or after a
// registry reload of the same date (what is known is kept).
func (st *state) plan(c engine.Ctx, d devices.Date, start bool) {
	now, s, p := c.Now(), c.School(), c.Params()
	loc := s.Location()
	boot := !st.planned
	reload := start && st.planned && st.day.date == d
	old := st.day
	if st.planned && !reload {
		st.finish(c)
	}
	st.planned = true

	nd := day{date: d, school: c.SchoolDay(d.In(loc).Add(12 * time.Hour))}
	if nd.school {
		nd.start, nd.end = dayBounds(s, d)
		nd.checkFrom = nd.start.Add(p.GuardCheckAfterDayStart)
		nd.noon = d.In(loc).Add(p.PatrolNoneByNoon)
		switch {
		case reload:
			nd.checking, nd.endDone, nd.partial = old.checking, old.endDone, old.partial
			nd.checkFrom = later(nd.checkFrom, old.checkFrom)
		case boot:
			// Nothing is known of who checked in before the engine
			// started: give the guards the same grace as in the morning.
			nd.checkFrom = later(nd.checkFrom, now.Add(p.GuardCheckAfterDayStart))
			nd.partial = now.After(nd.start)
		}
		nd.windows = planWindows(c, d, now)
	}
	if reload {
		st.carry(c, &nd)
		if old.school && !nd.school { // the calendar changed: today is no school day after all
			st.resolveStaffing(c)
		}
	}
	st.day = nd

	// Deadlines of the new plan; stale ones of the old plan are cancelled.
	for i := len(nd.windows); i < len(old.windows); i++ {
		c.Cancel(windowKey(i, "a"))
		c.Cancel(windowKey(i, "s"))
		c.Cancel(windowKey(i, "e"))
	}
	if nd.school {
		atIfNotPast(c, nd.start, keyStart)
		if !nd.checking && nd.checkFrom.Before(nd.end) && now.Before(nd.end) {
			c.At(later(nd.checkFrom, now), keyCheck)
		}
		atIfNotPast(c, nd.noon, keyNoon)
		if !nd.endDone {
			atIfNotPast(c, nd.end, keyEnd)
		}
		for i := range nd.windows {
			w := &nd.windows[i]
			if w.phase < phaseAlert {
				c.At(w.AlertAt, windowKey(i, "a"))
			}
			if w.phase < phaseActive {
				c.At(w.Start, windowKey(i, "s"))
			}
			if w.phase < phaseDone {
				c.At(w.End, windowKey(i, "e"))
			}
		}
	} else {
		for _, k := range [...]string{keyStart, keyCheck, keyNoon, keyEnd} {
			c.Cancel(k)
		}
	}
	st.judgeLate(c)
	st.checkLicences(c)
	// Armed last, so that a deadline of today at 24:00 runs before it.
	c.At(d.AddDays(1).In(loc), keyDay)
}

// finish closes the planned day before the next is planned: the day-end
// duties if they did not run, and every window's end.
func (st *state) finish(c engine.Ctx) {
	if st.day.school && !st.day.endDone {
		st.endDay(c)
	}
	// Patrols are counted over the whole local day (guards patrol around
	// the clock): the count closes when the day does.
	if st.day.school {
		st.patrolDayEnd(c)
	}
	for i := range st.day.windows {
		if st.day.windows[i].phase < phaseDone {
			st.windowEnd(c, i)
		}
	}
}

// dayStart: a patrol_shortfall of an earlier school day is over.
func (st *state) dayStart(c engine.Ctx) {
	if st.patrolOpen && st.patrolOpenDate.Before(st.day.date) {
		st.resolvePatrol(c)
	}
}

// endDay runs the end of school hours: guard_understaffed stops (and
// resolves: no alert outside school hours).
func (st *state) endDay(c engine.Ctx) {
	if !st.day.school || st.day.endDone {
		return
	}
	st.day.endDone, st.day.checking = true, false
	c.Cancel(keyLapse)
	st.resolveStaffing(c)
}

func windowKey(i int, point string) string { return prefWindow + strconv.Itoa(i) + ":" + point }

// atIfNotPast arms key at t unless t is already past.
func atIfNotPast(c engine.Ctx, t time.Time, key string) {
	if !t.Before(c.Now()) {
		c.At(t, key)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
