package access_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/access"
	"github.com/campusguard/campusguard/devices"
)

// The test calendar: an autumn term with Wednesday 2026-12-02 a holiday.
// Monday 2026-11-30 is a school day; 2026-11-28/29 and 12-05/06 are a
// weekend.
var testCal = devices.Calendar{ID: "test",
	Terms:    []devices.Term{{Start: devices.Date{Year: 2026, Month: 9, Day: 1}, End: devices.Date{Year: 2027, Month: 1, Day: 22}}},
	Holidays: []devices.Date{{Year: 2026, Month: 12, Day: 2}},
}

// at returns a local (Asia/Shanghai) time in 2026.
func at(month, day, hour, minute int) time.Time {
	return time.Date(2026, time.Month(month), day, hour, minute, 0, 0, devices.Location())
}

const (
	g1 = "sq-test-access-1"
	g2 = "sq-test-access-2"
)

// testSchool has gate windows 06:50–08:20 and 16:00–17:50 (so school hours
// 06:50–17:50) and the devices given, or one gate controller at the main
// gate and an alarm terminal.
func testSchool(devs ...devices.Device) *devices.School {
	if devs == nil {
		devs = []devices.Device{
			{ID: g1, Kind: devices.KindAccess, Location: "正门", Gate: "main"},
			{ID: "sq-test-alarm-1", Kind: devices.KindAlarm, Location: "门卫室"},
		}
	}
	return &devices.School{ID: "sq-test", Name: "双桥区测试小学", Region: "130802", Type: devices.SchoolPrimary,
		Pupils: 800, Calendar: "test",
		Windows: devices.Windows{Gate: []devices.Window{
			{Name: "morning", Start: devices.Clock(6, 50), End: devices.Clock(8, 20)},
			{Name: "afternoon", Start: devices.Clock(16, 0), End: devices.Clock(17, 50)},
		}},
		Devices: devs,
	}
}

var twoGates = testSchool(
	devices.Device{ID: g1, Kind: devices.KindAccess, Location: "正门", Gate: "main"},
	devices.Device{ID: g2, Kind: devices.KindAccess, Gate: "north"},
)

func newHarness(t *testing.T, s *devices.School, start time.Time) *enginetest.Harness {
	t.Helper()
	if s == nil {
		s = testSchool()
	}
	h := enginetest.New(t, access.New(), s, start)
	h.Cal = testCal.IsSchoolDay
	return h
}

func enumV(name, v string) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeEnum, Str: v}
}

func event(dev, typ string, vals ...devices.Value) devices.Event {
	return devices.Event{Kind: devices.KindAccess, Device: dev, Channel: devices.ChannelEvent, Type: typ, Values: vals}
}

func gateState(dev, s string) devices.Event { return event(dev, "gate.state", enumV("state", s)) }

func heartbeat(dev string, vals ...devices.Value) devices.Event {
	return devices.Event{Kind: devices.KindAccess, Device: dev, Channel: devices.ChannelHeartbeat, Type: "heartbeat.access", Values: vals}
}

func status(dev, s string, retained bool) devices.Event {
	return devices.Event{Kind: devices.KindAccess, Device: dev, Channel: devices.ChannelStatus, Type: "status",
		Values: []devices.Value{enumV("status", s)}, Retained: retained}
}

func denied(dev string) devices.Event {
	return event(dev, "access.denied", enumV("direction", "in"), enumV("method", "card"))
}

// trace renders the conditions of rule as "MM-DD HH:MM:SS fire <subject> <sev>"
// or "MM-DD HH:MM:SS resolve <subject>".
func trace(h *enginetest.Harness, rule alerting.RuleID) []string {
	var out []string
	for _, c := range h.Conds {
		if c.Rule != rule {
			continue
		}
		ts := c.At.In(devices.Location()).Format("01-02 15:04:05")
		if c.Firing {
			out = append(out, fmt.Sprintf("%s fire %s %s", ts, c.Subject, c.Severity))
		} else {
			out = append(out, fmt.Sprintf("%s resolve %s", ts, c.Subject))
		}
	}
	return out
}

func checkTrace(t *testing.T, h *enginetest.Harness, rule alerting.RuleID, want []string) {
	t.Helper()
	got := trace(h, rule)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot  %q\nwant %q\nall conditions:\n%s", rule, got, want, h)
	}
}

