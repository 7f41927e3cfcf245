package access

import (
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/schoolhours"
	"github.com/campusguard/campusguard/devices"
)

// The shared school-hours helpers this package uses, under short names.
const searchDays = schoolhours.SearchDays

func span(d time.Duration) (zh, en string) { return schoolhours.Span(d) }
func noonOf(d devices.Date) time.Time      { return schoolhours.NoonOf(d) }

// gateWindowAt reports whether t lies in one of the school's gate windows
// on a school day, and when that window ends (the latest end when windows
// overlap).
func gateWindowAt(c engine.Ctx, t time.Time) (end time.Time, ok bool) {
	if !c.SchoolDay(t) {
		return time.Time{}, false
	}
	d := devices.DateOf(t.In(devices.Location()))
	for _, w := range c.School().WindowsOn(d).Gate {
		s, e := w.Start.At(d), w.End.At(d)
		if !t.Before(s) && t.Before(e) && e.After(end) {
			end, ok = e, true
		}
	}
	return end, ok
}

// lastWindowEnd returns the latest end of a gate window on a school day at
// or before t (looking at t's day and the day before).
func lastWindowEnd(c engine.Ctx, t time.Time) (last time.Time, ok bool) {
	today := devices.DateOf(t.In(devices.Location()))
	for _, d := range [2]devices.Date{today.AddDays(-1), today} {
		if !c.SchoolDay(noonOf(d)) {
			continue
		}
		for _, w := range c.School().WindowsOn(d).Gate {
			if e := w.End.At(d); !e.After(t) && e.After(last) {
				last, ok = e, true
			}
		}
	}
	return last, ok
}

// nextWindowStart returns the first start of a gate window after t on a
// school day, or false when there is none within searchDays.
func nextWindowStart(c engine.Ctx, t time.Time) (time.Time, bool) {
	gates := c.School().Windows.Gate
	if len(gates) == 0 {
		return time.Time{}, false
	}
	d := devices.DateOf(t.In(devices.Location()))
	for i := 0; i <= searchDays; i++ {
		day := d.AddDays(i)
		if !c.SchoolDay(noonOf(day)) {
			continue
		}
		var best time.Time
		for _, w := range c.School().WindowsOn(day).Gate {
			if s := w.Start.At(day); s.After(t) && (best.IsZero() || s.Before(best)) {
				best = s
			}
		}
		if !best.IsZero() {
			return best, true
		}
	}
	return time.Time{}, false
}
