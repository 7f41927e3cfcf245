package guard

import (
	"time"

	"strconv"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/schedule"
	"github.com/campusguard/campusguard/devices"
)

// state is the module's state for one school.
type state struct {
	// present holds the open stays (one per person and post; few per
	// school: a slice beats a map); seqs[i] names present[i]'s expiry
	// deadline.
	present []schedule.Stay
	seqs    []uint64
	seq     uint64
	planned bool // plan ran at least once (false until the first Start)
	day     day

	understaffed bool      // guard_understaffed open
	shortSince   time.Time // licensed guards short of the requirement since (zero: not short)

	roomWatched    bool
	roomEmptySince time.Time // zero while someone is there
	roomOpen       bool      // guardroom_unmanned open

	unlicensed []string // guard ids with guard_unlicensed open
	expiring   []string // guard ids with guard_license_expiring open

	patrolDate     devices.Date // the date rounds counts
	rounds         []int64      // distinct rounds on patrolDate
	patrolOpen     bool         // patrol_shortfall open
	patrolOpenDate devices.Date // the school day it was raised for
}

// sched returns the duty parameters of the school.
func sched(c engine.Ctx) schedule.Params { return schedule.ParamsOf(c.Params()) }

func (st *state) find(g, post string) int {
	for i := range st.present {
		if st.present[i].Person == g && st.present[i].Post == post {
			return i
		}
	}
	return -1
}

// isPresent reports whether guard g is present at any post.
func (st *state) isPresent(g string) bool {
	for i := range st.present {
		if st.present[i].Person == g {
			return true
		}
	}
	return false
}

func expireKey(seq uint64) string { return prefExpire + strconv.FormatUint(seq, 10) }

// checkin records a check-in and evaluates every rule it touches. A
// repeated check-in starts a new stay (it refreshes the presence and
// counts for a window whose lead time has begun); a retained replay of
// one already known changes nothing.
func (st *state) checkin(c engine.Ctx, ev *devices.Event) {
	g, post, role := ev.Str("guard"), ev.Str("post"), ev.Str("role")
	if g == "" || post == "" {
		return
	}
	now, p := c.Now(), sched(c)
	before := st.windowCounts(c)
	if i := st.find(g, post); i >= 0 {
		if ev.Retained {
			return
		}
		st.present[i].Role, st.present[i].In = role, now
		c.At(p.End(&st.present[i]), expireKey(st.seqs[i]))
	} else {
		st.seq++
		st.present = append(st.present, schedule.Stay{Person: g, Post: post, Role: role, In: now})
		st.seqs = append(st.seqs, st.seq)
		c.At(p.End(&st.present[len(st.present)-1]), expireKey(st.seq))
	}
	st.changed(c, post, before, true)
	if role == schedule.RoleGuard && schedule.RosterKnown(c.School()) &&
		!schedule.Licensed(c.School(), g, devices.DateOf(now.In(devices.Location()))) {
		st.flagUnlicensed(c, g, post)
	}
}

// checkout ends the presence of (guard, post). A check-out at a post the
// person is not checked in at is ignored.
func (st *state) checkout(c engine.Ctx, ev *devices.Event) {
	i := st.find(ev.Str("guard"), ev.Str("post"))
	if i < 0 {
		return
	}
	c.Cancel(expireKey(st.seqs[i]))
	st.leave(c, i)
}

// expire drops a presence older than presence_max_age: it counts as gone.
func (st *state) expire(c engine.Ctx, seq uint64) {
	for i := range st.seqs {
		if st.seqs[i] == seq {
			st.leave(c, i)
			return
		}
	}
}

// leave removes presence i and evaluates every rule it touches.
func (st *state) leave(c engine.Ctx, i int) {
	s := st.present[i]
	before := st.windowCounts(c)
	last := len(st.present) - 1
	st.present[i], st.seqs[i] = st.present[last], st.seqs[last]
	st.present[last] = schedule.Stay{}
	st.present, st.seqs = st.present[:last], st.seqs[:last]
	st.changed(c, s.Post, before, false)
	if !st.isPresent(s.Person) {
		st.clearUnlicensed(c, s.Person)
	}
}

// windowCounts returns, per window of the day, the people staffing it now.
func (st *state) windowCounts(c engine.Ctx) []int {
	p, now := sched(c), c.Now()
	out := make([]int, len(st.day.windows))
	for i := range st.day.windows {
		out[i] = p.StaffAt(&st.day.windows[i].Window, st.present, now)
	}
	return out
}

// changed re-evaluates the rules after the people at post changed; before
// is how many staffed each window before the change.
func (st *state) changed(c engine.Ctx, post string, before []int, checkin bool) {
	if post == devices.PostGuardroom {
		st.roomChanged(c)
	}
	st.staffChanged(c)
	for i := range st.day.windows {
		if st.day.windows[i].Post == post && i < len(before) {
			st.windowChanged(c, i, before[i], checkin)
		}
	}
}
