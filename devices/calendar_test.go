package devices

import (
	"testing"
	"time"
)

func TestIsSchoolDay(t *testing.T) {
	cal := DefaultCalendar()
	day := func(s string, hour int) time.Time {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d.In(Location()).Add(time.Duration(hour) * time.Hour)
	}
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"first day of autumn term (Tue)", day("2026-09-01", 8), true},
		{"day before the term (Mon)", day("2026-08-31", 8), false},
		{"ordinary Saturday", day("2026-09-05", 8), false},
		{"ordinary Wednesday", day("2026-09-16", 8), true},
		{"中秋 holiday (Fri)", day("2026-09-25", 8), false},
		{"调休: make-up workday on a Sunday", day("2026-09-27", 8), true},
		{"国庆 first day (Thu)", day("2026-10-01", 8), false},
		{"国庆 Monday inside the holiday", day("2026-10-05", 8), false},
		{"国庆 last day (Wed)", day("2026-10-07", 8), false},
		{"first school day after 国庆 (Thu)", day("2026-10-08", 8), true},
		{"调休: make-up workday on a Saturday", day("2026-10-10", 8), true},
		{"Sunday after the make-up Saturday", day("2026-10-11", 8), false},
		{"元旦 (Fri)", day("2027-01-01", 8), false},
		{"last day of autumn term (Fri)", day("2027-01-22", 8), true},
		{"winter break (Mon)", day("2027-01-25", 8), false},
		{"first day of spring term (Mon)", day("2027-02-22", 8), true},
		{"劳动节 (Mon 2027-05-03)", day("2027-05-03", 8), false},
		{"summer break", day("2027-08-02", 8), false},
		{"in UTC: still 09-30 23:30 in UTC but 10-01 07:30 in Shanghai",
			time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC), false},
		{"in UTC: Sunday 09-27 16:30 UTC is Monday 09-28 00:30 in Shanghai",
			time.Date(2026, 9, 27, 16, 30, 0, 0, time.UTC), true},
		{"in UTC: Friday 10-09 17:00 UTC is make-up Saturday 10-10 01:00",
			time.Date(2026, 10, 9, 17, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.IsSchoolDay(tt.t); got != tt.want {
				t.Errorf("IsSchoolDay(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func TestSchoolIsSchoolDayUsesItsCalendar(t *testing.T) {
	r, err := Load(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.School("sq-no3-primary")
	sunday := time.Date(2026, 9, 27, 9, 0, 0, 0, s.Location())
	if !s.IsSchoolDay(sunday) {
		t.Error("make-up Sunday is not a school day")
	}
	var orphan School
	if orphan.IsSchoolDay(sunday) {
		t.Error("a school without calendar has school days")
	}
}

func TestWindowContains(t *testing.T) {
	w := Window{Start: Clock(7, 0), End: Clock(8, 10)}
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 2, h, m, s, 0, Location()) }
	tests := []struct {
		t    time.Time
		want bool
	}{
		{at(6, 59, 59), false},
		{at(7, 0, 0), true},
		{at(8, 9, 59), true},
		{at(8, 10, 0), false},
		{time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC), true}, // 07:30 in Shanghai
		{time.Date(2026, 11, 2, 7, 30, 0, 0, time.UTC), false}, // 15:30 in Shanghai
	}
	for _, tt := range tests {
		if got := w.Contains(tt.t); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
	late := Window{Start: Clock(21, 0), End: ClockMidnightEnd}
	if !late.Contains(at(23, 59, 59)) || late.Contains(at(0, 0, 0)) {
		t.Error("a window ending at 24:00 is wrong")
	}
}

func TestLocationIsShanghai(t *testing.T) {
	if got := Location().String(); got != "Asia/Shanghai" {
		t.Errorf("Location = %s", got)
	}
	_, off := time.Date(2026, 7, 1, 0, 0, 0, 0, Location()).Zone()
	if off != 8*3600 {
		t.Errorf("offset = %d, want +8h", off)
	}
}
