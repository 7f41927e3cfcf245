// Package presence owns the "is this device still there" logic the
// device-offline rules share (alarm_offline, access_offline): a deadline
// of HeartbeatMisses × the heartbeat interval after the last live message,
// the last will, retained status replays, the severity by school hours
// (P1 in school hours, else P2, raised to P1 when school hours begin) and
// the one-time resolve after a restart. The modules keep one Device per
// watched device and hand it their events and deadlines.
package presence

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/schoolhours"
	"github.com/campusguard/campusguard/devices"
)

// Device is the presence of one device. The module sets the fields above
// the blank line; the rest is the tracked state.
type Device struct {
	ID       string
	Interval time.Duration // heartbeat interval
	// Dev and Slot name the presence deadline, a device deadline
	// (engine.Ctx.AtDevice): the owning module implements
	// engine.DeviceTimers and calls Deadline from OnDeviceTimer.
	Dev      *devices.Device
	Slot     int
	HoursKey string // module timer that calls RaiseInSchoolHours when school hours begin
	Rule     alerting.RuleID
	// Describe renders the offline message: will says it left by its last
	// will, silent how long nothing came.
	Describe func(c engine.Ctx, will bool, silent time.Duration) (zh, en string)

	LastSeen time.Time         // last live message, or the Start time
	Seen     bool              // a live message arrived since Start
	Offline  bool              // Rule is firing
	Severity alerting.Severity // severity Rule fired with
	Will     bool              // it went offline by its last will
}

// OfflineAfter is how long the device may stay silent.
func (d *Device) OfflineAfter(c engine.Ctx) time.Duration {
	return time.Duration(max(c.Params().HeartbeatMisses, 1)) * d.Interval
}

// Arm starts watching at Start: a device not heard from yet counts from
// now (the registry is the source of truth: silence since start-up is a
// lapse too).
func (d *Device) Arm(c engine.Ctx) {
	if !d.Seen {
		d.LastSeen = c.Now()
	}
	if !d.Offline {
		d.at(c, d.LastSeen.Add(d.OfflineAfter(c)))
	}
}

// at schedules the presence deadline.
func (d *Device) at(c engine.Ctx, t time.Time) { c.AtDevice(t, d.Dev, d.Slot) }

// cancel cancels the presence deadline.
func (d *Device) cancel(c engine.Ctx) { c.CancelDevice(d.Dev, d.Slot) }

// Present records a live message: it resolves Rule when the device was
// offline and arms the next deadline. The first sign of life after Start
// also resolves, once, an alert left open from before a restart (the
// lifecycle ignores a resolve with nothing open).
func (d *Device) Present(c engine.Ctx) {
	first := !d.Seen
	d.Seen = true
	d.LastSeen = c.Now()
	if d.Offline || first {
		d.Offline = false
		c.Resolve(d.Rule, d.ID)
	}
	d.at(c, d.LastSeen.Add(d.OfflineAfter(c)))
}

// Status handles the status channel. A live "online" is presence; a
// retained "online" is not (the device's last notice, replayed on
// resubscription). "offline" (the last will) means offline at once; a
// retained "offline" is believed only while the device has not spoken
// since Start, and fires nothing new when Rule already fires.
func (d *Device) Status(c engine.Ctx, ev *devices.Event) {
	switch ev.Str("status") {
	case "online":
		if !ev.Retained {
			d.Present(c)
		}
	case "offline":
		if ev.Retained && d.Seen {
			return
		}
		d.GoOffline(c, true)
	}
}

// Deadline handles the presence deadline.
func (d *Device) Deadline(c engine.Ctx) {
	if d.Offline {
		return
	}
	if due := d.LastSeen.Add(d.OfflineAfter(c)); c.Now().Before(due) {
		d.at(c, due) // the interval grew on a reload
		return
	}
	d.GoOffline(c, false)
}

// GoOffline fires Rule unless it fires already: P1 in school hours, else
// P2 (a Params severity override wins). A P2 offline is raised to P1 when
// school hours begin (HoursKey → RaiseInSchoolHours).
func (d *Device) GoOffline(c engine.Ctx, will bool) {
	if d.Offline {
		return
	}
	d.Offline = true
	d.cancel(c)
	now := c.Now()
	sev, fixed := c.Params().Severity[d.Rule]
	if !fixed {
		sev = alerting.P2
		if schoolhours.InSchoolHours(c, now) {
			sev = alerting.P1
		}
	}
	d.Severity, d.Will = sev, will
	d.fire(c)
	if !fixed && sev == alerting.P2 {
		start, _ := schoolhours.DayBounds(c.School())
		if at, ok := schoolhours.NextOnSchoolDay(c, now, start); ok {
			c.At(at, d.HoursKey)
		}
	}
}

// RaiseInSchoolHours raises a device still offline at P2 to P1 once school
// hours have begun.
func (d *Device) RaiseInSchoolHours(c engine.Ctx) {
	if d.Offline && d.Severity == alerting.P2 && schoolhours.InSchoolHours(c, c.Now()) {
		d.Severity = alerting.P1
		d.fire(c)
	}
}

// Forget stops watching (the device left the registry): cancels the
// deadline and resolves an open Rule.
func (d *Device) Forget(c engine.Ctx) {
	d.cancel(c)
	if d.Offline {
		c.Resolve(d.Rule, d.ID)
	}
}

func (d *Device) fire(c engine.Ctx) {
	zh, en := d.Describe(c, d.Will, c.Now().Sub(d.LastSeen))
	c.Fire(alerting.Condition{Rule: d.Rule, Subject: d.ID, Device: d.ID, Severity: d.Severity, MessageZH: zh, MessageEN: en})
}
