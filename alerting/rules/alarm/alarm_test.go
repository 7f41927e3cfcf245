package alarm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
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
	a1 = "sq-test-alarm-1"
	a2 = "sq-test-alarm-2"
)

// testSchool has school hours 06:50–17:50 (its gate windows) and the
// devices given, or one alarm terminal in the guard room and a gate.
func testSchool(devs ...devices.Device) *devices.School {
	if devs == nil {
		devs = []devices.Device{
			{ID: a1, Kind: devices.KindAlarm, Location: "门卫室", Post: devices.PostGuardroom},
			{ID: "sq-test-access-1", Kind: devices.KindAccess, Location: "正门", Gate: "main"},
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

func newHarness(t *testing.T, m *alarm.Module, s *devices.School, start time.Time) *enginetest.Harness {
	t.Helper()
	if m == nil {
		m = alarm.New().(*alarm.Module)
	}
	h := enginetest.New(t, m, s, start)
	h.Cal = testCal.IsSchoolDay
	return h
}

func boolV(name string, v bool) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeBool, Bool: v}
}

func enumV(name, v string) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeEnum, Str: v}
}

func event(dev, typ string, vals ...devices.Value) devices.Event {
	return devices.Event{Kind: devices.KindAlarm, Device: dev, Channel: devices.ChannelEvent, Type: typ, Values: vals}
}

func heartbeat(dev string, vals ...devices.Value) devices.Event {
	return devices.Event{Kind: devices.KindAlarm, Device: dev, Channel: devices.ChannelHeartbeat, Type: "heartbeat.alarm", Values: vals}
}

func status(dev, s string, retained bool) devices.Event {
	return devices.Event{Kind: devices.KindAlarm, Device: dev, Channel: devices.ChannelStatus, Type: "status",
		Values: []devices.Value{enumV("status", s)}, Retained: retained}
}

// keepAlive sends a heartbeat (linked) from each device every 30 s until t.
func keepAlive(h *enginetest.Harness, until time.Time, devs ...string) {
	for h.Now().Before(until) {
		for _, d := range devs {
			h.Event(heartbeat(d, boolV("linked", true)))
		}
		h.Advance(30 * time.Second)
	}
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

func TestModule(t *testing.T) {
	m := alarm.New()
	if m.Name() != "alarm" {
		t.Errorf("Name() = %q", m.Name())
	}
	want := []alerting.RuleID{alerting.AlarmPanic, alerting.AlarmOffline, alerting.AlarmLinkDown, alerting.AlarmTrouble, alerting.AlarmTestOverdue}
	if fmt.Sprint(m.Rules()) != fmt.Sprint(want) {
		t.Errorf("Rules() = %v, want %v", m.Rules(), want)
	}
	for _, r := range m.Rules() {
		if info, ok := alerting.Info(r); !ok || info.Kind != "alarm" {
			t.Errorf("rule %s is not an alarm rule of the catalogue", r)
		}
	}
	noAlarm := testSchool(devices.Device{ID: "g", Kind: devices.KindAccess})
	if st := m.NewState(noAlarm); st != nil {
		t.Errorf("NewState(school without alarm terminals) = %v, want nil", st)
	}
	if st := m.NewState(testSchool()); st == nil {
		t.Error("NewState(school with a terminal) = nil")
	}
}

// TestNormalDay: a well-behaved terminal (heartbeats, linked, a test on
// Monday) raises nothing in a school week, and events of other kinds are
// ignored.
func TestNormalDay(t *testing.T) {
	h := newHarness(t, nil, testSchool(), at(11, 30, 0, 0))
	h.Start()
	keepAlive(h, at(11, 30, 10, 0), a1)
	h.Event(event(a1, "alarm.test", boolV("ok", true)))
	h.Event(devices.Event{Kind: devices.KindAccess, Device: "sq-test-access-1", Channel: devices.ChannelEvent, Type: "access.forced"})
	keepAlive(h, at(12, 5, 0, 0), a1)
	if f := h.Firing(); len(f) != 0 {
		t.Errorf("firing after a normal week: %v\n%s", f, h)
	}
	for _, r := range h.Mod.Rules() {
		if got := h.Fired(r); len(got) != 0 {
			t.Errorf("%s fired: %v", r, got)
		}
	}
}
