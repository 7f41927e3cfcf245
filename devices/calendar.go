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

// IsSchoolDate is IsSchoolDay for a civil date. The calendar's own
// Holidays win over everything; then, with National, the national table's
// days off and make-up workdays; then the calendar's own Workdays.
func (c *Calendar) IsSchoolDate(d Date) bool {
	if !c.InTerm(d) || containsDate(c.Holidays, d) {
		return false
	}
	wd := d.Weekday()
	weekend := wd == time.Saturday || wd == time.Sunday
	if c.National {
		t := c.holidayTable()
		if _, off := t.Off(d); off {
			return false
		}
		if _, work := t.Workday(d); work && weekend {
			return true
		}
	}
	if weekend {
		return containsDate(c.Workdays, d)
	}
	return true
}

// holidayTable returns the national table the calendar uses.
func (c *Calendar) holidayTable() *HolidayTable {
	if c.table != nil {
		return c.table
	}
	return NationalHolidays()
}

// Until returns the last date the calendar can answer for: the end of its
// last term or, with National, the end of the national holiday data from
// the year of its first term on, whichever comes first. After it the
// calendar has no school days, or (without the next year's holidays) would
// take public holidays for school days: the calendar has run out. Zero
// when the calendar has no terms.
func (c *Calendar) Until() Date {
	if len(c.Terms) == 0 {
		return Date{}
	}
	first, last := c.Terms[0].Start, c.Terms[0].End
	for _, t := range c.Terms[1:] {
		if t.Start.Before(first) {
			first = t.Start
		}
		if last.Before(t.End) {
			last = t.End
		}
	}
	if c.National {
		if cov := c.holidayTable().CoveredUntil(first.Year); cov.Before(last) {
			return cov
		}
	}
	return last
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

// IsSchoolDay reports whether t is, in Asia/Shanghai, a school day of the
// school: a school day of its calendar on which no closure (停课) names it
// or its region. It is false when the school has no calendar (set up by
// Registry.Index).
func (s *School) IsSchoolDay(t time.Time) bool {
	return s.IsSchoolDate(DateOf(t.In(shanghai)))
}

// IsSchoolDate is IsSchoolDay for a civil date.
func (s *School) IsSchoolDate(d Date) bool {
	if s.calendar == nil || !s.calendar.IsSchoolDate(d) {
		return false
	}
	_, closed := s.ClosureOn(d)
	return !closed
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
