package devices

import (
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without a zoneinfo database
)

// shanghai is the time zone of every school calendar and window.
var shanghai = mustLoadLocation("Asia/Shanghai")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("devices: load time zone " + name + ": " + err.Error()) // cannot happen: tzdata is embedded
	}
	return loc
}

// Location returns Asia/Shanghai, the time zone of school calendars and
// windows.
func Location() *time.Location { return shanghai }

// Location returns the school's time zone (Asia/Shanghai for every school).
func (s *School) Location() *time.Location { return shanghai }

// IsSchoolDay reports whether t falls, in Asia/Shanghai, on a school day of
// the calendar: Monday to Friday inside a term, minus public holidays, plus
// make-up workdays (调休) inside a term.
func (c *Calendar) IsSchoolDay(t time.Time) bool {
	return c.IsSchoolDate(DateOf(t.In(shanghai)))
}

// IsSchoolDate is IsSchoolDay for a civil date.
func (c *Calendar) IsSchoolDate(d Date) bool {
	if !c.InTerm(d) || containsDate(c.Holidays, d) {
		return false
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return containsDate(c.Workdays, d)
	}
	return true
}

// InTerm reports whether d lies inside one of the calendar's terms.
func (c *Calendar) InTerm(d Date) bool {
	for _, t := range c.Terms {
		if !d.Before(t.Start) && !t.End.Before(d) {
			return true
		}
	}
	return false
}

func containsDate(ds []Date, d Date) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// IsSchoolDay reports whether t is a school day by the school's calendar; it
// is false when the school has no calendar (set up by Registry.Index).
func (s *School) IsSchoolDay(t time.Time) bool {
	return s.calendar != nil && s.calendar.IsSchoolDay(t)
}

// Contains reports whether t, in Asia/Shanghai clock time, lies in
// [Start, End).
func (w Window) Contains(t time.Time) bool {
	l := t.In(shanghai)
	sec := l.Hour()*3600 + l.Minute()*60 + l.Second()
	return sec >= int(w.Start)*60 && sec < int(w.End)*60
}

// At returns the instant of clock time c on date d in Asia/Shanghai (24:00
// is midnight at the end of d).
func (c ClockTime) At(d Date) time.Time {
	return d.In(shanghai).Add(time.Duration(c) * time.Minute)
}
