package engine

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/devices"
)

// Ctx is what a Module sees of the engine while it handles one school: the
// school, its parameters, the clock, the calendar, and the means to report
// conditions and set deadlines. A Ctx is only valid during the call it is
// passed to; all calls for one school happen on one goroutine, in order,
// so module state needs no locks.
type Ctx interface {
	// Now is the engine clock's time of the event or deadline being handled.
	Now() time.Time
	School() *devices.School
	Params() *config.Params
	// SchoolDay reports whether the school's calendar has teaching on t's
	// local date (Asia/Shanghai).
	SchoolDay(t time.Time) bool
	// Fire reports a lapse. Region, School and At are filled in when empty;
	// Severity defaults to the catalogue's (after Params overrides).
	Fire(c alerting.Condition)
	// Resolve reports that the lapse of (rule, subject) has cleared.
	Resolve(rule alerting.RuleID, subject string)
	// Hold reports whether the school's outage is pending (the school
	// module's school_offline hold, alerting.Condition.Hold): while on, the
	// lifecycle inhibits the school's device-offline alerts.
	Hold(on bool)
	// At schedules OnTimer(key) for time t, replacing an earlier deadline
	// with the same key; a time in the past fires on the next tick.
	At(t time.Time, key string)
	// Cancel removes the deadline with key, if any.
	Cancel(key string)
	// AtDevice schedules OnDeviceTimer(d, slot) for time t, replacing the
	// earlier deadline of (d, slot): the keyless At of a module that
	// implements DeviceTimers. d is a device of School(), slot below the
	// module's TimerSlots(d.Kind); a deadline of a device the school no
	// longer has is not scheduled.
	AtDevice(t time.Time, d *devices.Device, slot int)
	// CancelDevice removes the deadline of (d, slot), if any.
	CancelDevice(d *devices.Device, slot int)
	// Starting is true during the start-up grace period: modules should
	// arm deadlines as usual (the lifecycle suppresses offline storms).
	Starting() bool
}

// Module evaluates the rules of one concern (alarm terminals, gates,
// guards and posts, kitchens) for every school. The engine creates one
// state per school and passes it back on every call.
type Module interface {
	// Name is a short id, used as the prefix of the module's timer keys.
	Name() string
	// Rules lists the rule ids the module may fire.
	Rules() []alerting.RuleID
	// NewState returns the module's state for a school, or nil when the
	// school has nothing this module watches (then no other call is made).
	NewState(s *devices.School) any
	// Start arms the expected-presence deadlines for a school at engine
	// start or after a registry reload: the registry is the source of
	// truth, so a device that never sends anything is still watched.
	Start(c Ctx, st any)
	// OnEvent handles one event of the school (events of one school
	// arrive in order). Retained replays have ev.Retained set.
	OnEvent(c Ctx, st any, ev *devices.Event)
	// OnTimer handles a deadline the module set with Ctx.At.
	OnTimer(c Ctx, st any, key string)
}

// DeviceTimers is implemented by a Module that keeps deadlines per device
// (presence watches, incident quiet periods). It names them by device and
// slot number (Ctx.AtDevice) instead of by key, so the engine stores
// neither a key nor a map entry for them: each device of the school has
// numbered deadline handles (package deadline) from the start.
type DeviceTimers interface {
	// TimerSlots is how many deadlines the module may keep per device of
	// kind k (0: none).
	TimerSlots(k devices.Kind) int
	// TimerKey names the deadline slot of d for listings and tests
	// (enginetest.Harness.Timers); the engine does not use it.
	TimerKey(d *devices.Device, slot int) string
	// OnDeviceTimer handles a deadline set with Ctx.AtDevice.
	OnDeviceTimer(c Ctx, st any, d *devices.Device, slot int)
}
