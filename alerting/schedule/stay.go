package schedule

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// RoleGuard is the check-in role of a security guard.
const RoleGuard = "guard"

// Stay is one person's presence at one post from one check-in. It ends at
// the check-out, at the next check-in of the same person at the same post
// (which starts a new Stay: a repeated check-in refreshes the presence),
// or MaxAge after the check-in, whichever comes first.
type Stay struct {
	Person string
	Post   string
	Role   string
	In     time.Time // the check-in
	Out    time.Time // the check-out or the next check-in; zero while open
}

// End returns when s ends: its Out when set, else MaxAge after In (a
// forgotten check-out must not keep a post manned for ever).
func (p Params) End(s *Stay) time.Time {
	exp := s.In.Add(p.MaxAge)
	if !s.Out.IsZero() && s.Out.Before(exp) {
		return s.Out
	}
	return exp
}

// PresentAt reports whether s is present at t.
func (p Params) PresentAt(s *Stay, t time.Time) bool {
	return !t.Before(s.In) && t.Before(p.End(s))
}

// CountsFor reports whether s can staff window w: at w's post, checked in
// within its lead time (no earlier than LeadFrom) and before it ends. A
// person still checked in from an earlier window counts only after
// checking in again.
func (w *Window) CountsFor(s *Stay) bool {
	return s.Post == w.Post && !s.In.Before(w.LeadFrom) && s.In.Before(w.End)
}

// StaffAt returns how many people staff w at t (any role: guards,
// teachers, police, volunteers).
func (p Params) StaffAt(w *Window, stays []Stay, t time.Time) int {
	n := 0
	for i := range stays {
		if s := &stays[i]; w.CountsFor(s) && p.PresentAt(s, t) {
			n++
		}
	}
	return n
}

// GuardsAt returns how many people with role guard are present at post at
// t (the guard room is manned by guards only).
func (p Params) GuardsAt(post string, stays []Stay, t time.Time) int {
	n := 0
	for i := range stays {
		if s := &stays[i]; s.Post == post && s.Role == RoleGuard && p.PresentAt(s, t) {
			n++
		}
	}
	return n
}

// RosterKnown reports whether the school's guard roster was given. A
// school without one has its licences unknown: guard_unlicensed and
// guard_understaffed are not judged there, and the guard_staffing measure
// shows "not judged" (a roster is imported with the registry).
func RosterKnown(s *devices.School) bool { return len(s.Guards) > 0 }

// Licensed reports whether guard id is on the school's roster with a
// licence valid on date d (no expiry given, or expiring on d or later).
func Licensed(s *devices.School, id string, d devices.Date) bool {
	for i := range s.Guards {
		if g := &s.Guards[i]; g.ID == id {
			return g.LicenseExpires.IsZero() || !g.LicenseExpires.Before(d)
		}
	}
	return false
}

// LicensedOnDuty returns how many distinct licensed guards (role guard,
// Licensed on t's date) are present anywhere at t.
func (p Params) LicensedOnDuty(s *devices.School, stays []Stay, t time.Time) int {
	d := devices.DateOf(t.In(devices.Location()))
	n := 0
	for i := range stays {
		st := &stays[i]
		if st.Role != RoleGuard || !p.PresentAt(st, t) || !Licensed(s, st.Person, d) {
			continue
		}
		dup := false
		for j := 0; j < i && !dup; j++ {
			q := &stays[j]
			dup = q.Person == st.Person && q.Role == RoleGuard && p.PresentAt(q, t)
		}
		if !dup {
			n++
		}
	}
	return n
}
