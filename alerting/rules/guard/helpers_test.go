package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

// Dates of the test calendar (2026 spring term):
//
//	Fri 2026-05-01 holiday (劳动节), Sat 2026-05-09 make-up workday (调休),
//	Sun 2026-05-10 weekend, Mon 2026-05-11 .. Fri 2026-05-15 school days,
//	Sat 2026-05-16 weekend.
func at(month time.Month, day, hh, mm int) time.Time {
	return time.Date(2026, month, day, hh, mm, 0, 0, devices.Location())
}

func d(s string) devices.Date {
	v, err := devices.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// testSchool is a day primary school of 1,520 pupils (4 guards required)
// with a guard room, a main-gate post and a north-gate post, gate windows
// 06:50-18:00 (so guard_understaffed is checked from 07:20) and the
// default primary peaks 07:00-08:10, 11:40-12:20, 13:40-14:20, 16:00-17:50.
func testSchool() devices.School {
	return devices.School{
		ID: "sq-test", Name: "测试小学", Region: "130802", Type: devices.SchoolPrimary,
		Pupils: 1520, Calendar: "cal",
		Windows: devices.Windows{
			Gate: []devices.Window{
				{Start: devices.Clock(6, 50), End: devices.Clock(8, 20)},
				{Start: devices.Clock(11, 30), End: devices.Clock(12, 30)},
				{Start: devices.Clock(13, 30), End: devices.Clock(14, 30)},
				{Start: devices.Clock(15, 50), End: devices.Clock(18, 0)},
			},
			Peaks: devices.DefaultWindows(devices.SchoolPrimary, false).Peaks,
		},
		Posts: []devices.Post{
			{ID: devices.PostGuardroom, Name: "门卫室"},
			{ID: devices.PostMainGate, Name: "正门护学岗", MinStaff: 2},
			{ID: "north-gate", Name: "北门"}, // a side gate: no minimum staffing, not watched at peaks
		},
		Guards: []devices.Guard{{ID: "g1"}, {ID: "g2"}, {ID: "g3"}, {ID: "g4"}, {ID: "g5"}},
		Devices: []devices.Device{
			{ID: "sq-test-guard-1", Kind: devices.KindGuard, Location: "门卫室", Post: devices.PostGuardroom},
			{ID: "sq-test-guard-2", Kind: devices.KindGuard, Location: "正门", Post: devices.PostMainGate},
		},
	}
}

// newHarness indexes a registry holding the school (after mut) with the
// test calendar and starts the module at start.
func newHarness(t *testing.T, start time.Time, mut func(*devices.School)) *enginetest.Harness {
	t.Helper()
	s := testSchool()
	if mut != nil {
		mut(&s)
	}
	reg := &devices.Registry{
		Regions: []devices.Region{{Code: "130802", Name: "双桥区"}},
		Calendars: []devices.Calendar{{
			ID:       "cal",
			Terms:    []devices.Term{{Start: d("2026-03-02"), End: d("2026-07-10")}},
			Holidays: []devices.Date{d("2026-05-01"), d("2026-05-02"), d("2026-05-03"), d("2026-05-04"), d("2026-05-05")},
			Workdays: []devices.Date{d("2026-05-09")},
		}},
		Schools: []devices.School{s},
	}
	reg.Index()
	sch, _ := reg.School(s.ID)
	h := enginetest.New(t, New(), sch, start)
	h.Start()
	return h
}

func guardEvent(typ, g, post, role string) devices.Event {
	return devices.Event{
		Kind: devices.KindGuard, Device: "sq-test-guard-1", Channel: devices.ChannelEvent, Type: typ,
		Values: []devices.Value{
			{Name: "guard", Type: devices.TypeString, Str: g},
			{Name: "post", Type: devices.TypeString, Str: post},
			{Name: "role", Type: devices.TypeEnum, Str: role},
		},
	}
}

func in(h *enginetest.Harness, g, post, role string) {
	h.Event(guardEvent(typeCheckin, g, post, role))
}

func out(h *enginetest.Harness, g, post, role string) {
	h.Event(guardEvent(typeCheckout, g, post, role))
}

func round(h *enginetest.Harness, r int) {
	h.Event(devices.Event{
		Kind: devices.KindGuard, Device: "sq-test-guard-1", Channel: devices.ChannelEvent, Type: typeCheckpoint,
		Values: []devices.Value{
			{Name: "guard", Type: devices.TypeString, Str: "g1"},
			{Name: "route", Type: devices.TypeString, Str: "perimeter"},
			{Name: "point", Type: devices.TypeString, Str: "p1"},
			{Name: "round", Type: devices.TypeInt, Int: int64(r)},
		},
	})
}

// staffAll checks in the four licensed guards the test school needs: two
// at the guard room, one at the main gate, one at the north gate.
func staffAll(h *enginetest.Harness) {
	in(h, "g1", devices.PostGuardroom, "guard")
	in(h, "g2", devices.PostGuardroom, "guard")
	in(h, "g3", devices.PostMainGate, "guard")
	in(h, "g4", "north-gate", "guard")
}

// only returns the conditions of rule.
func only(h *enginetest.Harness, rule alerting.RuleID) []alerting.Condition {
	var out []alerting.Condition
	for _, c := range h.Conds {
		if c.Rule == rule {
			out = append(out, c)
		}
	}
	return out
}

// want is an expected condition: its rule, subject, firing, time and
// (when firing and set) severity.
type want struct {
	rule    alerting.RuleID
	subject string
	firing  bool
	at      time.Time
	sev     alerting.Severity
}

// expect compares the conditions of the rules named in ws (in order) with
// ws.
func expect(t *testing.T, h *enginetest.Harness, rules []alerting.RuleID, ws []want) {
	t.Helper()
	var got []alerting.Condition
	for _, c := range h.Conds {
		for _, r := range rules {
			if c.Rule == r {
				got = append(got, c)
			}
		}
	}
	ok := len(got) == len(ws)
	for i := 0; ok && i < len(ws); i++ {
		g, w := got[i], ws[i]
		if g.Rule != w.rule || g.Subject != w.subject || g.Firing != w.firing || !g.At.Equal(w.at) ||
			(w.firing && w.sev != "" && g.Severity != w.sev) {
			ok = false
		}
	}
	if !ok {
		var sb strings.Builder
		for _, w := range ws {
			sb.WriteString(w.at.Format(time.RFC3339) + " " + string(w.rule) + "/" + w.subject)
			if w.firing {
				sb.WriteString(" firing " + string(w.sev))
			} else {
				sb.WriteString(" resolved")
			}
			sb.WriteString("\n")
		}
		t.Errorf("conditions of %v:\n got:\n%s want:\n%s", rules, conds(h, rules), sb.String())
	}
}

func conds(h *enginetest.Harness, rules []alerting.RuleID) string {
	var sb strings.Builder
	for _, c := range h.Conds {
		for _, r := range rules {
			if c.Rule == r {
				sb.WriteString(c.At.Format(time.RFC3339) + " " + string(c.Rule) + "/" + c.Subject)
				if c.Firing {
					sb.WriteString(" firing " + string(c.Severity))
				} else {
					sb.WriteString(" resolved")
				}
				sb.WriteString("\n")
			}
		}
	}
	return sb.String()
}

func fire(rule alerting.RuleID, subject string, t time.Time, sev alerting.Severity) want {
	return want{rule, subject, true, t, sev}
}

func resolve(rule alerting.RuleID, subject string, t time.Time) want {
	return want{rule, subject, false, t, ""}
}

// rules lists rule ids.
func rules(ids ...alerting.RuleID) []alerting.RuleID { return ids }
