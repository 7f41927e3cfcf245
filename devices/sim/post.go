package sim

import "strconv"

// Protection posts: at every peak window of a school day each post is
// staffed by at least two people (its MinStaff, sometimes one more): a guard
// on duty when the roster has one, teachers, now and then a police officer
// at the first and last peaks, and parent volunteers. They check in 15-20
// min before the window (inside campusguard's default 20-min lead time:
// an earlier check-in does not staff the window) and check out up to 5 min
// after it ends.
const (
	postExtraP     = 0.3
	postPoliceP    = 0.4
	postVolunteerP = 0.2
)

// Salts that keep the id spaces of people apart.
const (
	saltTeacher   = 0x7465616368657273
	saltPolice    = 0x706f6c6963650000
	saltVolunteer = 0x766f6c756e746565
)

// planPosts schedules the day's post check-ins.
func (s *Simulator) planPosts(sc *schoolState, day int64) {
	dn := dayNumber(day)
	last := len(sc.peaks) - 1
	for pi, p := range sc.posts {
		for wi, w := range sc.peaks {
			from, to := w.at(day)
			if to < s.start || p.unstaffedIn(from, to) {
				continue
			}
			n := p.staff
			if chance(s.rng, postExtraP) {
				n++
			}
			for k := 0; k < n; k++ {
				id, role := s.postPerson(sc, from, dn, pi, wi, k, wi == 0 || wi == last)
				in := from - uniform(s.rng, 15*nsMinute, 20*nsMinute)
				out := to + uniform(s.rng, 0, 5*nsMinute)
				s.planPostEvent(p, in, to, id, role, true)
				s.planPostEvent(p, out, to, id, role, false)
			}
		}
	}
}

// postPerson picks the k-th person at post pi in peak window wi.
func (s *Simulator) postPerson(sc *schoolState, at, dn int64, pi, wi, k int, policed bool) (id, role string) {
	if k == 0 {
		if g := sc.dutyGuard(at, pi+wi); g != "" {
			return g, "guard"
		}
	}
	switch {
	case k == 1 && policed && chance(s.rng, postPoliceP):
		return "pol" + strconv.FormatUint(splitmix(sc.salt^saltPolice^uint64(pi))&(1<<40-1), 36), "police"
	case k > 0 && chance(s.rng, postVolunteerP):
		return "v" + strconv.FormatUint(splitmix(sc.salt^saltVolunteer^uint64(dn)<<8^uint64(wi*16+k))&(1<<40-1), 36), "volunteer"
	}
	teacher := (int(dn%1000) + wi*5 + k*3 + pi*7) % sc.staff
	return "t" + strconv.FormatUint(splitmix(sc.salt^saltTeacher^uint64(teacher))&(1<<40-1), 36), "teacher"
}

func (s *Simulator) planPostEvent(p *postState, due, keep int64, id, role string, in bool) {
	s.plan(due, keep, once(func(s *Simulator, due int64) { s.checkin(p.dev, due, in, id, p.id, role) }))
}

// unstaffedIn reports whether a post_unstaffed fault overlaps [from, to).
func (p *postState) unstaffedIn(from, to int64) bool {
	for _, f := range p.unstaffed {
		if f.overlaps(from, to) {
			return true
		}
	}
	return false
}
