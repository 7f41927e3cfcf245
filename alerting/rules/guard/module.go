package guard

import (
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// Event types and roles of the vocabulary this module reads.
const (
	typeCheckin    = "guard.checkin"
	typeCheckout   = "guard.checkout"
	typeCheckpoint = "patrol.checkpoint"
	roleGuard      = "guard"
)

// Timer keys, all prefixed with the module name.
const (
	name        = "guard"
	keyDay      = name + ":day"   // local midnight: plan the new date
	keyStart    = name + ":start" // day start (first gate window start)
	keyCheck    = name + ":check" // guard_understaffed starts being checked
	keyNoon     = name + ":noon"  // patrol_shortfall P2 point
	keyEnd      = name + ":end"   // day end (last gate window end)
	keyRoom     = name + ":room"  // guardroom_unmanned deadline
	keyLapse    = name + ":lapse" // a guard shortfall outlasts the handover gap
	prefExpire  = name + ":exp:"  // + presence sequence number
	prefUnlic   = name + ":unl:"  // + guard id: end of guard_unlicensed
	prefWindow  = name + ":w:"    // + window index + ":a" (alert point), ":s" (start), ":e" (end)
	defDayStart = devices.ClockTime(7 * 60)
	defDayEnd   = devices.ClockTime(18 * 60)
)

type module struct{}

// New returns the guard module.
func New() engine.Module { return module{} }

// Name implements engine.Module.
func (module) Name() string { return name }

// Rules implements engine.Module.
func (module) Rules() []alerting.RuleID {
	return []alerting.RuleID{
		alerting.GuardUnderstaffed, alerting.GuardroomUnmanned, alerting.GuardUnlicensed, alerting.GuardLicenseExpiring,
		alerting.PatrolShortfall, alerting.PostUnstaffed, alerting.PostUnderstaffed, alerting.PostLeftEarly,
	}
}

// NewState implements engine.Module. A school without any guard terminal
// cannot report check-ins, so nothing is watched there (nil).
func (module) NewState(s *devices.School) any {
	for i := range s.Devices {
		if s.Devices[i].Kind == devices.KindGuard {
			return &state{}
		}
	}
	return nil
}

// Start implements engine.Module: it plans today (or re-plans it after a
// registry reload) and arms the guard-room deadline from now.
func (module) Start(c engine.Ctx, sv any) {
	st := sv.(*state)
	today := devices.DateOf(c.Now().In(c.School().Location()))
	st.plan(c, today, true)
	st.startRoom(c)
	st.staffChanged(c)
}

// OnEvent implements engine.Module.
func (module) OnEvent(c engine.Ctx, sv any, ev *devices.Event) {
	st := sv.(*state)
	switch ev.Type {
	case typeCheckin:
		st.checkin(c, ev)
	case typeCheckout:
		st.checkout(c, ev)
	case typeCheckpoint:
		st.checkpoint(c, ev)
	}
}

// OnTimer implements engine.Module.
func (module) OnTimer(c engine.Ctx, sv any, key string) {
	st := sv.(*state)
	switch key {
	case keyDay:
		st.plan(c, devices.DateOf(c.Now().In(c.School().Location())), false)
		return
	case keyStart:
		st.dayStart(c)
		return
	case keyCheck:
		st.checkStaffing(c)
		return
	case keyNoon:
		st.noon(c)
		return
	case keyEnd:
		st.endDay(c)
		return
	case keyRoom:
		st.roomDeadline(c)
		return
	case keyLapse:
		st.checkStaffing(c)
		return
	}
	if rest, ok := strings.CutPrefix(key, prefExpire); ok {
		if seq, err := strconv.ParseUint(rest, 10, 64); err == nil {
			st.expire(c, seq)
		}
		return
	}
	if g, ok := strings.CutPrefix(key, prefUnlic); ok {
		st.unlicensedDayOver(c, g)
		return
	}
	if rest, ok := strings.CutPrefix(key, prefWindow); ok {
		idx, point, ok := strings.Cut(rest, ":")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || i >= len(st.day.windows) {
			return
		}
		switch point {
		case "a":
			st.windowAlert(c, i)
		case "s":
			st.windowStart(c, i)
		case "e":
			st.windowEnd(c, i)
		}
	}
}

// schoolName is how messages name the school.
func schoolName(s *devices.School) string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// hhmm formats t as local clock time.
func hhmm(t time.Time) string { return t.In(devices.Location()).Format("15:04") }

// minutes renders d in whole minutes.
func minutes(d time.Duration) int { return int(d / time.Minute) }
