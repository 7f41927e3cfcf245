package alarm

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// offlineAfter is how long a terminal may stay silent: HeartbeatMisses ×
// its heartbeat interval.
func offlineAfter(c engine.Ctx, t *terminal) time.Duration {
	return time.Duration(max(c.Params().HeartbeatMisses, 1)) * t.interval
}

// present records a live message from t: it resolves alarm_offline when t
// was offline and arms the next presence deadline. The first sign of life
// after Start also resolves, once, an alarm_offline left open from before
// a restart (the lifecycle ignores a resolve with nothing open).
func (m *Module) present(c engine.Ctx, t *terminal) {
	first := !t.seen
	t.seen = true
	t.lastSeen = c.Now()
	if t.offline || first {
		t.offline = false
		c.Resolve(alerting.AlarmOffline, t.id)
	}
	c.At(t.lastSeen.Add(offlineAfter(c, t)), t.hbKey)
}

// status handles the status channel. A live "online" is presence; a
// retained "online" is not (it is the device's last notice, replayed on
// resubscription, not a new observation). "offline" (the last will)
// means offline at once; a retained "offline" is believed only while the
// terminal has not spoken since Start, and fires nothing new when
// alarm_offline already fires.
func (m *Module) status(c engine.Ctx, t *terminal, ev *devices.Event) {
	switch ev.Str("status") {
	case "online":
		if !ev.Retained {
			m.present(c, t)
		}
	case "offline":
		if ev.Retained && t.seen {
			return
		}
		m.goOffline(c, t, true)
	}
}

// deadline handles the presence deadline of t.
func (m *Module) deadline(c engine.Ctx, t *terminal) {
	if t.offline {
		return
	}
	if due := t.lastSeen.Add(offlineAfter(c, t)); c.Now().Before(due) {
		c.At(due, t.hbKey) // the interval grew on a reload
		return
	}
	m.goOffline(c, t, false)
}

// goOffline fires alarm_offline for t unless it fires already: P1 in
// school hours, else P2 (a Params severity override wins). A P2 offline
// is raised to P1 when school hours begin (schoolHoursBegin).
func (m *Module) goOffline(c engine.Ctx, t *terminal, will bool) {
	if t.offline {
		return
	}
	t.offline = true
	c.Cancel(t.hbKey)
	now := c.Now()
	sev, fixed := c.Params().Severity[alerting.AlarmOffline]
	if !fixed {
		sev = alerting.P2
		if inSchoolHours(c, now) {
			sev = alerting.P1
		}
	}
	t.offSev, t.offWill = sev, will
	m.fireOffline(c, t)
	if !fixed && sev == alerting.P2 {
		start, _ := dayBounds(c.School())
		if at, ok := nextOnSchoolDay(c, now, start); ok {
			c.At(at, timerHours)
		}
	}
}

func (m *Module) fireOffline(c engine.Ctx, t *terminal) {
	name := c.School().Name
	wzh, wen := t.where()
	var zh, en string
	if t.offWill {
		zh = name + " " + wzh + "已断开连接（离线遗嘱），无法向110报警"
		en = "At " + name + ", " + wen + " disconnected (last will): it cannot call 110"
	} else {
		szh, sen := span(c.Now().Sub(t.lastSeen))
		zh = name + " " + wzh + "已离线 " + szh + "（未收到心跳），无法向110报警"
		en = "At " + name + ", " + wen + " is offline for " + sen + " (no heartbeat): it cannot call 110"
	}
	c.Fire(alerting.Condition{Rule: alerting.AlarmOffline, Subject: t.id, Device: t.id,
		Severity: t.offSev, MessageZH: zh, MessageEN: en})
}

// schoolHoursBegin raises every terminal still offline at P2 to P1.
func (m *Module) schoolHoursBegin(c engine.Ctx, st *state) {
	if !inSchoolHours(c, c.Now()) {
		return
	}
	for _, t := range st.terms {
		if t.offline && t.offSev == alerting.P2 {
			t.offSev = alerting.P1
			m.fireOffline(c, t)
		}
	}
}
