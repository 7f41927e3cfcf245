package devices

import (
	"strings"
	"testing"
	"time"
)

func TestAlarmTestScheduleParse(t *testing.T) {
	doc := docWith(map[int]string{18: "      - {id: d2, kind: access}\n" +
		"    alarm_tests:\n" +
		"      - {day: 15, start: \"09:00\", end: \"09:30\"}\n" +
		"      - {day: 1, start: \"16:00\", end: \"17:00\", device: d1}"})
	r, err := Parse("good.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.School("s1")
	if len(s.AlarmTests) != 2 {
		t.Fatalf("alarm_tests = %+v", s.AlarmTests)
	}
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, Location()) }
	for _, tc := range []struct {
		name   string
		sched  int
		device string
		t      time.Time
		want   bool
	}{
		{"inside, any terminal", 0, "d9", at(12, 15, 9, 10), true},
		{"at the start", 0, "d1", at(12, 15, 9, 0), true},
		{"at the end: outside", 0, "d1", at(12, 15, 9, 30), false},
		{"another day", 0, "d1", at(12, 16, 9, 10), false},
		{"the same day next month", 0, "d1", at(1, 15, 9, 10).AddDate(1, 0, 0), true},
		{"09:10 UTC is 17:10 local", 0, "d1", time.Date(2026, 12, 15, 9, 10, 0, 0, time.UTC), false},
		{"device-bound: its device", 1, "d1", at(12, 1, 16, 30), true},
		{"device-bound: another device", 1, "d2", at(12, 1, 16, 30), false},
	} {
		if got := s.AlarmTests[tc.sched].Covers(tc.device, tc.t); got != tc.want {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAlarmTestScheduleErrors(t *testing.T) {
	for _, tc := range []struct{ name, line, want string }{
		{"day 31", `{day: 31, start: "09:00", end: "09:30"}`, "alarm_tests[0].day: alarm test day 31 outside 1-28"},
		{"day 0", `{day: 0, start: "09:00", end: "09:30"}`, "alarm test day 0 outside 1-28"},
		{"inverted", `{day: 5, start: "10:00", end: "09:30"}`, "alarm_tests[0]: alarm test window starts at 10:00, not before its end 09:30"},
		{"too long", `{day: 5, start: "08:00", end: "10:30"}`, "alarm_tests[0].end: alarm test window 08:00-10:30 longer than 2h0m0s"},
		{"not an alarm terminal", `{day: 5, start: "09:00", end: "09:30", device: d2}`, `alarm_tests[0].device: device "d2" is not an alarm terminal of school "s1"`},
		{"unknown key", `{day: 5, start: "09:00", end: "09:30", weekday: 1}`, `unknown field "weekday"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := docWith(map[int]string{18: "      - {id: d2, kind: access}\n    alarm_tests:\n      - " + tc.line})
			_, err := Parse("bad.yaml", []byte(doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
