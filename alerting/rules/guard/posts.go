package guard

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
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

// window is one peak window of the day at its protection post.
type window struct {
	subject string // "<post>@HH:MM"
	post    string
	need    int // people required during the window
	alertAt time.Time
	start   time.Time
	end     time.Time
	phase   phase
	late    bool // the engine started after the alert point: judged only on later changes

	unstaffed, understaffed, leftEarly bool // open conditions
}

// peaks returns the school's peak windows, or the defaults of its type.
func peaks(s *devices.School, d devices.Date) []devices.Window {
	if w := s.WindowsOn(d).Peaks; len(w) > 0 {
		return w
	}
	return devices.DefaultWindows(s.Type, s.Boarders > 0).Peaks
}

// protectionPost returns the post staffed at peaks: the school's only
// post besides the guard room when it has exactly one, else the main gate.
func protectionPost(s *devices.School) string {
	only, n := "", 0
	for i := range s.Posts {
		if s.Posts[i].ID != devices.PostGuardroom {
			only = s.Posts[i].ID
			n++
		}
	}
	if n == 1 {
		return only
	}
	return devices.PostMainGate
}

// postNeed returns the people required at post: the larger of the rule
// parameter and the post's own minimum.
func postNeed(s *devices.School, minStaff int, post string) int {
	n := minStaff
	for i := range s.Posts {
		if s.Posts[i].ID == post {
			n = max(n, s.Posts[i].MinStaff)
		}
	}
	return max(n, 1)
}

// postName is how messages name a post.
func postName(s *devices.School, post string) string {
	for i := range s.Posts {
		if s.Posts[i].ID == post && s.Posts[i].Name != "" {
			return s.Posts[i].Name
		}
	}
	return post
}

// planWindows returns the windows of school day d, in their phase at now.
func planWindows(c engine.Ctx, d devices.Date, now time.Time) []window {
	s, p := c.School(), c.Params()
	post := protectionPost(s)
	need := postNeed(s, p.PostMinStaff, post)
	pk := peaks(s, d)
	ws := make([]window, 0, len(pk))
	for _, pw := range pk {
		w := window{
			subject: post + "@" + pw.Start.String(),
			post:    post,
			need:    need,
			start:   pw.Start.At(d),
			end:     pw.End.At(d),
		}
		w.alertAt = w.start.Add(-p.PostAlertBefore)
		switch {
		case !now.Before(w.end):
			w.phase = phaseDone
		case now.After(w.alertAt):
			w.late = true
			w.phase = phaseAlert
			if !now.Before(w.start) {
				w.phase = phaseActive
			}
		}
		ws = append(ws, w)
	}
	return ws
}

// carry keeps, across a registry reload, what is known of today's windows
// that still exist (same subject); the open conditions of windows that
// disappeared are resolved.
func (st *state) carry(c engine.Ctx, nd *day) {
	for i := range st.day.windows {
		o := &st.day.windows[i]
		found := false
		for j := range nd.windows {
			if w := &nd.windows[j]; w.subject == o.subject {
				w.phase, w.late = o.phase, o.late
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
	if st.countAt(w.post) == 0 {
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
	if w.late {
		return
	}
	n := st.countAt(w.post)
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
		c.Resolve(alerting.PostUnstaffed, w.subject)
	}
	if w.understaffed {
		w.understaffed = false
		c.Resolve(alerting.PostUnderstaffed, w.subject)
	}
	w.leftEarly = false // open in the lifecycle; no longer this window's business
}

// windowChanged re-evaluates window i after the people at its post went
// from before to the current count.
func (st *state) windowChanged(c engine.Ctx, i, before int, checkin bool) {
	w := &st.day.windows[i]
	n := st.countAt(w.post)
	switch w.phase {
	case phaseAlert:
		if n > 0 && w.unstaffed {
			w.unstaffed = false
			c.Resolve(alerting.PostUnstaffed, w.subject)
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
			c.Resolve(alerting.PostUnderstaffed, w.subject)
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
		c.Resolve(alerting.PostUnstaffed, w.subject)
	}
	if checkin && w.leftEarly {
		w.leftEarly = false
		c.Resolve(alerting.PostLeftEarly, w.subject)
	}
	switch {
	case n < w.need && !w.understaffed:
		w.understaffed = true
		s := c.School()
		c.Fire(alerting.Condition{
			Rule:    alerting.PostUnderstaffed,
			Subject: w.subject,
			MessageZH: fmt.Sprintf("%s %s（%s–%s 高峰）在岗 %d 人，少于要求的 %d 人",
				schoolName(s), postName(s, w.post), hhmm(w.start), hhmm(w.end), n, w.need),
			MessageEN: fmt.Sprintf("%s: %s (peak %s-%s) has %d people on duty, %d required",
				schoolName(s), w.post, hhmm(w.start), hhmm(w.end), n, w.need),
		})
	case n >= w.need && w.understaffed:
		w.understaffed = false
		c.Resolve(alerting.PostUnderstaffed, w.subject)
	}
}

// fireUnstaffed reports post_unstaffed; left tells that people were there
// and left during the window.
func (st *state) fireUnstaffed(c engine.Ctx, w *window, left bool) {
	w.unstaffed = true
	s, now := c.School(), c.Now()
	var zh, en string
	switch {
	case now.Before(w.start):
		zh = fmt.Sprintf("%s %s（%s–%s 高峰）距开始 %d 分钟仍无人签到", schoolName(s), postName(s, w.post),
			hhmm(w.start), hhmm(w.end), minutes(w.start.Sub(now)))
		en = fmt.Sprintf("%s: nobody checked in at %s %d min before the %s-%s peak", schoolName(s), w.post,
			minutes(w.start.Sub(now)), hhmm(w.start), hhmm(w.end))
	case left:
		zh = fmt.Sprintf("%s %s（%s–%s 高峰）高峰期间无人在岗", schoolName(s), postName(s, w.post), hhmm(w.start), hhmm(w.end))
		en = fmt.Sprintf("%s: nobody at %s during the %s-%s peak", schoolName(s), w.post, hhmm(w.start), hhmm(w.end))
	default:
		zh = fmt.Sprintf("%s %s（%s–%s 高峰）高峰开始时无人在岗", schoolName(s), postName(s, w.post), hhmm(w.start), hhmm(w.end))
		en = fmt.Sprintf("%s: nobody at %s when the %s-%s peak started", schoolName(s), w.post, hhmm(w.start), hhmm(w.end))
	}
	c.Fire(alerting.Condition{Rule: alerting.PostUnstaffed, Subject: w.subject, MessageZH: zh, MessageEN: en})
}

func (st *state) fireLeftEarly(c engine.Ctx, w *window) {
	w.leftEarly = true
	s, now := c.School(), c.Now()
	c.Fire(alerting.Condition{
		Rule:    alerting.PostLeftEarly,
		Subject: w.subject,
		MessageZH: fmt.Sprintf("%s %s（%s–%s 高峰）最后一名人员 %s 离岗，早于高峰结束 %d 分钟",
			schoolName(s), postName(s, w.post), hhmm(w.start), hhmm(w.end), hhmm(now), minutes(w.end.Sub(now))),
		MessageEN: fmt.Sprintf("%s: the last person left %s at %s, %d min before the %s-%s peak ended",
			schoolName(s), w.post, hhmm(now), minutes(w.end.Sub(now)), hhmm(w.start), hhmm(w.end)),
	})
}