// checkConds checks the device and the Chinese message of every firing
// condition of rule.
func checkConds(t *testing.T, h *enginetest.Harness, rule alerting.RuleID, zh ...string) {
	t.Helper()
	for _, c := range h.Fired(rule) {
		if c.Device != c.Subject || c.School != "sq-test" || c.MessageEN == "" {
			t.Errorf("%s condition = %+v", rule, c)
		}
		for _, s := range append([]string{"双桥区测试小学"}, zh...) {
			if !strings.Contains(c.MessageZH, s) {
				t.Errorf("%s MessageZH %q lacks %q", rule, c.MessageZH, s)
			}
		}
	}
}

type step func(h *enginetest.Harness)

type ruleCase struct {
	name   string
	school *devices.School
	start  time.Time
	run    step
	want   []string
}

func runCases(t *testing.T, rule alerting.RuleID, start time.Time, cases []ruleCase, zh ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.start
			if st.IsZero() {
				st = start
			}
			h := newHarness(t, tc.school, st)
			h.Start()
			tc.run(h)
			checkTrace(t, h, rule, tc.want)
			checkConds(t, h, rule, zh...)
		})
	}
}

func TestModule(t *testing.T) {
	m := access.New()
	if m.Name() != "access" {
		t.Errorf("Name() = %q", m.Name())
	}
	want := []alerting.RuleID{alerting.GateForced, alerting.GateIntrusion, alerting.GateBlacklist, alerting.GateDeniedBurst,
		alerting.GateHeldOpen, alerting.GateOpenAfterHours, alerting.AccessOffline}
	if fmt.Sprint(m.Rules()) != fmt.Sprint(want) {
		t.Errorf("Rules() = %v, want %v", m.Rules(), want)
	}
	for _, r := range m.Rules() {
		if info, ok := alerting.Info(r); !ok || info.Kind != "access" {
			t.Errorf("rule %s is not an access rule of the catalogue", r)
		}
	}
	if st := m.NewState(testSchool(devices.Device{ID: "a", Kind: devices.KindAlarm})); st != nil {
		t.Errorf("NewState(school without gate controllers) = %v, want nil", st)
	}
	if st := m.NewState(testSchool()); st == nil {
		t.Error("NewState(school with a gate) = nil")
	}
}

// TestNormalDay: a week of a well-behaved gate — heartbeats, opened and
// closed inside its windows, passages granted, one denial, closed at the
// weekend — raises nothing; events of other kinds are ignored.
func TestNormalDay(t *testing.T) {
	h := newHarness(t, nil, at(11, 28, 0, 0))
	h.Start()
	type change struct {
		h, m  int
		state string
	}
	day := []change{{6, 55, "open"}, {8, 15, "closed"}, {16, 5, "open"}, {17, 45, "closed"}}
	for d := 28; d <= 36; d++ {
		month, dd := 11, d
		if d > 30 {
			month, dd = 12, d-30
		}
		i := 0
		school := testCal.IsSchoolDay(at(month, dd, 12, 0))
		for h.Now().Before(at(month, dd, 24, 0)) {
			h.Event(heartbeat(g1))
			if school && i < len(day) && !h.Now().Before(at(month, dd, day[i].h, day[i].m)) {
				h.Event(gateState(g1, day[i].state))
				if day[i].state == "open" {
					h.Event(event(g1, "access.granted", enumV("direction", "in"), enumV("method", "face"),
						devices.Value{Name: "person", Type: devices.TypeString, Str: "p-1"}, enumV("role", "student")))
					h.Event(denied(g1))
				}
				i++
			}
			h.Event(devices.Event{Kind: devices.KindAlarm, Device: "sq-test-alarm-1", Channel: devices.ChannelEvent, Type: "alarm.panic"})
			h.Advance(time.Minute)
		}
	}
	if f := h.Firing(); len(f) != 0 {
		t.Errorf("firing after a normal week: %v\n%s", f, h)
	}
	for _, r := range h.Mod.Rules() {
		if got := h.Fired(r); len(got) != 0 {
			t.Errorf("%s fired: %v", r, got)
		}
	}
}
