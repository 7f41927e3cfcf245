package guard

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/schedule"
	"github.com/campusguard/campusguard/devices"
)

// phase is where a protection-post window is in its day.
type phase uint8

const (
	phasePending phase = iota // before the alert point
	phaseAlert                // alert point passed, window not started
	phaseActive               // inside the window
	phaseDone                 // window over
)

// window is one protection-post window of the day (schedule.Window) and
// what the rules know of it.
type window struct {
	schedule.Window
	phase phase
	// judgeNow: the window was planned past its alert point (engine start,
	// or a reload that added it); plan judges it at once. The lifecycle's
	// start-up grace period holds what that fires back, so people who
	// check in during the grace period raise nothing.
	judgeNow bool

	unstaffed, understaffed, leftEarly bool // open conditions
}

// planWindows returns the windows of school day d (schedule.Windows: every
// peak at every watched post), in their phase at now.
func planWindows(c engine.Ctx, d devices.Date, now time.Time) []window {
	sw := sched(c).Windows(c.School(), d, true)
	ws := make([]window, 0, len(sw))
	for _, x := range sw {
		w := window{Window: x}
		switch {
		case !now.Before(w.End):
			w.phase = phaseDone
		case now.After(w.AlertAt):
			w.judgeNow = true
			w.phase = phaseAlert
			if !now.Before(w.Start) {
				w.phase = phaseActive
			}
		}
		ws = append(ws, w)
	}
	return ws
}

// staffAt returns the people staffing w now (schedule.StaffAt).
func (st *state) staffAt(c engine.Ctx, w *window) int {
	return sched(c).StaffAt(&w.Window, st.present, c.Now())
}

// judgeLate judges the windows planned past their alert point.
func (st *state) judgeLate(c engine.Ctx) {
	for i := range st.day.windows {
		w := &st.day.windows[i]
		if !w.judgeNow {
			continue
		}
		w.judgeNow = false
		n := st.staffAt(c, w)
		switch w.phase {
		case phaseAlert:
			if n == 0 && !w.unstaffed {
				st.fireUnstaffed(c, w, false)
			}
		case phaseActive:
			st.judge(c, w, n, n, false)
		}
	}
}

// carry keeps, across a registry reload, what is known of today's windows
// that still exist (same subject); the open conditions of windows that
// disappeared are resolved.
func (st *state) carry(c engine.Ctx, nd *day) {
	for i := range st.day.windows {
		o := &st.day.windows[i]
		found := false
		for j := range nd.windows {
			if w := &nd.windows[j]; w.Subject == o.Subject {
				w.phase, w.judgeNow = o.phase, false
				w.unstaffed, w.understaffed, w.leftEarly = o.unstaffed, o.understaffed, o.leftEarly
				found = true
				break
			}
		}
		if !found && o.phase < phaseDone {
			st.windowEnd(c, i)
		}
	}
}

// windowAlert is the alert point (window start − PostAlertBefore): nobody
// at the post fires post_unstaffed.
func (st *state) windowAlert(c engine.Ctx, i int) {
	w := &st.day.windows[i]
	if w.phase >= phaseAlert {
		return
	}
	w.phase = phaseAlert
	if st.staffAt(c, w) == 0 {
		st.fireUnstaffed(c, w, false)
	}
}

// windowStart: the window begins; its staffing is judged now.
func (st *state) windowStart(c engine.Ctx, i int) {
	w := &st.day.windows[i]
	if w.phase >= phaseActive {
		return
	}
	w.phase = phaseActive
	n := st.staffAt(c, w)
	st.judge(c, w, n, n, false)
}

// windowEnd: the window is over. post_unstaffed and post_understaffed
// resolve (the lapse is history); post_left_early stays open for the
// record.
func (st *state) windowEnd(c engine.Ctx, i int) {
	w := &st.day.windows[i]
	if w.phase >= phaseDone {
		return
	}
	w.phase = phaseDone
	if w.unstaffed {
		w.unstaffed = false
		c.Resolve(alerting.PostUnstaffed, w.Subject)
	}
	if w.understaffed {
		w.understaffed = false
		c.Resolve(alerting.PostUnderstaffed, w.Subject)
	}
	w.leftEarly = false // open in the lifecycle; no longer this window's business
}

// windowChanged re-evaluates window i after the people at its post went
// from before to the current count.
func (st *state) windowChanged(c engine.Ctx, i, before int, checkin bool) {
	w := &st.day.windows[i]
	n := st.staffAt(c, w)
	switch w.phase {
	case phaseAlert:
		if n > 0 && w.unstaffed {
			w.unstaffed = false
			c.Resolve(alerting.PostUnstaffed, w.Subject)
		}
	case phaseActive:
		st.judge(c, w, before, n, checkin)
	}
}

