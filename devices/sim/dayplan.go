package sim

// planner plans one school's day at each local midnight (and at the start).
type planner struct {
	sc    *schoolState
	first bool // the day of the virtual start: also set up who is on duty
}

func (p *planner) fire(s *Simulator, due int64) (int64, bool) {
	day := localDayStart(due)
	s.planDay(p.sc, day, p.first)
	p.first = false
	return day + nsDay, true
}

// planDay schedules the school's day starting at local midnight day. The
// guard room is manned and patrolled every day; gates, posts and kitchens
// follow the school calendar.
func (s *Simulator) planDay(sc *schoolState, day int64, first bool) {
	school := sc.isSchoolDay(day)
	s.planGuards(sc, day, first)
	s.planPatrols(sc, day)
	s.planAlarms(sc, day, school, first)
	if !school {
		return
	}
	s.planGates(sc, day)
	s.planPosts(sc, day)
	s.planKitchens(sc, day)
}
