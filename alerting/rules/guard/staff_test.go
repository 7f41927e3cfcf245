package guard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

var staffRules = rules(alerting.GuardUnderstaffed)

func TestGuardUnderstaffed(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	tests := []struct {
		name  string
		start time.Time
		play  func(h *enginetest.Harness)
		until time.Time
		want  []want
	}{
		{
			name: "three of four at the check point fires, the fourth resolves",
			play: func(h *enginetest.Harness) {
				in(h, "g1", devices.PostGuardroom, "guard")
				in(h, "g2", devices.PostGuardroom, "guard")
				in(h, "g3", devices.PostMainGate, "guard")
				h.AdvanceTo(mon(7, 19))
				if len(only(h, alerting.GuardUnderstaffed)) != 0 {
					t.Errorf("fired before the check point")
				}
				h.AdvanceTo(mon(7, 40))
				in(h, "g4", "north-gate", "guard")
			},
			until: mon(23, 0),
			want: []want{
				fire(alerting.GuardUnderstaffed, "", mon(7, 20), alerting.P2),
				resolve(alerting.GuardUnderstaffed, "", mon(7, 40)),
			},
		},
		{
			name: "checked continuously: a check-out fires once past the handover gap, a check-in resolves",
			play: func(h *enginetest.Harness) {
				staffAll(h)
				h.AdvanceTo(mon(10, 0))
				out(h, "g2", devices.PostGuardroom, "guard")
				h.AdvanceTo(mon(10, 45))
				in(h, "g5", devices.PostGuardroom, "guard")
			},
			until: mon(23, 0),
			want: []want{
				fire(alerting.GuardUnderstaffed, "", mon(10, 5), alerting.P2),
				resolve(alerting.GuardUnderstaffed, "", mon(10, 45)),
			},
		},
		{
			// Regression (issue 8): a one-minute shift handover fired.
			name: "a one-minute handover raises nothing",
			play: func(h *enginetest.Harness) {
				staffAll(h)
				h.AdvanceTo(mon(12, 0))
				out(h, "g2", devices.PostGuardroom, "guard")
				h.AdvanceTo(mon(12, 1))
				in(h, "g5", devices.PostGuardroom, "guard")
			},
			until: mon(23, 0),
		},
		{
			name: "a handover at the check point: the gap runs from the check-out",
			play: func(h *enginetest.Harness) {
				staffAll(h)
				h.AdvanceTo(mon(7, 18))
				out(h, "g2", devices.PostGuardroom, "guard")
				h.AdvanceTo(mon(7, 22))
				in(h, "g5", devices.PostGuardroom, "guard")
			},
			until: mon(23, 0),
		},
		{
			name: "the handover gap is a parameter",
			play: func(h *enginetest.Harness) {
				h.Par.GuardHandoverGap = 30 * time.Second
				staffAll(h)
				h.AdvanceTo(mon(12, 0))
				out(h, "g2", devices.PostGuardroom, "guard")
				h.AdvanceTo(mon(12, 1))
				in(h, "g5", devices.PostGuardroom, "guard")
			},
			until: mon(23, 0),
			want: []want{
				fire(alerting.GuardUnderstaffed, "", mon(12, 0).Add(30*time.Second), alerting.P2),
				resolve(alerting.GuardUnderstaffed, "", mon(12, 1)),
			},
		},
		{
			name: "the day's end resolves and nothing fires out of school hours",
			play: func(h *enginetest.Harness) {
				in(h, "g1", devices.PostGuardroom, "guard")
				h.AdvanceTo(mon(19, 0))
				out(h, "g1", devices.PostGuardroom, "guard")
				in(h, "g1", devices.PostGuardroom, "guard")
			},
			until: at(5, 12, 7, 0),
			want: []want{
				fire(alerting.GuardUnderstaffed, "", mon(7, 20), alerting.P2),
				resolve(alerting.GuardUnderstaffed, "", mon(18, 0)),
			},
		},
		{
			name: "teachers, unlicensed guards and a guard at two posts do not make up the number",
			play: func(h *enginetest.Harness) {
				in(h, "g1", devices.PostGuardroom, "guard")
				in(h, "g2", devices.PostGuardroom, "guard")
				in(h, "g2", devices.PostMainGate, "guard") // same guard twice
				in(h, "g3", "north-gate", "teacher")       // on the roster, but not as a guard
				in(h, "gx", devices.PostMainGate, "guard") // not on the roster
				in(h, "p1", devices.PostMainGate, "police")
			},
			until: mon(8, 0),
			want:  []want{fire(alerting.GuardUnderstaffed, "", mon(7, 20), alerting.P2)},
		},
		{
			name:  "a check-in older than 16 h without check-out counts as gone",
			start: mon(0, 0),
			play: func(h *enginetest.Harness) {
				in(h, "g1", devices.PostGuardroom, "guard") // 00:00: gone at 16:00
				h.AdvanceTo(mon(6, 30))
				in(h, "g2", devices.PostGuardroom, "guard")
				in(h, "g3", devices.PostMainGate, "guard")
				in(h, "g4", "north-gate", "guard")
			},
			until: mon(17, 0),
			want:  []want{fire(alerting.GuardUnderstaffed, "", mon(16, 5), alerting.P2)}, // gone at 16:00, past the 5-min handover gap at 16:05
		},
		{
			name:  "weekend: nobody on duty raises nothing",
			start: at(5, 16, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 17, 23, 0),
		},
		{
			name:  "holiday: nobody on duty raises nothing",
			start: at(5, 1, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 1, 23, 0),
		},
		{
			name:  "make-up Saturday: checked like a weekday",
			start: at(5, 9, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 9, 23, 0),
			want: []want{
				fire(alerting.GuardUnderstaffed, "", at(5, 9, 7, 20), alerting.P2),
				resolve(alerting.GuardUnderstaffed, "", at(5, 9, 18, 0)),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := tt.start
			if start.IsZero() {
				start = mon(6, 0)
			}
			h := newHarness(t, start, nil)
			tt.play(h)
			h.AdvanceTo(tt.until)
			expect(t, h, staffRules, tt.want)
		})
	}
}

