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

// protectionPost returns the post staffed at peaks: the school's only post
// besides the guard room when it has exactly one, else the main gate (as
// the guard rules do).
func protectionPost(s *devices.School) string {
	only, n := "", 0
	for i := range s.Posts {
		if s.Posts[i].ID != devices.PostGuardroom {
			only = s.Posts[i].ID
			n++
		}
	}
	if n == 1 {
		return only
	}
	return devices.PostMainGate
}

// postNeed returns the people required at post during a peak: the larger
// of the rule parameter (PostMinStaff, default 2) and the post's own
// minimum.
func postNeed(s *devices.School, minStaff int, post string) int {
	n := minStaff
	for i := range s.Posts {
		if s.Posts[i].ID == post {
			n = max(n, s.Posts[i].MinStaff)
		}
	}
	return max(n, 1)
}

// postName is how details name a post.
func postName(s *devices.School, post string) string {
	for i := range s.Posts {
		if s.Posts[i].ID == post && s.Posts[i].Name != "" {
			return s.Posts[i].Name
		}
	}
	return post
}

// roomWatched reports whether the school has a guard room to watch: it
// lists one, or lists no posts at all (as the guard rules do).
func roomWatched(s *devices.School) bool {
	return len(s.Posts) == 0 || s.HasPost(devices.PostGuardroom)
}
