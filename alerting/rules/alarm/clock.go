package alarm

import (
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/schoolhours"
	"github.com/campusguard/campusguard/devices"
)

// The shared school-hours helpers, under this package's short names.
const searchDays = schoolhours.SearchDays

func dayBounds(s *devices.School) (start, end devices.ClockTime) { return schoolhours.DayBounds(s) }
func inSchoolHours(c engine.Ctx, t time.Time) bool               { return schoolhours.InSchoolHours(c, t) }
func nextOnSchoolDay(c engine.Ctx, t time.Time, ct devices.ClockTime) (time.Time, bool) {
	return schoolhours.NextOnSchoolDay(c, t, ct)
}
func span(d time.Duration) (zh, en string) { return schoolhours.Span(d) }
func noonOf(d devices.Date) time.Time      { return schoolhours.NoonOf(d) }