func TestGuardUnderstaffedMessage(t *testing.T) {
	h := newHarness(t, at(5, 11, 0, 0), nil)
	in(h, "g1", devices.PostGuardroom, "guard")
	h.AdvanceTo(at(5, 11, 7, 20))
	f := h.Fired(alerting.GuardUnderstaffed)
	if len(f) != 1 {
		t.Fatalf("fired %d, want 1:\n%s", len(f), h)
	}
	c := f[0]
	if c.School != "sq-test" || c.Region != "130802" || c.Subject != "" || c.Device != "" {
		t.Errorf("condition = %+v", c)
	}
	if !strings.Contains(c.MessageZH, "测试小学") || !strings.Contains(c.MessageZH, "1 人") || !strings.Contains(c.MessageZH, "4 人") {
		t.Errorf("MessageZH = %q", c.MessageZH)
	}
	if !strings.Contains(c.MessageEN, "1 licensed guards on duty, 4 required") {
		t.Errorf("MessageEN = %q", c.MessageEN)
	}
}

func TestGuardRequirementWiredThroughRequiredGuards(t *testing.T) {
	// Required guards by pupils and boarders (docs/rules.md "Guards"); with one
	// guard fewer than required guard_understaffed fires, with exactly the
	// requirement it does not.
	tests := []struct {
		pupils, boarders, required int
	}{
		{99, 0, 1},
		{150, 0, 2},
		{1499, 0, 3},
		{1500, 0, 4},
		{150, 200, 3},  // +1 per full 200 boarders
		{1499, 399, 4}, // 399 boarders: +1
		{1500, 400, 6}, // 400 boarders: +2
		{1500, 199, 4}, // fewer than 200 boarders add nothing
		{99, 90, 1},
	}
	for _, tt := range tests {
		for _, short := range []bool{true, false} {
			name := fmt.Sprintf("pupils %d boarders %d short %v", tt.pupils, tt.boarders, short)
			t.Run(name, func(t *testing.T) {
				mut := func(s *devices.School) {
					s.Pupils, s.Boarders = tt.pupils, tt.boarders
					s.Guards = nil
					for i := 1; i <= 8; i++ {
						s.Guards = append(s.Guards, devices.Guard{ID: fmt.Sprintf("g%d", i)})
					}
				}
				h := newHarness(t, at(5, 11, 6, 0), mut)
				if got := h.Sch.RequiredGuards(); got != tt.required {
					t.Fatalf("RequiredGuards() = %d, want %d", got, tt.required)
				}
				n := tt.required
				if short {
					n--
				}
				for i := 1; i <= n; i++ {
					in(h, fmt.Sprintf("g%d", i), devices.PostGuardroom, "guard")
				}
				h.AdvanceTo(at(5, 11, 12, 0))
				if fired := len(h.Fired(alerting.GuardUnderstaffed)) > 0; fired != short {
					t.Errorf("%d of %d guards: fired = %v, want %v\n%s", n, tt.required, fired, short, h)
				}
			})
		}
	}
}

