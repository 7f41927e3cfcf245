package guard

import (
	"fmt"
	"slices"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/schedule"
	"github.com/campusguard/campusguard/devices"
)

// --- guard_understaffed ---

// shortNow returns the licensed guards on duty now and the requirement;
// ok is false when the school has no roster (licences unknown: guard
// staffing is not judged).
func (st *state) shortNow(c engine.Ctx) (n, req int, ok bool) {
	s := c.School()
	if !schedule.RosterKnown(s) {
		return 0, 0, false
	}
	return sched(c).LicensedOnDuty(s, st.present, c.Now()), s.RequiredGuards(), true
}

// staffChanged follows the licensed guards on duty after a change (and at
// Start): it notes since when they fall short of the requirement and
// re-judges guard_understaffed while it is checked.
func (st *state) staffChanged(c engine.Ctx) {
	n, req, ok := st.shortNow(c)
	if !ok || n >= req {
		st.shortSince = time.Time{}
		c.Cancel(keyLapse)
		st.resolveStaffing(c)
		return
	}
	if st.shortSince.IsZero() {
		st.shortSince = c.Now()
	}
	if st.day.checking {
		st.checkStaffing(c)
	}
}

// checkStaffing judges guard_understaffed (at the check point, at a lapse
// deadline, then on every change until the day's end): a shortfall fires
// once it has lasted longer than the handover gap (schedule.LapseAt);
// until then the lapse deadline is armed.
func (st *state) checkStaffing(c engine.Ctx) {
	if !st.day.school || st.day.endDone {
		return
	}
	st.day.checking = true
	n, req, ok := st.shortNow(c)
	if !ok || n >= req {
		st.shortSince = time.Time{}
		c.Cancel(keyLapse)
		st.resolveStaffing(c)
		return
	}
	now := c.Now()
	if st.shortSince.IsZero() {
		st.shortSince = now
	}
	if st.understaffed {
		return
	}
	if at := sched(c).LapseAt(st.shortSince, st.day.checkFrom); now.Before(at) {
		c.At(at, keyLapse)
		return
	}
	st.understaffed = true
	s := c.School()
	c.Fire(alerting.Condition{
		Rule:      alerting.GuardUnderstaffed,
		MessageZH: fmt.Sprintf("%s 在岗持证专职保安 %d 人，少于要求的 %d 人", schoolName(s), n, req),
		MessageEN: fmt.Sprintf("%s: %d licensed guards on duty, %d required", schoolName(s), n, req),
	})
}

func (st *state) resolveStaffing(c engine.Ctx) {
	if st.understaffed {
		st.understaffed = false
		c.Resolve(alerting.GuardUnderstaffed, "")
	}
}

// --- guardroom_unmanned ---

// startRoom arms the guard-room deadline at engine start or reload: a
// guard room nobody checked in at since Start is unmanned from Start.
func (st *state) startRoom(c engine.Ctx) {
	st.roomWatched = schedule.RoomWatched(c.School())
	if !st.roomWatched {
		st.roomEmptySince = time.Time{}
		c.Cancel(keyRoom)
		if st.roomOpen {
			st.roomOpen = false
			c.Resolve(alerting.GuardroomUnmanned, "")
		}
		return
	}
	st.roomChanged(c)
	if !st.roomEmptySince.IsZero() && !st.roomOpen {
		c.At(st.roomEmptySince.Add(c.Params().GuardroomUnmannedAfter), keyRoom)
	}
}

// roomChanged follows the guards at the guard room: the first one in
// resolves, the last one out starts the countdown.
func (st *state) roomChanged(c engine.Ctx) {
	if !st.roomWatched {
		return
	}
	if sched(c).GuardsAt(devices.PostGuardroom, st.present, c.Now()) > 0 {
		if !st.roomEmptySince.IsZero() {
			st.roomEmptySince = time.Time{}
			c.Cancel(keyRoom)
		}
		if st.roomOpen {
			st.roomOpen = false
			c.Resolve(alerting.GuardroomUnmanned, "")
		}
		return
	}
	if st.roomEmptySince.IsZero() {
		st.roomEmptySince = c.Now()
		c.At(c.Now().Add(c.Params().GuardroomUnmannedAfter), keyRoom)
	}
}

// roomDeadline: nobody came back to the guard room in time.
func (st *state) roomDeadline(c engine.Ctx) {
	if !st.roomWatched || st.roomOpen || st.roomEmptySince.IsZero() || sched(c).GuardsAt(devices.PostGuardroom, st.present, c.Now()) > 0 {
		return
	}
	st.roomOpen = true
	s := c.School()
	m := minutes(c.Now().Sub(st.roomEmptySince))
	c.Fire(alerting.Condition{
		Rule:      alerting.GuardroomUnmanned,
		MessageZH: fmt.Sprintf("%s 门卫室已无保安值守 %d 分钟", schoolName(s), m),
		MessageEN: fmt.Sprintf("%s: no guard at the guard room for %d min", schoolName(s), m),
	})
}

// --- guard_unlicensed ---

// flagUnlicensed reports a guard not on the roster who checked in; it
// resolves when the guard is gone or at the end of the day.
func (st *state) flagUnlicensed(c engine.Ctx, g, post string) {
	if slices.Contains(st.unlicensed, g) {
		return
	}
	st.unlicensed = append(st.unlicensed, g)
	s, now := c.School(), c.Now()
	// The end of the day: the school day's end when still ahead, else
	// local midnight.
	until := devices.DateOf(now.In(s.Location())).AddDays(1).In(s.Location())
	if d := &st.day; d.school && d.date == devices.DateOf(now.In(s.Location())) && now.Before(d.end) {
		until = d.end
	}
	c.At(until, prefUnlic+g)
	c.Fire(alerting.Condition{
		Rule:      alerting.GuardUnlicensed,
		Subject:   g,
		MessageZH: fmt.Sprintf("%s 保安 %s 在%s签到，不在持证保安名册中", schoolName(s), g, schedule.PostName(s, post)),
		MessageEN: fmt.Sprintf("%s: guard %s checked in at %s but is not on the licensed roster", schoolName(s), g, post),
	})
}

// clearUnlicensed resolves guard_unlicensed of g (the guard left).
func (st *state) clearUnlicensed(c engine.Ctx, g string) {
	i := slices.Index(st.unlicensed, g)
	if i < 0 {
		return
	}
	st.unlicensed = slices.Delete(st.unlicensed, i, i+1)
	c.Cancel(prefUnlic + g)
	c.Resolve(alerting.GuardUnlicensed, g)
}

// unlicensedDayOver resolves guard_unlicensed of g at the end of the day.
func (st *state) unlicensedDayOver(c engine.Ctx, g string) {
	i := slices.Index(st.unlicensed, g)
	if i < 0 {
		return
	}
	st.unlicensed = slices.Delete(st.unlicensed, i, i+1)
	c.Resolve(alerting.GuardUnlicensed, g)
}
