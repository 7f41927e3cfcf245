package kitchen

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

func TestOnlineStats(t *testing.T) {
	offline := []devices.Event{status("cam-1", "offline", false)}
	tests := []struct {
		name       string
		day        int
		cam1       script
		windows    int           // windows of the day for cam-1
		bad        time.Duration // in the lunch window
		outsideBad time.Duration
	}{
		{"healthy", monday, healthy, 1, 0, 0},
		{"dark outside windows is counted, never alerted", monday,
			phase(at(monday, 14, 0), at(monday, 16, 0), offline, nil), 1, 0, 2 * time.Hour},
		{"dark 9 min in the window is counted", monday,
			phase(at(monday, 11, 0), at(monday, 11, 9), offline, nil), 1, 9 * time.Minute, 0},
		{"dark across the window start is split", monday,
			phase(at(monday, 9, 30), at(monday, 10, 30), offline, nil), 1, 40 * time.Minute, 20 * time.Minute},
		{"heartbeat loss counts from the missed deadline", monday,
			phase(at(monday, 11, 0), at(monday, 11, 30), nil, nil), 1, 29 * time.Minute, 0},
		{"weekend: no windows, dark counted outside", saturday,
			phase(at(saturday, 10, 0), at(saturday, 12, 0), offline, nil), 0, 0, 2 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at(tc.day, 0, 0))
			run(h, at(tc.day+1, 0, 0), tc.cam1)
			stats := state(h).OnlineStats(date(tc.day), h.Now())
			if len(stats) == 0 || stats[0].Device != "cam-1" {
				t.Fatalf("stats %+v", stats)
			}
			cd := stats[0]
			if len(cd.Windows) != tc.windows || cd.OutsideBad != tc.outsideBad {
				t.Fatalf("cam-1 %+v, want %d windows and %v bad outside", cd, tc.windows, tc.outsideBad)
			}
			if tc.windows > 0 {
				w := cd.Windows[0]
				if w.Watched != 190*time.Minute || w.Bad != tc.bad {
					t.Errorf("window %+v, want 3h10m watched, %v bad", w, tc.bad)
				}
				if want := 1 - tc.bad.Seconds()/(190*60); w.OnlineRate() != want {
					t.Errorf("online rate %v, want %v", w.OnlineRate(), want)
				}
			}
			if len(h.Fired(alerting.KitchenCamOffline)) > 0 && tc.bad < 10*time.Minute {
				t.Errorf("alerted:\n%s", h)
			}
		})
	}
}

// TestOnlineStatsInProgress: an open window and an ongoing lapse count up
// to now; a lapse over midnight is split between the days.
func TestOnlineStatsInProgress(t *testing.T) {
	h := newHarness(t, at(monday, 9, 0))
	run(h, at(monday, 10, 20), phase(at(monday, 10, 0), at(monday, 23, 0), []devices.Event{status("cam-1", "offline", false)}, nil))
	w := state(h).OnlineStats(date(monday), at(monday, 10, 20))[0].Windows[0]
	if w.Watched != 30*time.Minute || w.Bad != 20*time.Minute || w.End != at(monday, 13, 0) {
		t.Fatalf("open window %+v, want 30m watched, 20m bad", w)
	}

	h = newHarness(t, at(monday, 20, 0))
	run(h, at(monday+1, 2, 0), phase(at(monday, 22, 0), at(monday+2, 0, 0), []devices.Event{status("cam-1", "offline", false)}, nil))
	mon := state(h).OnlineStats(date(monday), h.Now())[0]
	tue := state(h).OnlineStats(date(monday+1), h.Now())[0]
	if mon.OutsideBad != 2*time.Hour || tue.OutsideBad != 2*time.Hour || len(tue.Windows) != 0 {
		t.Fatalf("monday %+v tuesday %+v, want 2h bad each", mon, tue)
	}
	run(h, at(monday+1, 11, 0), phase(at(monday, 22, 0), at(monday+2, 0, 0), nil, nil))
	tue = state(h).OnlineStats(date(monday+1), h.Now())[0]
	if tue.OutsideBad != 9*time.Hour+50*time.Minute || len(tue.Windows) != 1 || tue.Windows[0].Bad != 70*time.Minute {
		t.Fatalf("tuesday %+v", tue)
	}
}

// TestOnlineStatsKeepsDays: old days are dropped after StatsDays.
func TestOnlineStatsKeepsDays(t *testing.T) {
	h := newHarness(t, at(monday, 0, 0))
	h.Advance(40 * 24 * time.Hour) // silent cameras: a record every day
	s := state(h)
	if len(s.OnlineStats(date(monday), h.Now())) != 0 {
		t.Errorf("day 40 days ago still kept")
	}
	if len(s.days) > StatsDays {
		t.Errorf("%d days kept, want at most %d", len(s.days), StatsDays)
	}
	last := devices.DateOf(h.Now().In(loc)).AddDays(-1)
	if st := s.OnlineStats(last, h.Now()); len(st) != 2 || st[0].OutsideBad == 0 {
		t.Errorf("yesterday %+v", st)
	}
}
