package access

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// offlineAfter is how long a gate controller may stay silent:
// HeartbeatMisses × its heartbeat interval.
func offlineAfter(c engine.Ctx, g *gate) time.Duration {
	return time.Duration(max(c.Params().HeartbeatMisses, 1)) * g.interval
}

// present records a live message from g: it resolves access_offline when
// g was offline and arms the next presence deadline. The first sign of
// life after Start also resolves, once, an access_offline left open from
// before a restart (the lifecycle ignores a resolve with nothing open).
func (m *Module) present(c engine.Ctx, g *gate) {
	first := !g.seen
	g.seen = true
	g.lastSeen = c.Now()
	if g.offline || first {
		g.offline = false
		c.Resolve(alerting.AccessOffline, g.id)
	}
	c.At(g.lastSeen.Add(offlineAfter(c, g)), g.keys[kHB])
}

// status handles the status channel. A live "online" is presence; a
// retained "online" is not (it is the device's last notice, replayed on
// resubscription, not a new observation). "offline" (the last will)
// means offline at once; a retained "offline" is believed only while the
// gate has not spoken since Start, and fires nothing new when
// access_offline already fires.
func (m *Module) status(c engine.Ctx, g *gate, ev *devices.Event) {
	switch ev.Str("status") {
	case "online":
		if !ev.Retained {
			m.present(c, g)
		}
	case "offline":
		if ev.Retained && g.seen {
			return
		}
		m.goOffline(c, g, true)
	}
}

// deadline handles the presence deadline of g.
func (m *Module) deadline(c engine.Ctx, g *gate) {
	if g.offline {
		return
	}
	if due := g.lastSeen.Add(offlineAfter(c, g)); c.Now().Before(due) {
		c.At(due, g.keys[kHB]) // the interval grew on a reload
		return
	}
	m.goOffline(c, g, false)
}

// goOffline fires access_offline for g unless it fires already: P1 in
// school hours, else P2 (a Params severity override wins). A P2 offline
// is raised to P1 when school hours begin (schoolHoursBegin).
func (m *Module) goOffline(c engine.Ctx, g *gate, will bool) {
	if g.offline {
		return
	}
	g.offline = true
	c.Cancel(g.keys[kHB])
	now := c.Now()
	sev, fixed := c.Params().Severity[alerting.AccessOffline]
	if !fixed {
		sev = alerting.P2
		if inSchoolHours(c, now) {
			sev = alerting.P1
		}
	}
	g.offSev, g.offWill = sev, will
	m.fireOffline(c, g)
	if !fixed && sev == alerting.P2 {
		start, _ := dayBounds(c.School())
		if at, ok := nextOnSchoolDay(c, now, start); ok {
			c.At(at, timerHours)
		}
	}
}

func (m *Module) fireOffline(c engine.Ctx, g *gate) {
	name := c.School().Name
	wzh, wen := g.where()
	var zh, en string
	if g.offWill {
		zh = name + " " + wzh + "门禁控制器已断开连接（离线遗嘱）"
		en = "At " + name + ", the controller of " + wen + " disconnected (last will)"
	} else {
		szh, sen := span(c.Now().Sub(g.lastSeen))
		zh = name + " " + wzh + "门禁控制器已离线 " + szh + "（未收到心跳）"
		en = "At " + name + ", the controller of " + wen + " is offline for " + sen + " (no heartbeat)"
	}
	c.Fire(alerting.Condition{Rule: alerting.AccessOffline, Subject: g.id, Device: g.id,
		Severity: g.offSev, MessageZH: zh, MessageEN: en})
}

// schoolHoursBegin raises every gate controller still offline at P2 to P1.
func (m *Module) schoolHoursBegin(c engine.Ctx, st *state) {
	if !inSchoolHours(c, c.Now()) {
		return
	}
	for _, g := range st.gates {
		if g.offline && g.offSev == alerting.P2 {
			g.offSev = alerting.P1
			m.fireOffline(c, g)
		}
	}
}
