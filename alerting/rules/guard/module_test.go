package guard

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

// normalDay plays a well-behaved school day on date (month, day): the
// night guard g5 hands over at 07:00 and takes over again at 18:00, four
// licensed guards are on duty 06:30-18:10, every peak has a guard and a
// teacher, police officer or volunteer at the main gate who check in 20
// minutes before it (the guard, on duty at the gate all day, checks in
// again for each peak: an earlier check-in does not staff it) and stay
// until after it, and five patrol rounds are walked.
func normalDay(h *enginetest.Harness, month time.Month, day int) {
	t := func(hh, mm int) time.Time { return at(month, day, hh, mm) }
	h.AdvanceTo(t(6, 30))
	staffAll(h)
	h.AdvanceTo(t(6, 40))
	in(h, "g3", devices.PostMainGate, "guard")
	in(h, "t-am", devices.PostMainGate, "teacher")
	h.AdvanceTo(t(7, 0))
	out(h, "g5", devices.PostGuardroom, "guard")
	h.AdvanceTo(t(8, 15))
	out(h, "t-am", devices.PostMainGate, "teacher")
	h.AdvanceTo(t(8, 30))
	round(h, 1)
	h.AdvanceTo(t(10, 0))
	round(h, 2)
	h.AdvanceTo(t(11, 20))
	in(h, "g3", devices.PostMainGate, "guard")
	in(h, "t-noon", devices.PostMainGate, "teacher")
	h.AdvanceTo(t(12, 25))
	out(h, "t-noon", devices.PostMainGate, "teacher")
	h.AdvanceTo(t(13, 0))
	round(h, 3)
	h.AdvanceTo(t(13, 20))
	in(h, "g3", devices.PostMainGate, "guard")
	in(h, "p-1", devices.PostMainGate, "police")
	h.AdvanceTo(t(14, 25))
	out(h, "p-1", devices.PostMainGate, "police")
	h.AdvanceTo(t(15, 0))
	round(h, 4)
	h.AdvanceTo(t(15, 40))
	in(h, "g3", devices.PostMainGate, "guard")
	in(h, "v-1", devices.PostMainGate, "volunteer")
	h.AdvanceTo(t(17, 0))
	round(h, 5)
	h.AdvanceTo(t(17, 55))
	out(h, "v-1", devices.PostMainGate, "volunteer")
	h.AdvanceTo(t(18, 0))
	in(h, "g5", devices.PostGuardroom, "guard")
	h.AdvanceTo(t(18, 10))
	out(h, "g1", devices.PostGuardroom, "guard")
	out(h, "g2", devices.PostGuardroom, "guard")
	out(h, "g3", devices.PostMainGate, "guard")
	out(h, "g4", "north-gate", "guard")
}

func TestNormalDaysRaiseNothing(t *testing.T) {
	tests := []struct {
		name  string
		start time.Time
		days  []int // May 2026
	}{
		{"one school day", at(5, 10, 18, 0), []int{11}},
		{"a school week", at(5, 10, 18, 0), []int{11, 12, 13, 14, 15}},
		{"make-up Saturday then Monday", at(5, 8, 18, 0), []int{9, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.start, nil)
			in(h, "g5", devices.PostGuardroom, "guard")
			for i, day := range tt.days {
				if i > 0 {
					// Days without school in between: the night guard
					// checks in again each shift.
					for gap := tt.days[i-1] + 1; gap < day; gap++ {
						h.AdvanceTo(at(5, gap, 6, 0))
						in(h, "g5", devices.PostGuardroom, "guard")
						h.AdvanceTo(at(5, gap, 18, 0))
						in(h, "g5", devices.PostGuardroom, "guard")
					}
				}
				normalDay(h, time.May, day)
			}
			h.AdvanceTo(at(5, tt.days[len(tt.days)-1]+1, 6, 0))
			if len(h.Conds) != 0 {
				t.Errorf("a well-behaved school raised:\n%s", h)
			}
		})
	}
}

