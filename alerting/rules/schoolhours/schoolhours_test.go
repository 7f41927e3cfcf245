package schoolhours_test

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/alerting/rules/schoolhours"
	"github.com/campusguard/campusguard/devices"
)

func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		zh, en string
	}{
		{90 * time.Second, "90 秒", "90 s"},
		{3 * time.Minute, "3 分钟", "3 min"},
		{5 * time.Hour, "5 小时", "5 h"},
		{72 * time.Hour, "3 天", "3 days"},
	} {
		if zh, en := schoolhours.Span(tc.d); zh != tc.zh || en != tc.en {
			t.Errorf("Span(%s) = %q %q, want %q %q", tc.d, zh, en, tc.zh, tc.en)
		}
	}
}

func TestSchoolHours(t *testing.T) {
	loc := devices.Location()
	s := &devices.School{ID: "s", Region: "130802", Windows: devices.Windows{Gate: []devices.Window{
		{Start: devices.Clock(6, 50), End: devices.Clock(8, 10)}, {Start: devices.Clock(16, 0), End: devices.Clock(17, 50)}}}}
	if a, b := schoolhours.DayBounds(s); a != devices.Clock(6, 50) || b != devices.Clock(17, 50) {
		t.Fatalf("DayBounds = %s–%s", a, b)
	}
	if a, b := schoolhours.DayBounds(&devices.School{}); a != devices.Clock(7, 0) || b != devices.Clock(18, 0) {
		t.Fatalf("DayBounds without gate windows = %s–%s", a, b)
	}
	mon := time.Date(2026, 11, 30, 0, 0, 0, 0, loc) // a Monday
	h := enginetest.New(t, school.New(), s, mon)
	h.Cal = func(t time.Time) bool { wd := t.In(loc).Weekday(); return wd != time.Saturday && wd != time.Sunday }
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{mon.Add(6*time.Hour + 49*time.Minute), false},
		{mon.Add(6*time.Hour + 50*time.Minute), true},
		{mon.Add(12 * time.Hour), true},
		{mon.Add(17*time.Hour + 50*time.Minute), false},
		{mon.AddDate(0, 0, 5).Add(12 * time.Hour), false}, // Saturday
	} {
		if got := schoolhours.InSchoolHours(h, tc.at); got != tc.want {
			t.Errorf("InSchoolHours(%s) = %v, want %v", tc.at.Format("Mon 15:04"), got, tc.want)
		}
	}
	// Friday evening → Monday 07:00.
	fri := mon.AddDate(0, 0, 4).Add(20 * time.Hour)
	if next, ok := schoolhours.NextOnSchoolDay(h, fri, devices.Clock(7, 0)); !ok || !next.Equal(mon.AddDate(0, 0, 7).Add(7*time.Hour)) {
		t.Errorf("NextOnSchoolDay(Friday 20:00, 07:00) = %s %v", next, ok)
	}
}
