// Package schoolhours owns the time helpers the rule modules share: a
// school's hours (its first gate window's start to its last one's end,
// 07:00–18:00 without gate windows), the next clock time on a school day,
// and how a duration reads in a message.
package schoolhours

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// School hours when a school has no gate windows (rules-common convention).
var (
	defaultDayStart = devices.Clock(7, 0)
	defaultDayEnd   = devices.Clock(18, 0)
)

// SearchDays bounds the look-ahead for the next school day (a summer break
// is well under it).
const SearchDays = 400

// DayBounds returns the start of the school's first gate window and the end
// of its last one, or 07:00–18:00 when it has none.
func DayBounds(s *devices.School) (start, end devices.ClockTime) { return gateBounds(s.Windows.Gate) }

// DayBoundsOn is DayBounds with the windows in force on d (a seasonal
// timetable, School.WindowsOn).
func DayBoundsOn(s *devices.School, d devices.Date) (start, end devices.ClockTime) {
	return gateBounds(s.WindowsOn(d).Gate)
}

func gateBounds(g []devices.Window) (start, end devices.ClockTime) {
	if len(g) == 0 {
		return defaultDayStart, defaultDayEnd
	}
	start, end = g[0].Start, g[0].End
	for _, w := range g[1:] {
		start, end = min(start, w.Start), max(end, w.End)
	}
	return start, end
}

// InSchoolHours reports whether t lies in school hours: a school day
// between the start of the first gate window and the end of the last.
func InSchoolHours(c engine.Ctx, t time.Time) bool {
	if !c.SchoolDay(t) {
		return false
	}
	d := devices.DateOf(t.In(devices.Location()))
	start, end := DayBoundsOn(c.School(), d)
	return !t.Before(start.At(d)) && t.Before(end.At(d))
}

// NextOnSchoolDay returns the first instant after t at clock time ct on a
// school day, or false when there is none within SearchDays.
func NextOnSchoolDay(c engine.Ctx, t time.Time, ct devices.ClockTime) (time.Time, bool) {
	d := devices.DateOf(t.In(devices.Location()))
	for i := 0; i <= SearchDays; i++ {
		day := d.AddDays(i)
		at := ct.At(day)
		if at.After(t) && c.SchoolDay(NoonOf(day)) {
			return at, true
		}
	}
	return time.Time{}, false
}

// Span renders a duration for messages: seconds under 2 minutes, minutes
// under 2 hours, hours under 2 days, days beyond.
func Span(d time.Duration) (zh, en string) {
	switch {
	case d < 2*time.Minute:
		n := int(d / time.Second)
		return fmt.Sprintf("%d 秒", n), fmt.Sprintf("%d s", n)
	case d < 2*time.Hour:
		n := int(d / time.Minute)
		return fmt.Sprintf("%d 分钟", n), fmt.Sprintf("%d min", n)
	case d < 48*time.Hour:
		n := int(d / time.Hour)
		return fmt.Sprintf("%d 小时", n), fmt.Sprintf("%d h", n)
	}
	n := int(d / (24 * time.Hour))
	return fmt.Sprintf("%d 天", n), fmt.Sprintf("%d days", n)
}

// NoonOf returns midday of date d, for asking the calendar about d.
func NoonOf(d devices.Date) time.Time { return d.In(devices.Location()).Add(12 * time.Hour) }