func TestGuardroomUnmanned(t *testing.T) {
	sat := func(hh, mm int) time.Time { return at(5, 16, hh, mm) }
	room := devices.PostGuardroom
	tests := []struct {
		name  string
		start time.Time
		mut   func(*devices.School)
		play  func(h *enginetest.Harness)
		until time.Time
		want  []want
	}{
		{
			name:  "nobody since start fires after 30 min on a weekend night, a check-in resolves",
			play:  func(h *enginetest.Harness) { h.AdvanceTo(sat(1, 0)); in(h, "g1", room, "guard") },
			until: sat(2, 0),
			want: []want{
				fire(alerting.GuardroomUnmanned, "", sat(0, 30), alerting.P1),
				resolve(alerting.GuardroomUnmanned, "", sat(1, 0)),
			},
		},
		{
			name: "the last guard out starts the 30 minutes",
			play: func(h *enginetest.Harness) {
				in(h, "g1", room, "guard")
				in(h, "g2", room, "guard")
				h.AdvanceTo(sat(2, 0))
				out(h, "g1", room, "guard")
				h.AdvanceTo(sat(2, 10))
				out(h, "g2", room, "guard")
				h.AdvanceTo(sat(2, 39))
				if len(only(h, alerting.GuardroomUnmanned)) != 0 {
					t.Errorf("fired before 30 min")
				}
			},
			until: sat(3, 0),
			want:  []want{fire(alerting.GuardroomUnmanned, "", sat(2, 40), alerting.P1)},
		},
		{
			name: "back within 30 minutes raises nothing",
			play: func(h *enginetest.Harness) {
				in(h, "g1", room, "guard")
				h.AdvanceTo(sat(3, 0))
				out(h, "g1", room, "guard")
				h.AdvanceTo(sat(3, 29))
				in(h, "g1", room, "guard")
			},
			until: sat(6, 0),
		},
		{
			name: "a teacher or volunteer does not man the guard room",
			play: func(h *enginetest.Harness) {
				in(h, "t1", room, "teacher")
				in(h, "v1", room, "volunteer")
			},
			until: sat(1, 0),
			want:  []want{fire(alerting.GuardroomUnmanned, "", sat(0, 30), alerting.P1)},
		},
		{
			name: "a guard at another post does not man the guard room",
			play: func(h *enginetest.Harness) {
				in(h, "g1", devices.PostMainGate, "guard")
			},
			until: sat(1, 0),
			want:  []want{fire(alerting.GuardroomUnmanned, "", sat(0, 30), alerting.P1)},
		},
		{
			name:  "a check-in without check-out expires after 16 h",
			play:  func(h *enginetest.Harness) { in(h, "g1", room, "guard") },
			until: sat(17, 0),
			want:  []want{fire(alerting.GuardroomUnmanned, "", sat(16, 30), alerting.P1)},
		},
		{
			name:  "school day, any hour: fires in the afternoon too",
			start: at(5, 11, 14, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 11, 15, 0),
			want:  []want{fire(alerting.GuardroomUnmanned, "", at(5, 11, 14, 30), alerting.P1)},
		},
		{
			name:  "a school that lists posts without a guard room is not watched",
			mut:   func(s *devices.School) { s.Posts = s.Posts[1:] },
			play:  func(h *enginetest.Harness) {},
			until: sat(12, 0),
		},
		{
			name: "the parameter is honoured",
			play: func(h *enginetest.Harness) {
				h.Par.GuardroomUnmannedAfter = 10 * time.Minute
				h.Mod.Start(h, h.State()) // re-read parameters (reload)
			},
			until: sat(1, 0),
			want:  []want{fire(alerting.GuardroomUnmanned, "", sat(0, 10), alerting.P1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := tt.start
			if start.IsZero() {
				start = sat(0, 0)
			}
			h := newHarness(t, start, tt.mut)
			tt.play(h)
			h.AdvanceTo(tt.until)
			expect(t, h, rules(alerting.GuardroomUnmanned), tt.want)
		})
	}
}

func TestGuardroomUnmannedMessage(t *testing.T) {
	h := newHarness(t, at(5, 16, 0, 0), nil)
	h.AdvanceTo(at(5, 16, 0, 30))
	f := h.Fired(alerting.GuardroomUnmanned)
	if len(f) != 1 || !strings.Contains(f[0].MessageZH, "30 分钟") || !strings.Contains(f[0].MessageEN, "30 min") {
		t.Errorf("fired = %+v", f)
	}
}

func TestGuardUnlicensed(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	tests := []struct {
		name  string
		start time.Time
		play  func(h *enginetest.Harness)
		until time.Time
		want  []want
	}{
		{
			name: "a guard not on the roster fires, the check-out resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(9, 0))
				in(h, "g-x", devices.PostMainGate, "guard")
				h.AdvanceTo(mon(9, 5))
				in(h, "g-x", devices.PostMainGate, "guard") // again: no second report
				h.AdvanceTo(mon(10, 0))
				out(h, "g-x", devices.PostMainGate, "guard")
			},
			until: mon(23, 0),
			want: []want{
				fire(alerting.GuardUnlicensed, "g-x", mon(9, 0), alerting.P2),
				resolve(alerting.GuardUnlicensed, "g-x", mon(10, 0)),
			},
		},
		{
			name: "still checked in: the day's end resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(9, 0))
				in(h, "g-x", devices.PostGuardroom, "guard")
			},
			until: mon(23, 0),
			want: []want{
				fire(alerting.GuardUnlicensed, "g-x", mon(9, 0), alerting.P2),
				resolve(alerting.GuardUnlicensed, "g-x", mon(18, 0)),
			},
		},
		{
			name: "checked in after the day's end: midnight resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(20, 0))
				in(h, "g-x", devices.PostGuardroom, "guard")
			},
			until: at(5, 12, 1, 0),
			want: []want{
				fire(alerting.GuardUnlicensed, "g-x", mon(20, 0), alerting.P2),
				resolve(alerting.GuardUnlicensed, "g-x", at(5, 12, 0, 0)),
			},
		},
		{
			name:  "weekend: fires too, resolves at midnight",
			start: at(5, 16, 0, 0),
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(at(5, 16, 9, 0))
				in(h, "g-y", devices.PostGuardroom, "guard")
			},
			until: at(5, 17, 1, 0),
			want: []want{
				fire(alerting.GuardUnlicensed, "g-y", at(5, 16, 9, 0), alerting.P2),
				resolve(alerting.GuardUnlicensed, "g-y", at(5, 17, 0, 0)),
			},
		},
		{
			name: "rostered guards and other roles are fine",
			play: func(h *enginetest.Harness) {
				in(h, "g1", devices.PostGuardroom, "guard")
				in(h, "t-9", devices.PostMainGate, "teacher")
				in(h, "p-9", devices.PostMainGate, "police")
				in(h, "v-9", devices.PostMainGate, "volunteer")
			},
			until: mon(12, 0),
		},
		{
			name: "checked in at two posts: resolves when gone from both",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(9, 0))
				in(h, "g-x", devices.PostGuardroom, "guard")
				in(h, "g-x", devices.PostMainGate, "guard")
				h.AdvanceTo(mon(9, 30))
				out(h, "g-x", devices.PostGuardroom, "guard")
				h.AdvanceTo(mon(9, 40))
				out(h, "g-x", devices.PostMainGate, "guard")
			},
			until: mon(12, 0),
			want: []want{
				fire(alerting.GuardUnlicensed, "g-x", mon(9, 0), alerting.P2),
				resolve(alerting.GuardUnlicensed, "g-x", mon(9, 40)),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := tt.start
			if start.IsZero() {
				start = mon(0, 0)
			}
			h := newHarness(t, start, nil)
			tt.play(h)
			h.AdvanceTo(tt.until)
			expect(t, h, rules(alerting.GuardUnlicensed), tt.want)
		})
	}
}

func TestGuardUnlicensedCondition(t *testing.T) {
	h := newHarness(t, at(5, 11, 9, 0), nil)
	in(h, "g-x", devices.PostMainGate, "guard")
	f := h.Fired(alerting.GuardUnlicensed)
	if len(f) != 1 {
		t.Fatalf("fired %d", len(f))
	}
	if f[0].Subject != "g-x" || f[0].Severity != alerting.P2 || !strings.Contains(f[0].MessageZH, "g-x") ||
		!strings.Contains(f[0].MessageZH, "正门护学岗") || !strings.Contains(f[0].MessageEN, "not on the licensed roster") {
		t.Errorf("condition = %+v", f[0])
	}
}
