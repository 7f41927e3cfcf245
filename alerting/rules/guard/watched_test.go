package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// Regression (issue 8): only one post per school was watched; every post
// with a minimum staffing is.
func TestEveryPostWithMinimumStaffingIsWatched(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	twoPosts := func(s *devices.School) {
		s.Posts[2].MinStaff = 3 // north gate: 3 people at each peak
		s.Windows.Peaks = s.Windows.Peaks[3:]
	}
	h := newHarness(t, mon(15, 0), twoPosts)
	h.AdvanceTo(mon(15, 45))
	in(h, "g3", devices.PostMainGate, "guard")
	in(h, "t1", devices.PostMainGate, "teacher")
	in(h, "g4", "north-gate", "guard")
	in(h, "t2", "north-gate", "teacher")
	h.AdvanceTo(mon(16, 10))
	in(h, "v1", "north-gate", "volunteer")
	h.AdvanceTo(mon(23, 0))
	expect(t, h, rules(alerting.PostUnstaffed, alerting.PostUnderstaffed, alerting.PostLeftEarly), []want{
		fire(alerting.PostUnderstaffed, "north-gate@16:00", mon(16, 0), alerting.P1),
		resolve(alerting.PostUnderstaffed, "north-gate@16:00", mon(16, 10)),
	})
	if f := h.Fired(alerting.PostUnderstaffed); len(f) == 1 && !strings.Contains(f[0].MessageZH, "北门") {
		t.Errorf("message names the post by its name: %q", f[0].MessageZH)
	}

	// Nobody at either: each post fires under its own subject.
	h = newHarness(t, mon(15, 0), twoPosts)
	h.AdvanceTo(mon(16, 0))
	expect(t, h, rules(alerting.PostUnstaffed), []want{
		fire(alerting.PostUnstaffed, "main-gate@16:00", mon(15, 50), alerting.P1),
		fire(alerting.PostUnstaffed, "north-gate@16:00", mon(15, 50), alerting.P1),
	})
}

func TestWatchedPostsWithoutMainGate(t *testing.T) {
	// A school whose only post besides the guard room is not the main
	// gate: that post is its protection post (post_min_staff people).
	h := newHarness(t, at(5, 11, 15, 0), func(s *devices.School) {
		s.Posts = []devices.Post{{ID: devices.PostGuardroom}, {ID: "east-gate", Name: "东门"}}
		s.Devices[1].Post = "east-gate"
	})
	h.AdvanceTo(at(5, 11, 15, 50))
	expect(t, h, rules(alerting.PostUnstaffed), []want{
		fire(alerting.PostUnstaffed, "east-gate@16:00", at(5, 11, 15, 50), alerting.P1),
	})
}
