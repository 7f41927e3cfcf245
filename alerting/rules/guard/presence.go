package guard

import (
	"strconv"
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// presence is one person checked in at one post and not checked out.
type presence struct {
	guard string
	post  string
	role  string
	since time.Time
	seq   uint64 // names the expiry deadline
}

// state is the module's state for one school.
type state struct {
	present []presence // few per school: a slice beats a map
	seq     uint64
	planned bool // plan ran at least once (false until the first Start)
	day     day

	understaffed bool // guard_understaffed open

	roomWatched    bool
	roomEmptySince time.Time // zero while someone is there
	roomOpen       bool      // guardroom_unmanned open

	unlicensed []string // guard ids with guard_unlicensed open

	patrolDate     devices.Date // the date rounds counts
	rounds         []int64      // distinct rounds on patrolDate
	patrolOpen     bool         // patrol_shortfall open
	patrolOpenDate devices.Date // the school day it was raised for
}

func (st *state) find(g, post string) int {
	for i := range st.present {
		if st.present[i].guard == g && st.present[i].post == post {
			return i
		}
	}
	return -1
}

// countAt returns the people (any role) present at post.
func (st *state) countAt(post string) int {
	n := 0
	for i := range st.present {
		if st.present[i].post == post {
			n++
		}
	}
	return n
}

// guardsAt returns the people with role guard present at post.
func (st *state) guardsAt(post string) int {
	n := 0
	for i := range st.present {
		if st.present[i].post == post && st.present[i].role == roleGuard {
			n++
		}
	}
	return n
}

// licensedPresent returns the distinct guards with role guard on the
// school's roster present at any post.
func (st *state) licensedPresent(s *devices.School) int {
	n := 0
	for i := range st.present {
		p := &st.present[i]
		if p.role != roleGuard || !onRoster(s, p.guard) {
			continue
		}
		dup := false
		for j := 0; j < i; j++ {
			if q := &st.present[j]; q.guard == p.guard && q.role == roleGuard {
				dup = true
				break
			}
		}
		if !dup {
			n++
		}
	}
	return n
}

// isPresent reports whether guard g is present at any post.
func (st *state) isPresent(g string) bool {
	for i := range st.present {
		if st.present[i].guard == g {
			return true
		}
	}
	return false
}

func onRoster(s *devices.School, g string) bool {
	for i := range s.Guards {
		if s.Guards[i].ID == g {
			return true
		}
	}
	return false
}

func expireKey(seq uint64) string { return prefExpire + strconv.FormatUint(seq, 10) }

// checkin records a check-in and evaluates every rule it touches. A
// repeated check-in refreshes the presence (a retained replay of one
// already known changes nothing).
func (st *state) checkin(c engine.Ctx, ev *devices.Event) {
	g, post, role := ev.Str("guard"), ev.Str("post"), ev.Str("role")
	if g == "" || post == "" {
		return
	}
	now := c.Now()
	before := st.countAt(post)
	if i := st.find(g, post); i >= 0 {
		if ev.Retained {
			return
		}
		st.present[i].role, st.present[i].since = role, now
		c.At(now.Add(PresenceMaxAge), expireKey(st.present[i].seq))
	} else {
		st.seq++
		st.present = append(st.present, presence{guard: g, post: post, role: role, since: now, seq: st.seq})
		c.At(now.Add(PresenceMaxAge), expireKey(st.seq))
	}
	st.changed(c, post, before, true)
	if role == roleGuard && !onRoster(c.School(), g) {
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
	c.Cancel(expireKey(st.present[i].seq))
	st.leave(c, i)
}

// expire drops a presence older than PresenceMaxAge: it counts as gone.
func (st *state) expire(c engine.Ctx, seq uint64) {
	for i := range st.present {
		if st.present[i].seq == seq {
			st.leave(c, i)
			return
		}
	}
}

// leave removes presence i and evaluates every rule it touches.
func (st *state) leave(c engine.Ctx, i int) {
	p := st.present[i]
	before := st.countAt(p.post)
	last := len(st.present) - 1
	st.present[i] = st.present[last]
	st.present[last] = presence{}
	st.present = st.present[:last]
	st.changed(c, p.post, before, false)
	if !st.isPresent(p.guard) {
		st.clearUnlicensed(c, p.guard)
	}
}

// changed re-evaluates the rules after the people at post changed; before
// is how many were there before the change.
func (st *state) changed(c engine.Ctx, post string, before int, checkin bool) {
	if post == devices.PostGuardroom {
		st.roomChanged(c)
	}
	if st.day.checking {
		st.checkStaffing(c)
	}
	for i := range st.day.windows {
		if st.day.windows[i].post == post {
			st.windowChanged(c, i, before, checkin)
		}
	}
}
