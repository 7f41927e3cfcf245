package compliance

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/guard"
	"github.com/campusguard/campusguard/devices"
)

// firingDuring reports whether a condition of one of rules (and subject,
// unless "*") was firing at some instant of [from, to), from the ordered
// conditions of a harness.
func firingDuring(conds []alerting.Condition, rules []alerting.RuleID, subject string, from, to time.Time) bool {
	on := map[alerting.Key]bool{}
	for _, c := range conds {
		if !slices.Contains(rules, c.Rule) || (subject != "*" && c.Subject != subject) {
			continue
		}
		if !c.At.Before(to) {
			break
		}
		if c.Firing && !c.At.Before(from) {
			return true
		}
		on[c.Key()] = c.Firing
	}
	for _, v := range on { // firing when the span began
		if v {
			return true
		}
	}
	return false
}

// Issue 8: "compliant" and "alerting" come from one source of truth
// (package schedule). On each scripted day the guard rules run beside the
// compliance module on the same events; a post window fails compliance
// exactly when post_unstaffed or post_understaffed was firing during it,
// and guard_staffing fails exactly when guard_understaffed or
// guardroom_unmanned was firing that day.
func TestRulesAndComplianceAgree(t *testing.T) {
	d := monday
	windows := []struct {
		subject    string
		start, end time.Time
	}{
		{"main-gate@07:00", at(d, 7, 0), at(d, 8, 10)},
		{"main-gate@16:00", at(d, 16, 0), at(d, 17, 50)},
	}
	gate, room := devices.PostMainGate, devices.PostGuardroom
	tests := []struct {
		name  string
		setup func(r *rig)
		fails []string // failing windows' subjects, and "guard" when guard_staffing fails
	}{
		{"a perfect day", func(r *rig) {}, nil},
		{"stale: the morning's check-in does not staff the afternoon", func(r *rig) {
			r.drop("t1-am-out", "t2-am-out", "t1-pm-in", "t2-pm-in")
		}, []string{"main-gate@16:00"}},
		{"second person late", func(r *rig) {
			r.drop("t2-am-in")
			r.add(at(d, 7, 30), "t2-late", checkin("t2", gate, "volunteer"))
		}, []string{"main-gate@07:00"}},
		{"one leaves early", func(r *rig) {
			r.add(at(d, 17, 0), "t1-early", checkout("t1", gate, "teacher"))
		}, []string{"main-gate@16:00"}},
		{"both leave early", func(r *rig) {
			r.add(at(d, 17, 0), "t1-early", checkout("t1", gate, "teacher"))
			r.add(at(d, 17, 1), "t2-early", checkout("t2", gate, "teacher"))
		}, []string{"main-gate@16:00"}},
		{"checked in before the lead time", func(r *rig) {
			r.drop("t1-pm-in")
			r.add(at(d, 15, 39), "t1-early", checkin("t1", gate, "teacher"))
		}, []string{"main-gate@16:00"}},
		{"checked in before the lead time, again inside it", func(r *rig) {
			r.drop("t1-pm-in")
			r.add(at(d, 15, 30), "t1-early", checkin("t1", gate, "teacher"))
			r.add(at(d, 15, 50), "t1-again", checkin("t1", gate, "teacher"))
		}, nil},
		{"nobody until 07:05", func(r *rig) {
			r.drop("t1-am-in", "t2-am-in")
			r.add(at(d, 7, 5), "t1-late", checkin("t1", gate, "teacher"))
			r.add(at(d, 7, 5), "t2-late", checkin("t2", gate, "teacher"))
		}, []string{"main-gate@07:00"}},
		{"one-minute guard handover", func(r *rig) {
			r.add(at(d, 10, 0), "g2-out", checkout("g2", room, "guard"))
			r.add(at(d, 10, 1), "g2-in", checkin("g2", room, "guard"))
		}, nil},
		{"guard away 20 min", func(r *rig) {
			r.add(at(d, 10, 0), "g2-out", checkout("g2", room, "guard"))
			r.add(at(d, 10, 20), "g2-in", checkin("g2", room, "guard"))
		}, []string{"guard"}},
		{"handover across the check point", func(r *rig) {
			r.add(at(d, 7, 17), "g2-out", checkout("g2", room, "guard"))
			r.add(at(d, 7, 21), "g2-in", checkin("g2", room, "guard"))
		}, nil},
		{"short before the check point, past the gap after it", func(r *rig) {
			r.add(at(d, 7, 18), "g2-out", checkout("g2", room, "guard"))
			r.add(at(d, 7, 24), "g2-in", checkin("g2", room, "guard"))
		}, []string{"guard"}},
		{"unlicensed guard replaces a licensed one", func(r *rig) {
			r.add(at(d, 10, 0), "g2-out", checkout("g2", room, "guard"))
			r.add(at(d, 10, 0), "x9-in", checkin("x9", room, "guard"))
		}, []string{"guard"}},
		{"guard room unmanned 45 min at night", func(r *rig) {
			for _, g := range []string{"g1", "g2"} {
				r.add(at(d, 20, 0), g+"-out", checkout(g, room, "guard"))
				r.add(at(d, 20, 45), g+"-in", checkin(g, room, "guard"))
			}
		}, []string{"guard"}},
		{"guard room unmanned 25 min at night", func(r *rig) {
			for _, g := range []string{"g1", "g2"} {
				r.add(at(d, 20, 0), g+"-out", checkout(g, room, "guard"))
				r.add(at(d, 20, 25), g+"-in", checkin(g, room, "guard"))
			}
		}, nil},
		{"forgotten check-in expires after 16 h", func(r *rig) {
			r.drop("g1", "g2")
			r.add(at(d, 0, 0), "g1", checkin("g1", room, "guard"))
			r.add(at(d, 0, 0), "g2", checkin("g2", room, "guard"))
		}, []string{"guard"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := oneSchool(t, d)
			r.perfectDay(d)
			tt.setup(r)
			// The guard rules on the same school and the same events.
			g := enginetest.New(t, guard.New(), r.sch, at(d, 0, 0))
			g.Start()
			var evs []step
			for _, s := range r.steps {
				if s.ev.Kind == devices.KindGuard {
					evs = append(evs, s)
				}
			}
			slices.SortStableFunc(evs, func(a, b step) int { return a.at.Compare(b.at) })
			for _, s := range evs {
				g.AdvanceTo(s.at)
				g.Event(s.ev)
			}
			end := at(d.AddDays(1), 0, 0)
			g.AdvanceTo(end)
			r.run(end)
			sd := r.day(d)

			var rule, comp []string
			posts := []alerting.RuleID{alerting.PostUnstaffed, alerting.PostUnderstaffed}
			for _, w := range windows {
				if firingDuring(g.Conds, posts, w.subject, w.start, w.end) {
					rule = append(rule, w.subject)
				}
				if res := sd.Measures[ProtectionPost]; strings.Contains(res.Detail(), w.subject+":") {
					comp = append(comp, w.subject)
				}
			}
			if firingDuring(g.Conds, []alerting.RuleID{alerting.GuardUnderstaffed, alerting.GuardroomUnmanned}, "*", at(d, 0, 0), end) {
				rule = append(rule, "guard")
			}
			if !sd.Measures[GuardStaffing].OK {
				comp = append(comp, "guard")
			}
			if !slices.Equal(rule, tt.fails) || !slices.Equal(comp, tt.fails) {
				t.Errorf("failing: rules %q, compliance %q, want %q\nconditions:\n%s\ncompliance: %+v",
					rule, comp, tt.fails, g, sd.Measures)
			}
			if pp := sd.Measures[ProtectionPost]; pp.OK == (len(comp) > 0 && comp[0] != "guard") {
				t.Errorf("protection_post OK = %v with failing windows %q", pp.OK, comp)
			}
		})
	}
}

// Issue 8: a school whose guard roster was never imported used to fail
// guard_staffing every day (no guard is licensed); its licences are
// unknown, so the measure is not judged, and the guard rules raise neither
// guard_unlicensed nor guard_understaffed there.
func TestNoRosterGuardStaffingNotJudged(t *testing.T) {
	s := testSchool("s1", "130802")
	s.Guards = nil
	reg := testRegistry(s)
	fa := &fakeAlerts{}
	r := newRig(t, NewStore(reg, fa.open), &reg.Schools[0], at(monday, 0, 0))
	r.perfectDay(monday)
	r.run(at(monday.AddDays(1), 0, 0))
	res := r.day(monday).Measures[GuardStaffing]
	if res.Status != NotJudged || !strings.Contains(res.Detail(), "no guard roster") || !strings.Contains(res.Detail(), "未导入持证保安名册") {
		t.Errorf("guard_staffing without a roster: %+v", res)
	}
	if pp := r.day(monday).Measures[ProtectionPost]; !pp.OK {
		t.Errorf("protection_post needs no roster: %+v", pp)
	}
}
