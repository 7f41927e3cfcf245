package access

import (
	"strconv"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// forced handles access.forced: gate_forced fires P1 unless it fires
// already, and clears QuietAfter after the last forced opening at the
// gate; the alert stays open until the police close it (catalogue
// NeedsClose: the lifecycle turns the clear into cleared_at). A forced door is an incident, not a state: closing the door
// does not undo an entry, so the alert stays up long enough for the P1
// escalation chain (10 min) to run; a gate left open is gate_held_open's
// business.
func (m *Module) forced(c engine.Ctx, g *gate) {
	c.AtDevice(c.Now().Add(QuietAfter), g.d, kForced)
	if g.forcedFiring {
		return
	}
	g.forcedFiring = true
	name := c.School().Name
	wzh, wen := g.where()
	c.Fire(alerting.Condition{Rule: alerting.GateForced, Subject: g.id(), Device: g.id(),
		MessageZH: name + " " + wzh + "被强行打开，请立即到场核查",
		MessageEN: "At " + name + ", " + wen + " was forced open: check on site now",
	})
}

// intrusion handles the intrusion events (devices.IntrusionTypes:
// tailgating, climbing over, reverse entry, forced impact): gate_intrusion
// fires P1 unless it fires already, and clears QuietAfter after the last
// intrusion at the gate (open until the police close it, as gate_forced).
func (m *Module) intrusion(c engine.Ctx, g *gate, typ string) {
	c.AtDevice(c.Now().Add(QuietAfter), g.d, kIntr)
	if g.intrFiring {
		return
	}
	g.intrFiring = true
	what, whatEN := intrusionWords(typ)
	name := c.School().Name
	wzh, wen := g.where()
	c.Fire(alerting.Condition{Rule: alerting.GateIntrusion, Subject: g.id(), Device: g.id(),
		MessageZH: name + " " + wzh + "检测到" + what + "，请立即到场核查",
		MessageEN: "At " + name + ", " + wen + " detected " + whatEN + ": check on site now",
	})
}

// intrusionWords names an intrusion event in the alert's messages.
func intrusionWords(typ string) (zh, en string) {
	switch typ {
	case "access.climb":
		return "翻越闯入", "someone climbing over"
	case "access.reverse":
		return "逆向进入（从出口方向闯入）", "reverse entry (someone coming in through the exit direction)"
	case "access.impact":
		return "暴力冲撞闸机强行闯入", "forced impact (someone rammed or pushed through the gate)"
	}
	return "尾随闯入", "tailgating"
}

// blacklist handles access.blacklist: gate_blacklist fires P0 on every
// presentation (the lifecycle dedupes and counts them) and is never
// resolved here: a person closes it.
func (m *Module) blacklist(c engine.Ctx, g *gate, ev *devices.Event) {
	name := c.School().Name
	wzh, wen := g.where()
	zh := name + " " + wzh + "出现黑名单人员凭证"
	en := "At " + name + ", a blacklisted credential was presented at " + wen
	if p := ev.Str("person"); p != "" {
		zh += "（人员编号 " + p + "）"
		en += " (person " + p + ")"
	}
	c.Fire(alerting.Condition{Rule: alerting.GateBlacklist, Subject: g.id(), Device: g.id(),
		MessageZH: zh + "，请立即处置", MessageEN: en + ": act now"})
}

// denied handles access.denied: gate_denied_burst fires P1 when
// DeniedBurstCount denials at the gate fall within DeniedBurstWindow; it
// resolves after a whole window without a denial.
func (m *Module) denied(c engine.Ctx, g *gate) {
	p := c.Params()
	n := max(p.DeniedBurstCount, 1)
	if len(g.denied) != n {
		g.denied, g.deniedNext, g.deniedCount = make([]time.Time, n), 0, 0
	}
	now := c.Now()
	g.denied[g.deniedNext] = now
	g.deniedNext = (g.deniedNext + 1) % n
	g.deniedCount = min(g.deniedCount+1, n)
	g.deniedLast = now
	if g.deniedFiring {
		c.AtDevice(now.Add(p.DeniedBurstWindow), g.d, kDenied)
		return
	}
	oldest := g.denied[g.deniedNext] // the oldest of the last n once the ring is full
	if g.deniedCount < n || now.Sub(oldest) > p.DeniedBurstWindow {
		return
	}
	g.deniedFiring = true
	c.AtDevice(now.Add(p.DeniedBurstWindow), g.d, kDenied)
	name := c.School().Name
	wzh, wen := g.where()
	wmzh, wmen := span(p.DeniedBurstWindow)
	cnt := strconv.Itoa(n)
	c.Fire(alerting.Condition{Rule: alerting.GateDeniedBurst, Subject: g.id(), Device: g.id(),
		MessageZH: name + " " + wzh + wmzh + "内 " + cnt + " 次拒绝通行",
		MessageEN: "At " + name + ", " + wen + " denied passage " + cnt + " times within " + wmen,
	})
}

// deniedQuiet resolves gate_denied_burst after a window without denials.
func (m *Module) deniedQuiet(c engine.Ctx, g *gate) {
	if !g.deniedFiring {
		return
	}
	if due := g.deniedLast.Add(c.Params().DeniedBurstWindow); c.Now().Before(due) {
		c.AtDevice(due, g.d, kDenied)
		return
	}
	g.deniedFiring = false
	c.Resolve(alerting.GateDeniedBurst, g.id())
}
