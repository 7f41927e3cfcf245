package sim

// Guard duty. The guard room is manned around the clock in two 12-hour
// shifts, day 07:00-19:00 and night 19:00-07:00. The night shift rotates
// through the roster; the guard who did last night rests the next day when
// the roster leaves enough guards for the school's requirement, otherwise
// everyone works the day shift. A guard whose duty runs on through a
// handover checks in again there (交接班签到), as campusguard forgets a
// check-in after presence_max_age (16 h) and a day-plus-night duty is 24 h.
// Incoming guards check in a few minutes before a handover and outgoing
// ones check out a few minutes after, so the guard room is never empty.
const (
	dayShiftStart   = 7 * 60
	nightShiftStart = 19 * 60
)

// onDuty reports whether roster guard g works the shift (day, night) of
// local day number dn.
func (sc *schoolState) onDuty(g int, dn int64, night bool) bool {
	r := int64(len(sc.school.Guards))
	if r == 0 {
		return false
	}
	if night {
		return int64(g) == ((dn%r)+r)%r
	}
	if r == 1 {
		return true
	}
	restIdx := (((dn - 1) % r) + r) % r
	return int64(g) != restIdx || int(r)-1 < sc.required
}

// shiftAt returns the local day number and shift holding t.
func shiftAt(t int64) (dn int64, night bool) {
	dn = dayNumber(t)
	m := (t - localDayStart(t)) / nsMinute
	switch {
	case m < dayShiftStart:
		return dn - 1, true
	case m < nightShiftStart:
		return dn, false
	}
	return dn, true
}

// planGuards schedules the day's guard-room handovers; on the first day it
// also checks in whoever is on duty at the start.
func (s *Simulator) planGuards(sc *schoolState, day int64, first bool) {
	if sc.guardroom == nil || len(sc.school.Guards) == 0 {
		return
	}
	dn := dayNumber(day)
	if first {
		cdn, cnight := shiftAt(s.start)
		for g := range sc.school.Guards {
			if sc.onDuty(g, cdn, cnight) {
				s.planGuardEvent(sc, s.start, s.start, g, true)
			}
		}
	}
	// The handovers of the day: at 07:00 from last night to the day
	// shift, at 19:00 from the day shift to tonight.
	handovers := []struct {
		at          int64
		prevDay     int64
		prevNight   bool
		toNightNext bool
	}{
		{day + dayShiftStart*nsMinute, dn - 1, true, false},
		{day + nightShiftStart*nsMinute, dn, false, true},
	}
	for _, h := range handovers {
		if h.at <= s.start {
			continue // the first day's check-ins cover it
		}
		for g := range sc.school.Guards {
			was, is := sc.onDuty(g, h.prevDay, h.prevNight), sc.onDuty(g, dn, h.toNightNext)
			switch {
			case !was && is:
				s.planGuardEvent(sc, h.at-uniform(s.rng, nsMinute, 15*nsMinute), h.at, g, true)
			case was && !is:
				s.planGuardEvent(sc, h.at+uniform(s.rng, nsMinute, 15*nsMinute), h.at, g, false)
			case was && is:
				s.planGuardEvent(sc, h.at-uniform(s.rng, nsMinute, 15*nsMinute), h.at, g, true)
			}
		}
	}
}

func (s *Simulator) planGuardEvent(sc *schoolState, due, keep int64, g int, in bool) {
	id := sc.school.Guards[g].ID
	s.plan(due, keep, once(func(s *Simulator, due int64) {
		s.checkin(sc.guardroom, due, in, id, postGuardroom, "guard")
	}))
}

// checkin emits a guard.checkin or guard.checkout.
func (s *Simulator) checkin(d *devState, due int64, in bool, guard, post, role string) {
	t := tCheckout
	if in {
		t = tCheckin
	}
	if !s.begin(d, chEvent, t, due) {
		return
	}
	s.w.str("guard", guard)
	s.w.str("post", post)
	s.w.str("role", role)
	s.end()
}

// dutyGuard returns the id of a roster guard on duty at t (the pick-th of
// them, wrapping), or "" when none is.
func (sc *schoolState) dutyGuard(t int64, pick int) string {
	dn, night := shiftAt(t)
	var on []int
	for g := range sc.school.Guards {
		if sc.onDuty(g, dn, night) {
			on = append(on, g)
		}
	}
	if len(on) == 0 {
		return ""
	}
	return sc.school.Guards[on[pick%len(on)]].ID
}

// Patrol rounds: six a day (docs/rules.md asks for at least five), each along
// the same route of checkpoints a few minutes apart.
var patrolRounds = [...]int{6*60 + 30, 9*60 + 30, 13 * 60, 15*60 + 30, 20 * 60, 23 * 60}

const (
	patrolRoute  = "perimeter"
	patrolPoints = 5
)

var patrolPointIDs = [patrolPoints]string{"p1", "p2", "p3", "p4", "p5"}

// planPatrols schedules the day's patrol rounds from the guard-room terminal.
func (s *Simulator) planPatrols(sc *schoolState, day int64) {
	if sc.guardroom == nil {
		return
	}
	for i, m := range patrolRounds {
		round := i + 1
		t := day + int64(m)*nsMinute + uniform(s.rng, -10*nsMinute, 10*nsMinute)
		guard := sc.dutyGuard(t, round)
		for p := range patrolPointIDs {
			at := t + int64(p)*3*nsMinute
			point := patrolPointIDs[p]
			s.plan(at, at, once(func(s *Simulator, due int64) {
				if !s.begin(sc.guardroom, chEvent, tPatrol, due) {
					return
				}
				if guard != "" {
					s.w.str("guard", guard)
				}
				s.w.str("route", patrolRoute)
				s.w.str("point", point)
				s.w.integer("round", int64(round))
				s.end()
			}))
		}
	}
}
