package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

var postRules = rules(alerting.PostUnstaffed, alerting.PostUnderstaffed, alerting.PostLeftEarly)

func TestProtectionPosts(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	gate := devices.PostMainGate
	const am = "main-gate@07:00"
	tests := []struct {
		name  string
		start time.Time
		mut   func(*devices.School)
		play  func(h *enginetest.Harness)
		until time.Time
		want  []want
	}{
		{
			name: "two at the gate 20 minutes early raise nothing",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(8, 15))
				out(h, "g3", gate, "guard")
				out(h, "t1", gate, "teacher")
			},
			until: mon(8, 30),
		},
		{
			name: "post_unstaffed: nobody by 06:50; a check-in resolves; then understaffed until the second",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 49))
				if len(only(h, alerting.PostUnstaffed)) != 0 {
					t.Errorf("fired before the alert point")
				}
				h.AdvanceTo(mon(6, 55))
				in(h, "g3", gate, "guard")
				h.AdvanceTo(mon(7, 5))
				in(h, "t1", gate, "teacher")
			},
			until: mon(8, 30),
			want: []want{
				fire(alerting.PostUnstaffed, am, mon(6, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, am, mon(6, 55)),
				fire(alerting.PostUnderstaffed, am, mon(7, 0), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(7, 5)),
			},
		},
		{
			name:  "nobody all window: only post_unstaffed, resolved at the window end",
			play:  func(h *enginetest.Harness) {},
			until: mon(8, 30),
			want: []want{
				fire(alerting.PostUnstaffed, am, mon(6, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, am, mon(8, 10)),
			},
		},
		{
			name: "post_understaffed: one person at the start fires, the window end resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "t1", gate, "teacher")
			},
			until: mon(8, 30),
			want: []want{
				fire(alerting.PostUnderstaffed, am, mon(7, 0), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(8, 10)),
			},
		},
		{
			name: "post_understaffed: someone leaves during the window, a replacement resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(7, 30))
				out(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(7, 35))
				in(h, "v1", gate, "volunteer")
			},
			until: mon(8, 30),
			want: []want{
				fire(alerting.PostUnderstaffed, am, mon(7, 30), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(7, 35)),
			},
		},
		{
			name: "post_left_early: the last one leaves; a new check-in resolves it",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(7, 30))
				out(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(7, 40))
				out(h, "g3", gate, "guard")
				h.AdvanceTo(mon(7, 50))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
			},
			until: mon(8, 30),
			want: []want{
				fire(alerting.PostUnderstaffed, am, mon(7, 30), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(7, 40)),
				fire(alerting.PostUnstaffed, am, mon(7, 40), alerting.P1),
				fire(alerting.PostLeftEarly, am, mon(7, 40), alerting.P2),
				resolve(alerting.PostUnstaffed, am, mon(7, 50)),
				resolve(alerting.PostLeftEarly, am, mon(7, 50)),
				fire(alerting.PostUnderstaffed, am, mon(7, 50), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(7, 50)),
			},
		},
		{
			name: "post_left_early stays open at the window end",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(8, 0))
				out(h, "g3", gate, "guard")
				out(h, "t1", gate, "teacher")
			},
			until: mon(8, 30),
			want: []want{
				fire(alerting.PostUnderstaffed, am, mon(8, 0), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(8, 0)),
				fire(alerting.PostUnstaffed, am, mon(8, 0), alerting.P1),
				fire(alerting.PostLeftEarly, am, mon(8, 0), alerting.P2),
				resolve(alerting.PostUnstaffed, am, mon(8, 10)),
			},
		},
		{
			name: "leaving after the window end is not early",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(8, 10))
				out(h, "g3", gate, "guard")
				out(h, "t1", gate, "teacher")
			},
			until: mon(8, 30),
		},
		{
			name: "there at the alert point but gone at the start: post_unstaffed at the start, not left early",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 45))
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(6, 55))
				out(h, "t1", gate, "teacher")
			},
			until: mon(7, 30),
			want:  []want{fire(alerting.PostUnstaffed, am, mon(7, 0), alerting.P1)},
		},
		{
			name: "people at another post do not staff the protection post",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g1", devices.PostGuardroom, "guard")
				in(h, "g4", "north-gate", "guard")
			},
			until: mon(6, 55),
			want:  []want{fire(alerting.PostUnstaffed, am, mon(6, 50), alerting.P1)},
		},
		{
			name: "staffed all day: two check in within each window's lead time",
			play: func(h *enginetest.Harness) {
				for _, t := range []time.Time{mon(6, 40), mon(11, 20), mon(13, 20), mon(15, 40)} {
					h.AdvanceTo(t)
					in(h, "g3", gate, "guard")
					in(h, "t1", gate, "teacher")
				}
			},
			until: mon(23, 0),
		},
		{
			// Regression (issue 8): one check-in at 06:40 and no check-out
			// used to staff every later peak of the day.
			name: "stale: checked in once in the morning, the later peaks are unstaffed",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
			},
			until: mon(23, 0),
			want: []want{
				fire(alerting.PostUnstaffed, "main-gate@11:40", mon(11, 30), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@11:40", mon(12, 20)),
				fire(alerting.PostUnstaffed, "main-gate@13:40", mon(13, 30), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@13:40", mon(14, 20)),
				fire(alerting.PostUnstaffed, "main-gate@16:00", mon(15, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@16:00", mon(17, 50)),
			},
		},
		{
			name: "a check-in before the lead time does not count; one inside it does",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(15, 39)) // 21 min before 16:00
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(15, 55))
				in(h, "g3", gate, "guard") // again, inside the lead time
				h.AdvanceTo(mon(16, 5))
				in(h, "t1", gate, "teacher")
			},
			start: mon(14, 30),
			until: mon(23, 0),
			want: []want{
				fire(alerting.PostUnstaffed, "main-gate@16:00", mon(15, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@16:00", mon(15, 55)),
				fire(alerting.PostUnderstaffed, "main-gate@16:00", mon(16, 0), alerting.P1),
				resolve(alerting.PostUnderstaffed, "main-gate@16:00", mon(16, 5)),
			},
		},
		{
			name:  "nobody all day: every window under its own subject",
			play:  func(h *enginetest.Harness) {},
			until: mon(23, 0),
			want: []want{
				fire(alerting.PostUnstaffed, am, mon(6, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, am, mon(8, 10)),
				fire(alerting.PostUnstaffed, "main-gate@11:40", mon(11, 30), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@11:40", mon(12, 20)),
				fire(alerting.PostUnstaffed, "main-gate@13:40", mon(13, 30), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@13:40", mon(14, 20)),
				fire(alerting.PostUnstaffed, "main-gate@16:00", mon(15, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@16:00", mon(17, 50)),
			},
		},
		{
			name: "a post's own minimum above the parameter",
			mut:  func(s *devices.School) { s.Posts[1].MinStaff = 3 },
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
				h.AdvanceTo(mon(7, 10))
				in(h, "p1", gate, "police")
			},
			until: mon(7, 30),
			want: []want{
				fire(alerting.PostUnderstaffed, am, mon(7, 0), alerting.P1),
				resolve(alerting.PostUnderstaffed, am, mon(7, 10)),
			},
		},
		{
			name: "the only post besides the guard room is the protection post",
			mut: func(s *devices.School) {
				s.Posts = []devices.Post{{ID: devices.PostGuardroom}, {ID: "east-gate"}}
			},
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(6, 40))
				in(h, "g3", gate, "guard") // main-gate is not this school's post
				in(h, "t1", gate, "teacher")
			},
			until: mon(6, 55),
			want:  []want{fire(alerting.PostUnstaffed, "east-gate@07:00", mon(6, 50), alerting.P1)},
		},
		{
			name: "no peaks listed: the defaults of the school type (kindergarten 07:30, 16:30)",
			mut: func(s *devices.School) {
				s.Type = devices.SchoolKindergarten
				s.Windows.Peaks = nil
			},
			play:  func(h *enginetest.Harness) {},
			until: mon(23, 0),
			want: []want{
				fire(alerting.PostUnstaffed, "main-gate@07:30", mon(7, 20), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@07:30", mon(8, 45)),
				fire(alerting.PostUnstaffed, "main-gate@16:30", mon(16, 20), alerting.P1),
				resolve(alerting.PostUnstaffed, "main-gate@16:30", mon(17, 45)),
			},
		},
		{
			name:  "weekend: no peaks",
			start: at(5, 16, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 17, 23, 0),
		},
		{
			name:  "holiday: no peaks",
			start: at(5, 1, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 1, 23, 0),
		},
		{
			name:  "make-up Saturday: peaks as on a weekday",
			start: at(5, 9, 0, 0),
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(at(5, 9, 6, 55))
				in(h, "g3", gate, "guard")
				in(h, "t1", gate, "teacher")
			},
			until: at(5, 9, 7, 30),
			want: []want{
				fire(alerting.PostUnstaffed, am, at(5, 9, 6, 50), alerting.P1),
				resolve(alerting.PostUnstaffed, am, at(5, 9, 6, 55)),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := tt.start
			if start.IsZero() {
				start = mon(5, 0)
			}
			h := newHarness(t, start, tt.mut)
			tt.play(h)
			h.AdvanceTo(tt.until)
			expect(t, h, postRules, tt.want)
		})
	}
}

func TestProtectionPostParams(t *testing.T) {
	h := newHarness(t, at(5, 11, 5, 0), nil)
	h.Par.PostAlertBefore = 20 * time.Minute
	h.Par.PostMinStaff = 1
	h.Mod.Start(h, h.State()) // re-plan with the new parameters (reload)
	h.AdvanceTo(at(5, 11, 6, 45))
	in(h, "t1", devices.PostMainGate, "teacher") // min_staff 2 of the post still applies
	h.AdvanceTo(at(5, 11, 7, 5))
	expect(t, h, postRules, []want{
		fire(alerting.PostUnstaffed, "main-gate@07:00", at(5, 11, 6, 40), alerting.P1),
		resolve(alerting.PostUnstaffed, "main-gate@07:00", at(5, 11, 6, 45)),
		fire(alerting.PostUnderstaffed, "main-gate@07:00", at(5, 11, 7, 0), alerting.P1),
	})
}

func TestProtectionPostMessages(t *testing.T) {
	h := newHarness(t, at(5, 11, 5, 0), nil)
	h.AdvanceTo(at(5, 11, 6, 50))
	in(h, "t1", devices.PostMainGate, "teacher")
	h.AdvanceTo(at(5, 11, 7, 20))
	in(h, "t2", devices.PostMainGate, "teacher")
	h.AdvanceTo(at(5, 11, 7, 40))
	out(h, "t1", devices.PostMainGate, "teacher")
	out(h, "t2", devices.PostMainGate, "teacher")
	checks := []struct {
		rule   alerting.RuleID
		zh, en string
	}{
		{alerting.PostUnstaffed, "测试小学 正门护学岗（07:00–08:10 高峰）距开始 10 分钟仍无人签到", "nobody checked in at main-gate 10 min before the 07:00-08:10 peak"},
		{alerting.PostUnderstaffed, "在岗 1 人，少于要求的 2 人", "has 1 people on duty, 2 required"},
		{alerting.PostLeftEarly, "最后一名人员 07:40 离岗，早于高峰结束 30 分钟", "the last person left main-gate at 07:40, 30 min before"},
	}
	for _, c := range checks {
		f := h.Fired(c.rule)
		if len(f) == 0 || !strings.Contains(f[0].MessageZH, c.zh) || !strings.Contains(f[0].MessageEN, c.en) {
			t.Errorf("%s messages = %+v", c.rule, f)
		}
	}
}
