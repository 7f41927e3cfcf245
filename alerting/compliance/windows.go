package compliance

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// School hours when a school has no gate windows (rules convention), and
// the permitted gate opening then (assumed: the same).
var (
	defaultDayStart = devices.Clock(7, 0)
	defaultDayEnd   = devices.Clock(18, 0)
)

// hoursOf returns the start of the school's first gate window and the end
// of its last one, or 07:00–18:00 when it has none.
func hoursOf(s *devices.School, d devices.Date) (start, end devices.ClockTime) {
	g := s.WindowsOn(d).Gate
	if len(g) == 0 {
		return defaultDayStart, defaultDayEnd
	}
	start, end = g[0].Start, g[0].End
	for _, w := range g[1:] {
		start, end = min(start, w.Start), max(end, w.End)
	}
	return start, end
}

// gateWindows returns the school's gate opening windows on d (07:00–18:00
// when it lists none), empty when d is no school day.
func gateWindows(s *devices.School, d devices.Date, schoolDay bool) []span {
	if !schoolDay {
		return nil
	}
	if len(s.WindowsOn(d).Gate) == 0 {
		return []span{{defaultDayStart.At(d), defaultDayEnd.At(d)}}
	}
	out := make([]span, 0, len(s.WindowsOn(d).Gate))
	for _, w := range s.WindowsOn(d).Gate {
		out = append(out, span{w.Start.At(d), w.End.At(d)})
	}
	return union(out)
}

// meals returns the school's meal windows, or the defaults of its type (as
// the kitchen rules do).
func meals(s *devices.School, d devices.Date) []devices.Window {
	if w := s.WindowsOn(d).Meals; len(w) > 0 {
		return w
	}
	return devices.DefaultWindows(s.Type, s.Boarders > 0).Meals
}

// operating returns the kitchen operating windows of d: lead before each
// meal until it ends, merged; empty when d is no school day.
func operating(s *devices.School, d devices.Date, schoolDay bool, lead time.Duration) []span {
	if !schoolDay {
		return nil
	}
	var out []span
	for _, m := range meals(s, d) {
		out = append(out, span{later(m.Start.At(d).Add(-lead), dayStart(d)), m.End.At(d)})
	}
	return union(out)
}
