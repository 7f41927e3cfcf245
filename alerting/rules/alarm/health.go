package alarm

import (
	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// onPanic handles alarm.panic: P0 on every press (the lifecycle keeps one
// alert per terminal, counts the presses and announces each new one as
// "repeated"), never resolved here — only a person closes a panic. A
// redelivery of a press (an event id among the terminal's last few) is
// not a new press. A press inside a registered test window is a
// successful test instead.
func (m *Module) onPanic(c engine.Ctx, t *terminal, ev *devices.Event) {
	if t.presses == nil {
		t.presses = &recentIDs{}
	}
	if t.presses.seen(ev.ID) {
		return
	}
	school := c.School()
	// A test window swallows one press per terminal: the test. A second
	// press on the same terminal inside the window is someone pressing in
	// earnest (or a window used to mute the button), so it is a real P0.
	again := !t.windowTest.IsZero() && c.Now().Sub(t.windowTest) < devices.MaxAlarmTestWindow
	if o := alarmtest.Classify(ev, c.Now(), m.TestWindows); o == alarmtest.InWindow && !again {
		t.windowTest = c.Now()
		m.record(ev, o)
		m.tested(c, t)
		return
	}
	wzh, wen := t.where()
	zh, en := "", ""
	if again {
		zh, en = "（测试时段内再次按下，按真实报警处理）", " (pressed again inside a test window: treated as real)"
	}
	c.Fire(alerting.Condition{Rule: alerting.AlarmPanic, Subject: t.id(), Device: t.id(),
		MessageZH: school.Name + " 一键报警求救：" + wzh + "被按下" + zh + "。请按“1-3-5”处置：1 分钟学校自救，3 分钟周边互救，5 分钟警力到场",
		MessageEN: "Panic button pressed at " + school.Name + ": " + wen + en + ". Respond 1-3-5: school self-rescue in 1 min, mutual aid in 3 min, police on scene in 5 min",
	})
}

// record hands a test to Record, if set.
func (m *Module) record(ev *devices.Event, o alarmtest.Outcome) {
	if m.Record != nil && o != alarmtest.None {
		m.Record(ev, o)
	}
}

// tested records a successful test of t and resolves alarm_test_overdue.
// Tests are rare, so it resolves on every one (which also closes an alert
// left open across a restart).
func (m *Module) tested(c engine.Ctx, t *terminal) {
	t.lastTest = c.Now()
	t.testFiring = false
	c.Resolve(alerting.AlarmTestOverdue, t.id())
}

// checkTests fires alarm_test_overdue for every terminal without a
// successful test for AlarmTestMaxAge.
func (m *Module) checkTests(c engine.Ctx, st *state) {
	now := c.Now()
	maxAge := c.Params().AlarmTestMaxAge
	name := c.School().Name
	for _, t := range st.terms {
		age := now.Sub(t.lastTest)
		if t.testFiring || age < maxAge {
			continue
		}
		t.testFiring = true
		wzh, wen := t.where()
		azh, aen := span(age)
		mzh, men := span(maxAge)
		c.Fire(alerting.Condition{Rule: alerting.AlarmTestOverdue, Subject: t.id(), Device: t.id(),
			MessageZH: name + " " + wzh + "已 " + azh + "未成功测试（要求每 " + mzh + "至少一次）",
			MessageEN: "At " + name + ", " + wen + " has had no successful test for " + aen + " (required every " + men + ")",
		})
	}
}

// armTestCheck arms the next alarm_test_overdue check: 09:00 on the next
// school day.
func armTestCheck(c engine.Ctx) {
	if at, ok := nextOnSchoolDay(c, c.Now(), testCheckAt); ok {
		c.At(at, timerTest)
	}
}

// trouble handles alarm.trouble: a new tamper, mains or battery trouble
// fires P1 for "<device>:<code>"; cleared=true resolves it (always, since
// clearances are rare and may close an alert from before a restart).
func (m *Module) trouble(c engine.Ctx, t *terminal, ev *devices.Event) {
	code := ev.Str("code")
	i := troubleIndex(code)
	if i < 0 {
		return
	}
	subject := t.id() + ":" + code
	if cleared, _ := ev.Bool("cleared"); cleared {
		t.trouble[i] = false
		c.Resolve(alerting.AlarmTrouble, subject)
		return
	}
	if t.trouble[i] {
		return
	}
	t.trouble[i] = true
	name := c.School().Name
	wzh, wen := t.where()
	c.Fire(alerting.Condition{Rule: alerting.AlarmTrouble, Subject: subject, Device: t.id(),
		MessageZH: name + " " + wzh + "故障：" + troubleZH[i],
		MessageEN: "At " + name + ", " + wen + " reports trouble: " + troubleEN[i],
	})
}

var (
	troubleZH = [...]string{"防拆报警（外壳被打开或移动）", "市电断电", "电池电量低"}
	troubleEN = [...]string{"tamper (case opened or moved)", "mains power lost", "battery low"}
)

func troubleIndex(code string) int {
	for i, c := range troubleCodes {
		if c == code {
			return i
		}
	}
	return -1
}

// link handles a link report (alarm.link, or linked in a heartbeat).
// Down starts the AlarmLinkDownAfter clock (repeated down reports keep the
// first time); up cancels it and resolves alarm_link_down. The first up
// report after Start resolves too, once, closing an alert left open
// across a restart.
func (m *Module) link(c engine.Ctx, t *terminal, linked bool) {
	first := !t.linkKnown
	t.linkKnown = true
	if linked {
		if t.linkDown {
			t.linkDown = false
			c.CancelDevice(t.d, slotLink)
		}
		if t.linkFiring || first {
			t.linkFiring = false
			c.Resolve(alerting.AlarmLinkDown, t.id())
		}
		return
	}
	if t.linkDown {
		return
	}
	t.linkDown, t.linkSince = true, c.Now()
	c.AtDevice(t.linkSince.Add(c.Params().AlarmLinkDownAfter), t.d, slotLink)
}

// linkTimer fires alarm_link_down when the link is still down.
func (m *Module) linkTimer(c engine.Ctx, t *terminal) {
	if !t.linkDown || t.linkFiring {
		return
	}
	t.linkFiring = true
	name := c.School().Name
	wzh, wen := t.where()
	szh, sen := span(c.Now().Sub(t.linkSince))
	c.Fire(alerting.Condition{Rule: alerting.AlarmLinkDown, Subject: t.id(), Device: t.id(),
		MessageZH: name + " " + wzh + "与110平台联网已中断 " + szh,
		MessageEN: "At " + name + ", " + wen + ": link to the 110 platform down for " + sen,
	})
}
