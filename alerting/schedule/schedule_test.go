package schedule

import (
	"slices"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/devices"
)

var mon = devices.Date{Year: 2026, Month: time.November, Day: 30}

func at(hh, mm int) time.Time { return devices.Clock(hh, mm).At(mon) }

func params() Params { p := config.Defaults(); return ParamsOf(&p) }

func TestDefaults(t *testing.T) {
	p := params()
	if p.Lead != 20*time.Minute || p.AlertBefore != 10*time.Minute || p.MinStaff != 2 || p.MaxAge != 16*time.Hour ||
		p.HandoverGap != 5*time.Minute || p.LicenseWarnBefore != 30*24*time.Hour {
		t.Errorf("defaults: %+v", p)
	}
}

func TestWatchedPosts(t *testing.T) {
	p := params()
	room := devices.Post{ID: devices.PostGuardroom, MinStaff: 1}
	tests := []struct {
		name  string
		posts []devices.Post
		want  []WatchedPost
	}{
		{"no posts listed: the main gate", nil, []WatchedPost{{devices.PostMainGate, 2}}},
		{"the defaults", devices.DefaultPosts(), []WatchedPost{{devices.PostMainGate, 2}}},
		{"main gate below the parameter", []devices.Post{room, {ID: devices.PostMainGate, MinStaff: 1}}, []WatchedPost{{devices.PostMainGate, 2}}},
		{"main gate above it", []devices.Post{{ID: devices.PostMainGate, MinStaff: 3}}, []WatchedPost{{devices.PostMainGate, 3}}},
		{"every post with a minimum", []devices.Post{room, {ID: devices.PostMainGate}, {ID: "north", MinStaff: 1}, {ID: "east"}},
			[]WatchedPost{{devices.PostMainGate, 2}, {"north", 1}}},
		{"a side post alone with a minimum", []devices.Post{room, {ID: "north", MinStaff: 3}, {ID: "east"}}, []WatchedPost{{"north", 3}}},
		{"the only post besides the guard room", []devices.Post{room, {ID: "east"}}, []WatchedPost{{"east", 2}}},
		{"several posts, none with a minimum", []devices.Post{room, {ID: "east"}, {ID: "west"}}, []WatchedPost{{devices.PostMainGate, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.WatchedPosts(&devices.School{Posts: tt.posts}); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	p := params()
	s := &devices.School{Type: devices.SchoolKindergarten, Posts: []devices.Post{{ID: devices.PostMainGate}, {ID: "north", MinStaff: 1}}}
	if ws := p.Windows(s, mon, false); len(ws) != 0 {
		t.Errorf("no school day: %v", ws)
	}
	ws := p.Windows(s, mon, true)
	if len(ws) != 4 {
		t.Fatalf("windows: %+v", ws)
	}
	w := ws[1] // main gate, 16:30-17:45
	if w.Subject != "main-gate@16:30" || w.Need != 2 || !w.Start.Equal(at(16, 30)) || !w.End.Equal(at(17, 45)) ||
		!w.LeadFrom.Equal(at(16, 10)) || !w.AlertAt.Equal(at(16, 20)) {
		t.Errorf("window: %+v", w)
	}
	if ws[2].Subject != "north@07:30" || ws[2].Need != 1 {
		t.Errorf("north window: %+v", ws[2])
	}
}

func TestStaffAt(t *testing.T) {
	p := params()
	w := Window{Post: "main-gate", Need: 2, Start: at(16, 30), End: at(17, 45), LeadFrom: at(16, 10)}
	tests := []struct {
		name string
		s    Stay
		t    time.Time
		want int
	}{
		{"stale 06:45 check-in, no check-out", Stay{Post: "main-gate", In: at(6, 45)}, at(16, 30), 0},
		{"in the lead time", Stay{Post: "main-gate", In: at(16, 10)}, at(16, 30), 1},
		{"a minute before the lead time", Stay{Post: "main-gate", In: at(16, 9)}, at(16, 30), 0},
		{"late, counted from its check-in", Stay{Post: "main-gate", In: at(16, 40)}, at(16, 40), 1},
		{"late, not before it", Stay{Post: "main-gate", In: at(16, 40)}, at(16, 39), 0},
		{"checked out", Stay{Post: "main-gate", In: at(16, 15), Out: at(17, 0)}, at(17, 0), 0},
		{"another post", Stay{Post: "north", In: at(16, 15)}, at(16, 30), 0},
		{"after the window ends", Stay{Post: "main-gate", In: at(17, 45)}, at(17, 50), 0},
	}
	for _, tt := range tests {
		if got := p.StaffAt(&w, []Stay{tt.s}, tt.t); got != tt.want {
			t.Errorf("%s: StaffAt = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestEndAndMaxAge(t *testing.T) {
	p := params()
	s := Stay{In: at(6, 0)}
	if !p.End(&s).Equal(at(22, 0)) || p.PresentAt(&s, at(22, 0)) || !p.PresentAt(&s, at(21, 59)) {
		t.Errorf("open stay ends at %s", p.End(&s))
	}
	s.Out = at(7, 0)
	if !p.End(&s).Equal(at(7, 0)) {
		t.Errorf("closed stay ends at %s", p.End(&s))
	}
	p.MaxAge = 30 * time.Minute
	if !p.End(&s).Equal(at(6, 30)) {
		t.Errorf("max age before the check-out: ends at %s", p.End(&s))
	}
}

func TestLicensed(t *testing.T) {
	s := &devices.School{Guards: []devices.Guard{{ID: "a"}, {ID: "b", LicenseExpires: mon}}}
	if !Licensed(s, "a", mon) || !Licensed(s, "b", mon) || Licensed(s, "b", mon.AddDays(1)) || Licensed(s, "x", mon) {
		t.Error("Licensed")
	}
	if RosterKnown(&devices.School{}) || !RosterKnown(s) {
		t.Error("RosterKnown")
	}
	p := params()
	stays := []Stay{
		{Person: "a", Post: "guardroom", Role: RoleGuard, In: at(6, 0)},
		{Person: "a", Post: "main-gate", Role: RoleGuard, In: at(6, 0)}, // the same guard twice
		{Person: "b", Post: "guardroom", Role: RoleGuard, In: at(6, 0)},
		{Person: "x", Post: "guardroom", Role: RoleGuard, In: at(6, 0)}, // not on the roster
		{Person: "a2", Post: "guardroom", Role: "teacher", In: at(6, 0)},
	}
	if n := p.LicensedOnDuty(s, stays, at(10, 0)); n != 2 {
		t.Errorf("LicensedOnDuty = %d, want 2", n)
	}
}

func TestJudgeGuards(t *testing.T) {
	p := params()
	p.MaxAge = 24 * time.Hour // the stays below span the day
	s := &devices.School{Guards: []devices.Guard{{ID: "a"}, {ID: "b"}}}
	both := func(out, back time.Time) []Stay {
		return []Stay{
			{Person: "a", Post: "guardroom", Role: RoleGuard, In: at(0, 0)},
			{Person: "b", Post: "guardroom", Role: RoleGuard, In: at(0, 0), Out: out},
			{Person: "b", Post: "guardroom", Role: RoleGuard, In: back},
		}
	}
	from, to := at(7, 20), at(18, 0)
	tests := []struct {
		name      string
		out, back time.Time
		lapse     time.Time
		least     int
	}{
		{"one-minute handover", at(10, 0), at(10, 1), time.Time{}, 1},
		{"exactly the gap", at(10, 0), at(10, 5), time.Time{}, 1},
		{"past the gap", at(10, 0), at(10, 6), at(10, 5), 1},
		{"short before the check point, back within the gap", at(7, 17), at(7, 21), time.Time{}, 1},
		{"short before the check point, past the gap", at(7, 10), at(7, 30), at(7, 20), 1},
		{"after the day's end", at(18, 0), at(19, 0), time.Time{}, 2},
	}
	for _, tt := range tests {
		v := p.JudgeGuards(s, both(tt.out, tt.back), 2, at(0, 0), from, to)
		if !v.LapseAt.Equal(tt.lapse) || v.Least != tt.least {
			t.Errorf("%s: lapse %s least %d, want %s %d", tt.name, v.LapseAt, v.Least, tt.lapse, tt.least)
		}
	}
	if at := p.LapseAt(at(10, 0), at(7, 20)); !at.Equal(devices.Clock(10, 5).At(mon)) {
		t.Errorf("LapseAt = %s", at)
	}
}

func TestJudgeWindow(t *testing.T) {
	p := params()
	w := Window{Post: "main-gate", Need: 2, Start: at(16, 0), End: at(17, 50), LeadFrom: at(15, 40)}
	in := func(who string, t time.Time) Stay { return Stay{Person: who, Post: "main-gate", In: t} }
	tests := []struct {
		name    string
		stays   []Stay
		upTo    time.Time
		staffed bool
		started bool
		short   time.Time
	}{
		{"two in the lead time", []Stay{in("a", at(15, 40)), in("b", at(15, 50))}, at(18, 0), true, true, time.Time{}},
		{"stale", []Stay{in("a", at(6, 45)), in("b", at(6, 45))}, at(18, 0), false, true, at(16, 0)},
		{"second late", []Stay{in("a", at(15, 40)), in("b", at(16, 30))}, at(18, 0), false, true, at(16, 0)},
		{"one leaves early", []Stay{in("a", at(15, 40)), {Person: "b", Post: "main-gate", In: at(15, 45), Out: at(17, 0)}},
			at(18, 0), false, true, at(17, 0)},
		{"not begun", nil, at(16, 0), false, false, time.Time{}},
		{"running, fine so far", []Stay{in("a", at(15, 40)), in("b", at(15, 50))}, at(16, 30), true, true, time.Time{}},
	}
	for _, tt := range tests {
		v := p.JudgeWindow(&w, tt.stays, tt.upTo)
		if v.Staffed() != tt.staffed || v.Started != tt.started || !v.ShortAt.Equal(tt.short) {
			t.Errorf("%s: %+v, want staffed %v started %v short %s", tt.name, v, tt.staffed, tt.started, tt.short)
		}
	}
}
