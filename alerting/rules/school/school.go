// Package school owns the school-level rule school_offline: every device
// of a school silent at once (a power cut, a broken uplink). The lifecycle
// then inhibits the per-device offline alerts of that school, so the board
// shows one alert instead of dozens.
//
// It also owns the outage hold (engine.Ctx.Hold), which makes "one alert"
// hold whatever the order and timing of the devices' deadlines: the hold is
// on from the moment every device of the school is offline or has missed a
// heartbeat by half an interval (an outage in the making: with the default
// three misses that is well before the first device's own offline deadline),
// while school_offline fires, and after the school comes back until every
// device still offline has had its full presence window to come back too.
// The lifecycle inhibits the school's device-offline alerts while the hold
// is on and announces those still open when it ends.
package school

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// New returns the module.
func New() engine.Module { return module{} }

type module struct{}

// dev is what the module knows of one device.
type dev struct {
	d        *devices.Device // as registered (Start updates it after a reload)
	interval time.Duration
	lastSeen time.Time // last live message, or the Start time
	offline  bool      // past its presence deadline, or said offline (last will)
	returnBy time.Time // non-zero: the school came back without it; it has until then
}

type state struct {
	devs   []*dev // registry order
	byID   map[string]*dev
	firing bool // school_offline reported
	held   bool // the outage hold reported on
	heard  bool // a live message arrived since Start
}

func (module) Name() string             { return "school" }
func (module) Rules() []alerting.RuleID { return []alerting.RuleID{alerting.SchoolOffline} }

// NewState watches schools with at least two devices: with one, the
// device's own offline alert says it all.
func (module) NewState(s *devices.School) any {
	if len(s.Devices) < 2 {
		return nil
	}
	return &state{byID: map[string]*dev{}}
}

// TimerSlots implements engine.DeviceTimers: one deadline per device.
func (module) TimerSlots(devices.Kind) int { return 1 }

// TimerKey implements engine.DeviceTimers.
func (module) TimerKey(d *devices.Device, _ int) string { return "school:" + d.ID }

// window is the device's presence window: HeartbeatMisses × its interval.
func (d *dev) window(c engine.Ctx) time.Duration {
	return time.Duration(max(c.Params().HeartbeatMisses, 1)) * d.interval
}

// quietAt is when the device counts as having missed a heartbeat: one and
// a half intervals after its last message (the half absorbs jitter, so
// devices heartbeating in step do not flip the hold every interval).
func (d *dev) quietAt() time.Time { return d.lastSeen.Add(d.interval + d.interval/2) }

// arm schedules the device's next decision: going quiet, its offline
// deadline, or the end of its window to come back with the school.
func (d *dev) arm(c engine.Ctx) {
	switch {
	case d.offline && !d.returnBy.IsZero():
		c.AtDevice(d.returnBy, d.d, 0)
	case d.offline:
		c.CancelDevice(d.d, 0)
	case c.Now().Before(d.quietAt()):
		c.AtDevice(d.quietAt(), d.d, 0)
	default:
		c.AtDevice(d.lastSeen.Add(d.window(c)), d.d, 0)
	}
}

// Start watches every registered device from now (one that never speaks
// counts as offline after its presence window) and reconciles the state
// with the registry after a reload.
func (m module) Start(c engine.Ctx, sv any) {
	s := sv.(*state)
	now := c.Now()
	if s.devs == nil {
		// A fresh state (start-up, or a reload that rebuilt it): say the
		// hold is off unless it is on, so that a hold a previous state
		// left on in the lifecycle cannot stay on for ever.
		s.held = true
	}
	keep := make(map[string]bool, len(c.School().Devices))
	var devs []*dev
	for i := range c.School().Devices {
		rd := &c.School().Devices[i]
		keep[rd.ID] = true
		d := s.byID[rd.ID]
		if d == nil {
			d = &dev{lastSeen: now}
			s.byID[rd.ID] = d
		}
		d.d = rd
		d.interval = time.Duration(rd.HeartbeatInterval())
		devs = append(devs, d)
	}
	for _, d := range s.devs {
		if !keep[d.d.ID] {
			delete(s.byID, d.d.ID)
			c.CancelDevice(d.d, 0)
		}
	}
	s.devs = devs
	for _, d := range s.devs {
		d.arm(c)
	}
	m.evaluate(c, s)
}

func (m module) OnEvent(c engine.Ctx, sv any, ev *devices.Event) {
	s := sv.(*state)
	d := s.byID[ev.Device]
	if d == nil || ev.Retained {
		return
	}
	if ev.Channel == devices.ChannelStatus && ev.Str("status") == "offline" {
		d.offline, d.returnBy = true, time.Time{}
		d.arm(c)
		m.evaluate(c, s)
		return
	}
	now := c.Now()
	if !s.heard {
		// First sign of life since Start: close a school_offline left
		// open across a restart (a no-op in the lifecycle otherwise).
		s.heard = true
		if !s.firing {
			c.Resolve(alerting.SchoolOffline, "")
		}
	}
	d.lastSeen, d.offline, d.returnBy = now, false, time.Time{}
	if s.firing {
		// The school is back: the devices still offline get their full
		// presence window to come back with it before they are announced.
		for _, o := range s.devs {
			if o.offline {
				o.returnBy = now.Add(o.window(c))
				o.arm(c)
			}
		}
	}
	d.arm(c)
	if s.held || s.firing {
		// Otherwise a live message changes nothing: it can only end an
		// outage or a hold (the hot path: every heartbeat comes here).
		m.evaluate(c, s)
	}
}

// OnTimer implements engine.Module: the module keeps no keyed deadlines.
func (module) OnTimer(engine.Ctx, any, string) {}

// OnDeviceTimer implements engine.DeviceTimers.
func (m module) OnDeviceTimer(c engine.Ctx, sv any, rd *devices.Device, _ int) {
	s := sv.(*state)
	d := s.byID[rd.ID]
	if d == nil {
		return
	}
	now := c.Now()
	switch {
	case d.offline && !d.returnBy.IsZero() && !now.Before(d.returnBy):
		d.returnBy = time.Time{} // did not come back with the school
	case !d.offline && !now.Before(d.lastSeen.Add(d.window(c))):
		d.offline = true
	}
	d.arm(c)
	m.evaluate(c, s)
}

// evaluate reports the hold and school_offline: the hold goes on before
// school_offline fires and off after it resolves.
func (module) evaluate(c engine.Ctx, s *state) {
	now := c.Now()
	all, quiet, returning := true, true, false
	for _, d := range s.devs {
		if !d.offline {
			all = false
			if now.Before(d.quietAt()) {
				quiet = false
			}
		}
		if !d.returnBy.IsZero() {
			returning = true
		}
	}
	hold := all || quiet || returning
	if hold && !s.held {
		s.held = true
		c.Hold(true)
	}
	switch {
	case all && !s.firing:
		s.firing = true
		n := len(s.devs)
		c.Fire(alerting.Condition{Rule: alerting.SchoolOffline,
			MessageZH: fmt.Sprintf("%s 全部 %d 台安防设备离线（疑似断电或网络中断）", c.School().Name, n),
			MessageEN: fmt.Sprintf("all %d security devices of %s are offline (power or uplink failure?)", n, c.School().Name)})
	case !all && s.firing:
		s.firing = false
		c.Resolve(alerting.SchoolOffline, "")
	}
	if !hold && s.held {
		s.held = false
		c.Hold(false)
	}
}