func TestQuietWhenNoSchool(t *testing.T) {
	// Guard room manned around the clock, nobody else: no school-day rule
	// may fire on a weekend or a holiday.
	tests := []struct {
		name       string
		start, end time.Time
	}{
		{"weekend", at(5, 16, 0, 0), at(5, 17, 23, 59)},
		{"labour-day holiday on a Friday", at(5, 1, 0, 0), at(5, 1, 23, 59)},
		{"holiday week", at(5, 1, 0, 0), at(5, 5, 23, 59)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.start, nil)
			for day := tt.start; day.Before(tt.end); day = day.Add(12 * time.Hour) {
				h.AdvanceTo(day)
				in(h, "g1", devices.PostGuardroom, "guard") // re-check-in within 16 h
			}
			h.AdvanceTo(tt.end)
			if len(h.Conds) != 0 {
				t.Errorf("raised on a day without school:\n%s", h)
			}
		})
	}
}

func TestMakeUpSaturdayIsASchoolDay(t *testing.T) {
	// Sat 2026-05-09 is a make-up workday (调休): with only the guard room
	// manned every school-day rule fires; on Sat 2026-05-16 none does.
	for _, tt := range []struct {
		name   string
		day    int
		active bool
	}{
		{"make-up Saturday", 9, true},
		{"plain Saturday", 16, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, at(5, tt.day, 0, 0), nil)
			in(h, "g1", devices.PostGuardroom, "guard")
			h.AdvanceTo(at(5, tt.day, 12, 0))
			in(h, "g1", devices.PostGuardroom, "guard")
			h.AdvanceTo(at(5, tt.day, 23, 0))
			for _, r := range rules(alerting.GuardUnderstaffed, alerting.PatrolShortfall, alerting.PostUnstaffed) {
				if got := len(h.Fired(r)) > 0; got != tt.active {
					t.Errorf("%s fired = %v, want %v\n%s", r, got, tt.active, h)
				}
			}
			if n := len(h.Fired(alerting.GuardroomUnmanned)); n != 0 {
				t.Errorf("guardroom_unmanned fired with the guard room manned:\n%s", h)
			}
		})
	}
}

func TestModuleContract(t *testing.T) {
	m := New()
	if m.Name() != "guard" {
		t.Errorf("Name() = %q", m.Name())
	}
	want := []alerting.RuleID{alerting.GuardUnderstaffed, alerting.GuardroomUnmanned, alerting.GuardUnlicensed,
		alerting.PatrolShortfall, alerting.PostUnstaffed, alerting.PostUnderstaffed, alerting.PostLeftEarly}
	for _, r := range want {
		if !slices.Contains(m.Rules(), r) {
			t.Errorf("Rules() lacks %s", r)
		}
		if info, ok := alerting.Info(r); !ok || info.Kind != "guard" {
			t.Errorf("%s is not a guard rule of the catalogue", r)
		}
	}
	s := testSchool()
	s.Devices = []devices.Device{{ID: "a", Kind: devices.KindAlarm}}
	if st := m.NewState(&s); st != nil {
		t.Errorf("NewState of a school without guard terminals = %v, want nil", st)
	}

	h := newHarness(t, at(5, 11, 5, 0), nil)
	for _, k := range h.Timers() {
		if _, key, _ := strings.Cut(k, " "); !strings.HasPrefix(key, "guard:") {
			t.Errorf("timer %q lacks the module prefix", k)
		}
	}
}

