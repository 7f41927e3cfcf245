package schoolhours_test

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/alerting/rules/schoolhours"
	"github.com/campusguard/campusguard/devices"
)

// TestSchoolHoursFollowTimetable: from the first day of a winter
// timetable (冬季作息) school hours are its gate windows, not the school's
// own; the day before they are the school's.
func TestSchoolHoursFollowTimetable(t *testing.T) {
	reg, err := devices.Parse("r.yaml", []byte(`
regions: [{code: "130802", name: 双桥区}]
calendars: [{id: c, national: true, terms: [{start: "2026-09-01", end: "2027-01-22"}]}]
timetables:
  - name: 冬季作息
    from: "2026-11-02"
    regions: ["130802"]
    windows: {gate: [{start: "07:30", end: "08:30"}, {start: "16:00", end: "17:00"}]}
schools:
  - id: s
    name: S
    region: "130802"
    type: primary
    calendar: c
    windows: {gate: [{start: "06:50", end: "08:10"}, {start: "16:00", end: "17:50"}]}
    devices: [{id: s-1, kind: alarm}]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := reg.School("s")
	loc := devices.Location()
	fri := time.Date(2026, 10, 30, 0, 0, 0, 0, loc) // the Friday before the timetable
	mon := time.Date(2026, 11, 2, 0, 0, 0, 0, loc)  // its first day
	h := enginetest.New(t, school.New(), s, fri)
	h.Cal = s.IsSchoolDay
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{fri.Add(7 * time.Hour), true},                 // own windows open 06:50
		{fri.Add(17*time.Hour + 30*time.Minute), true}, // own windows close 17:50
		{mon.Add(7 * time.Hour), false},                // winter: opens 07:30
		{mon.Add(7*time.Hour + 30*time.Minute), true},
		{mon.Add(17*time.Hour + 30*time.Minute), false}, // winter: closes 17:00
	} {
		if got := schoolhours.InSchoolHours(h, tc.at); got != tc.want {
			t.Errorf("InSchoolHours(%s) = %v, want %v", tc.at.Format("01-02 15:04"), got, tc.want)
		}
	}
	if a, b := schoolhours.DayBoundsOn(s, devices.DateOf(mon)); a != devices.Clock(7, 30) || b != devices.Clock(17, 0) {
		t.Errorf("DayBoundsOn = %s–%s", a, b)
	}
}
