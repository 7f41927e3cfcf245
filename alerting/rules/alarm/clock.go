package alarm

import (
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/schoolhours"
	"github.com/campusguard/campusguard/devices"
)

// The shared school-hours helpers this package uses, under short names.
func nextOnSchoolDay(c engine.Ctx, t time.Time, ct devices.ClockTime) (time.Time, bool) {
	return schoolhours.NextOnSchoolDay(c, t, ct)
}
func span(d time.Duration) (zh, en string) { return schoolhours.Span(d) }