// judge applies the in-window rules: nobody there is post_unstaffed (and,
// when the last person just left, post_left_early); fewer than needed is
// post_understaffed; never both unstaffed and understaffed.
func (st *state) judge(c engine.Ctx, w *window, before, n int, checkin bool) {
	if n == 0 {
		if w.understaffed {
			w.understaffed = false
			c.Resolve(alerting.PostUnderstaffed, w.Subject)
		}
		if !w.unstaffed {
			st.fireUnstaffed(c, w, before > 0)
		}
		if before > 0 && !w.leftEarly {
			st.fireLeftEarly(c, w)
		}
		return
	}
	if w.unstaffed {
		w.unstaffed = false
		c.Resolve(alerting.PostUnstaffed, w.Subject)
	}
	if checkin && w.leftEarly {
		w.leftEarly = false
		c.Resolve(alerting.PostLeftEarly, w.Subject)
	}
	switch {
	case n < w.Need && !w.understaffed:
		w.understaffed = true
		s := c.School()
		c.Fire(alerting.Condition{
			Rule:    alerting.PostUnderstaffed,
			Subject: w.Subject,
			MessageZH: fmt.Sprintf("%s %s（%s–%s 高峰）在岗 %d 人，少于要求的 %d 人",
				schoolName(s), schedule.PostName(s, w.Post), hhmm(w.Start), hhmm(w.End), n, w.Need),
			MessageEN: fmt.Sprintf("%s: %s (peak %s-%s) has %d people on duty, %d required",
				schoolName(s), w.Post, hhmm(w.Start), hhmm(w.End), n, w.Need),
		})
	case n >= w.Need && w.understaffed:
		w.understaffed = false
		c.Resolve(alerting.PostUnderstaffed, w.Subject)
	}
}

// fireUnstaffed reports post_unstaffed; left tells that people were there
// and left during the window.
func (st *state) fireUnstaffed(c engine.Ctx, w *window, left bool) {
	w.unstaffed = true
	s, now := c.School(), c.Now()
	var zh, en string
	switch {
	case now.Before(w.Start):
		zh = fmt.Sprintf("%s %s（%s–%s 高峰）距开始 %d 分钟仍无人签到", schoolName(s), schedule.PostName(s, w.Post),
			hhmm(w.Start), hhmm(w.End), minutes(w.Start.Sub(now)))
		en = fmt.Sprintf("%s: nobody checked in at %s %d min before the %s-%s peak", schoolName(s), w.Post,
			minutes(w.Start.Sub(now)), hhmm(w.Start), hhmm(w.End))
	case left:
		zh = fmt.Sprintf("%s %s（%s–%s 高峰）高峰期间无人在岗", schoolName(s), schedule.PostName(s, w.Post), hhmm(w.Start), hhmm(w.End))
		en = fmt.Sprintf("%s: nobody at %s during the %s-%s peak", schoolName(s), w.Post, hhmm(w.Start), hhmm(w.End))
	default:
		zh = fmt.Sprintf("%s %s（%s–%s 高峰）高峰开始时无人在岗", schoolName(s), schedule.PostName(s, w.Post), hhmm(w.Start), hhmm(w.End))
		en = fmt.Sprintf("%s: nobody at %s when the %s-%s peak started", schoolName(s), w.Post, hhmm(w.Start), hhmm(w.End))
	}
	c.Fire(alerting.Condition{Rule: alerting.PostUnstaffed, Subject: w.Subject, MessageZH: zh, MessageEN: en})
}

func (st *state) fireLeftEarly(c engine.Ctx, w *window) {
	w.leftEarly = true
	s, now := c.School(), c.Now()
	c.Fire(alerting.Condition{
		Rule:    alerting.PostLeftEarly,
		Subject: w.Subject,
		MessageZH: fmt.Sprintf("%s %s（%s–%s 高峰）最后一名人员 %s 离岗，早于高峰结束 %d 分钟",
			schoolName(s), schedule.PostName(s, w.Post), hhmm(w.Start), hhmm(w.End), hhmm(now), minutes(w.End.Sub(now))),
		MessageEN: fmt.Sprintf("%s: the last person left %s at %s, %d min before the %s-%s peak ended",
			schoolName(s), w.Post, hhmm(now), minutes(w.End.Sub(now)), hhmm(w.Start), hhmm(w.End)),
	})
}
