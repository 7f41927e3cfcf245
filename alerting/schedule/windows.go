package schedule

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Window is one peak window of a date at one protection post.
type Window struct {
	Post    string
	Subject string // "<post>@HH:MM", the alerts' subject
	Need    int    // people required during the window
	Start   time.Time
	End     time.Time
	// LeadFrom is Start − Lead: only a check-in at or after it counts for
	// the window.
	LeadFrom time.Time
	// AlertAt is Start − AlertBefore: nobody counting by then is
	// post_unstaffed.
	AlertAt time.Time
}

// WatchedPost is a post staffed at every peak and the people it needs.
type WatchedPost struct {
	ID   string
	Need int
}

// WatchedPosts returns the posts watched at peaks, in registry order:
//
//   - every post other than the guard room with a minimum staffing
//     (min_staff > 0) needs that many people;
//   - the main gate needs at least p.MinStaff (post_min_staff), whatever
//     its min_staff;
//   - a school that lists no main gate and no post with a minimum
//     staffing has its only post besides the guard room watched as its
//     protection post (p.MinStaff), or else the main gate (a school that
//     lists no posts at all has the default ones).
func (p Params) WatchedPosts(s *devices.School) []WatchedPost {
	var out []WatchedPost
	other, others := "", 0
	for i := range s.Posts {
		po := &s.Posts[i]
		if po.ID == devices.PostGuardroom {
			continue
		}
		other = po.ID
		others++
		switch {
		case po.ID == devices.PostMainGate:
			out = append(out, WatchedPost{po.ID, max(p.MinStaff, po.MinStaff, 1)})
		case po.MinStaff > 0:
			out = append(out, WatchedPost{po.ID, po.MinStaff})
		}
	}
	if len(out) > 0 {
		return out
	}
	if others == 1 {
		return []WatchedPost{{other, max(p.MinStaff, 1)}}
	}
	return []WatchedPost{{devices.PostMainGate, max(p.MinStaff, 1)}}
}

// Peaks returns the school's peak windows on d (its seasonal timetable
// then its own windows), or the defaults of its type.
func Peaks(s *devices.School, d devices.Date) []devices.Window {
	if w := s.WindowsOn(d).Peaks; len(w) > 0 {
		return w
	}
	return devices.DefaultWindows(s.Type, s.Boarders > 0).Peaks
}

// Windows returns the protection-post windows of date d: every peak at
// every watched post (post by post, peaks in order). It returns nothing
// when d is no school day (schoolDay is the calendar's verdict).
func (p Params) Windows(s *devices.School, d devices.Date, schoolDay bool) []Window {
	if !schoolDay {
		return nil
	}
	posts := p.WatchedPosts(s)
	pk := Peaks(s, d)
	out := make([]Window, 0, len(posts)*len(pk))
	for _, po := range posts {
		for _, pw := range pk {
			start := pw.Start.At(d)
			out = append(out, Window{
				Post:     po.ID,
				Subject:  po.ID + "@" + pw.Start.String(),
				Need:     po.Need,
				Start:    start,
				End:      pw.End.At(d),
				LeadFrom: start.Add(-p.Lead),
				AlertAt:  start.Add(-p.AlertBefore),
			})
		}
	}
	return out
}

// PostName is how messages and details name a post.
func PostName(s *devices.School, post string) string {
	for i := range s.Posts {
		if s.Posts[i].ID == post && s.Posts[i].Name != "" {
			return s.Posts[i].Name
		}
	}
	return post
}

// RoomWatched reports whether the school has a guard room to watch
// (guardroom_unmanned): it lists one, or lists no posts at all (every
// school has one by default).
func RoomWatched(s *devices.School) bool {
	return len(s.Posts) == 0 || s.HasPost(devices.PostGuardroom)
}