func TestEngineStartMidDay(t *testing.T) {
	// The engine starts at 10:00 on a school day (between windows)
	// knowing nobody: the guards get the morning's 30 minutes before
	// guard_understaffed, and the patrol count (which missed the morning)
	// raises nothing at the day's end. (A start inside a window judges it
	// at once; the lifecycle's grace period holds that back:
	// TestStartInsideWindowGrace.)
	h := newHarness(t, at(5, 11, 10, 0), nil)
	h.AdvanceTo(at(5, 11, 10, 29))
	if len(h.Conds) != 0 {
		t.Fatalf("raised within the start-up grace:\n%s", h)
	}
	h.AdvanceTo(at(5, 11, 23, 0))
	expect(t, h, rules(alerting.GuardUnderstaffed, alerting.GuardroomUnmanned, alerting.PatrolShortfall), []want{
		fire(alerting.GuardUnderstaffed, "", at(5, 11, 10, 30), alerting.P2),
		fire(alerting.GuardroomUnmanned, "", at(5, 11, 10, 30), alerting.P1),
		resolve(alerting.GuardUnderstaffed, "", at(5, 11, 18, 0)),
	})
	// Later windows of the day are judged as usual.
	if len(h.Fired(alerting.PostUnstaffed)) != 3 {
		t.Errorf("post_unstaffed for the three later windows, got:\n%s", h)
	}
}

func TestRegistryReloadKeepsState(t *testing.T) {
	h := newHarness(t, at(5, 11, 6, 0), nil)
	in(h, "g1", devices.PostGuardroom, "guard")
	h.AdvanceTo(at(5, 11, 7, 30))                // understaffed, post unstaffed at 06:50
	in(h, "t1", devices.PostMainGate, "teacher") // post understaffed
	before := len(h.Conds)
	h.Mod.Start(h, h.State()) // reload: same school, same day
	if len(h.Conds) != before {
		t.Errorf("reload reported again:\n%s", h)
	}
	in(h, "t2", devices.PostMainGate, "teacher")
	expect(t, h, rules(alerting.PostUnderstaffed), []want{
		fire(alerting.PostUnderstaffed, "main-gate@07:00", at(5, 11, 7, 30), alerting.P1),
		resolve(alerting.PostUnderstaffed, "main-gate@07:00", at(5, 11, 7, 30)),
	})
}

func TestRetainedReplayDoesNotDuplicate(t *testing.T) {
	h := newHarness(t, at(5, 16, 0, 0), nil)
	ev := guardEvent(typeCheckin, "gx", devices.PostGuardroom, "guard")
	h.Event(ev)
	h.AdvanceTo(at(5, 16, 1, 0))
	ev.Retained = true
	h.Event(ev)
	if n := len(h.Fired(alerting.GuardUnlicensed)); n != 1 {
		t.Errorf("guard_unlicensed fired %d times, want 1:\n%s", n, h)
	}
}

func TestDayEndingAtMidnight(t *testing.T) {
	// A boarding school whose last gate window and evening-study peak end
	// at 24:00: the day's end duties and the window end still run for
	// Monday, and Tuesday is planned as usual.
	mut := func(s *devices.School) {
		s.Windows.Gate = append(s.Windows.Gate, devices.Window{Start: devices.Clock(20, 50), End: devices.Clock(24, 0)})
		s.Windows.Peaks = []devices.Window{{Start: devices.Clock(21, 0), End: devices.Clock(24, 0)}}
	}
	h := newHarness(t, at(5, 11, 0, 0), mut)
	h.AdvanceTo(at(5, 11, 20, 40))
	in(h, "t1", devices.PostMainGate, "teacher")
	h.AdvanceTo(at(5, 12, 1, 0))
	expect(t, h, rules(alerting.GuardUnderstaffed, alerting.PatrolShortfall, alerting.PostUnderstaffed), []want{
		fire(alerting.GuardUnderstaffed, "", at(5, 11, 7, 20), alerting.P2),
		fire(alerting.PatrolShortfall, "", at(5, 11, 12, 0), alerting.P2),
		fire(alerting.PostUnderstaffed, "main-gate@21:00", at(5, 11, 21, 0), alerting.P1),
		resolve(alerting.GuardUnderstaffed, "", at(5, 12, 0, 0)),
		resolve(alerting.PostUnderstaffed, "main-gate@21:00", at(5, 12, 0, 0)),
	})
	h.AdvanceTo(at(5, 12, 7, 30))
	if n := len(h.Fired(alerting.GuardUnderstaffed)); n != 2 {
		t.Errorf("Tuesday not planned:\n%s", h)
	}
}
