package access

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// setState records a gate state (gate.state, or the state field of a
// heartbeat) that holds since since, and re-evaluates gate_held_open and
// gate_open_after_hours. A repeated state changes nothing. The first
// state after Start resolves, once, each of the two rules it shows to be
// clear (not open; not always open outside a window), closing alerts left
// open across a restart.
func (m *Module) setState(c engine.Ctx, g *gate, s string, since time.Time) {
	if s == g.state {
		return
	}
	switch s {
	case stateOpen, stateClosed, stateAlwaysOpen:
	default:
		return
	}
	first := g.state == ""
	g.state = s
	if s == stateOpen {
		g.openSince = since
	}
	m.evalHeld(c, g)
	m.evalAfterHours(c, g)
	if first {
		if s != stateOpen {
			c.Resolve(alerting.GateHeldOpen, g.id())
		}
		if !g.aohFiring {
			c.Resolve(alerting.GateOpenAfterHours, g.id())
		}
	}
}

// heldOpen handles access.held_open: the controller says the door has
// been open too long, so the gate is open (since duration_s ago when
// given). An always-open gate is gate_open_after_hours' business.
func (m *Module) heldOpen(c engine.Ctx, g *gate, ev *devices.Event) {
	since := c.Now()
	if d, ok := ev.Num("duration_s"); ok && d > 0 {
		since = since.Add(-time.Duration(d * float64(time.Second)))
	}
	switch g.state {
	case stateAlwaysOpen:
	case stateOpen:
		if since.Before(g.openSince) {
			g.openSince = since
			m.evalHeld(c, g)
		}
	default:
		m.setState(c, g, stateOpen, since)
	}
}

// evalHeld evaluates gate_held_open for g: an open gate may stay open
// through a gate window and for HeldOpenAfter outside the windows (counted
// from when it opened, or from the end of the window it stayed open
// through). It fires once that time has passed, else arms the deadline;
// any other state resolves.
func (m *Module) evalHeld(c engine.Ctx, g *gate) {
	if g.state != stateOpen {
		c.CancelDevice(g.d, kHeld)
		if g.heldFiring {
			g.heldFiring = false
			c.Resolve(alerting.GateHeldOpen, g.id())
		}
		return
	}
	if g.heldFiring {
		return
	}
	now := c.Now()
	after := c.Params().HeldOpenAfter
	if end, in := gateWindowAt(c, now); in {
		c.AtDevice(end.Add(after), g.d, kHeld)
		return
	}
	ref := g.openSince
	winEnd, ok := lastWindowEnd(c, now)
	pastWindow := ok && winEnd.After(ref)
	if pastWindow {
		ref = winEnd
	}
	if due := ref.Add(after); now.Before(due) {
		c.AtDevice(due, g.d, kHeld)
		return
	}
	g.heldFiring = true
	name := c.School().Name
	wzh, wen := g.where()
	szh, sen := span(now.Sub(ref))
	var zh, en string
	if pastWindow {
		hm := winEnd.In(devices.Location()).Format("15:04")
		zh = name + " " + wzh + "开放时段（" + hm + " 结束）后仍未关闭，已超时 " + szh
		en = "At " + name + ", " + wen + " is still open " + sen + " after its opening window ended at " + hm
	} else {
		zh = name + " " + wzh + "在非开放时段已开启 " + szh
		en = "At " + name + ", " + wen + " has been open for " + sen + " outside its opening windows"
	}
	c.Fire(alerting.Condition{Rule: alerting.GateHeldOpen, Subject: g.id(), Device: g.id(), MessageZH: zh, MessageEN: en})
}

// evalAfterHours evaluates gate_open_after_hours for g: an always-open
// gate outside the gate windows (or on a day without school) fires; inside
// a window, or in any other state, it resolves. While the gate stays
// always open, the next window boundary is armed, so a window that ends
// fires and one that starts resolves.
func (m *Module) evalAfterHours(c engine.Ctx, g *gate) {
	if g.state != stateAlwaysOpen {
		c.CancelDevice(g.d, kAOH)
		if g.aohFiring {
			g.aohFiring = false
			c.Resolve(alerting.GateOpenAfterHours, g.id())
		}
		return
	}
	now := c.Now()
	if end, in := gateWindowAt(c, now); in {
		c.AtDevice(end, g.d, kAOH)
		if g.aohFiring {
			g.aohFiring = false
			c.Resolve(alerting.GateOpenAfterHours, g.id())
		}
		return
	}
	if next, ok := nextWindowStart(c, now); ok {
		c.AtDevice(next, g.d, kAOH)
	} else {
		c.CancelDevice(g.d, kAOH)
	}
	if g.aohFiring {
		return
	}
	g.aohFiring = true
	name := c.School().Name
	wzh, wen := g.where()
	when, whenEN := "非开放时段", "outside its opening windows"
	if !c.SchoolDay(now) {
		when, whenEN = "非上学日", "on a day without school"
	}
	c.Fire(alerting.Condition{Rule: alerting.GateOpenAfterHours, Subject: g.id(), Device: g.id(),
		MessageZH: name + " " + wzh + "在" + when + "处于常开状态",
		MessageEN: "At " + name + ", " + wen + " is set always open " + whenEN,
	})
}
