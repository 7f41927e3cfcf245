package alarmtest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

func newStore(t *testing.T, path string, clk *fakeClock) *Store {
	t.Helper()
	reg := testRegistry(t)
	s, err := Open(Options{Path: path, Registry: func() *devices.Registry { return reg }, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestAddLimits(t *testing.T) {
	now := at(11, 30, 10, 0)
	clk := &fakeClock{t: now}
	tests := []struct {
		name string
		w    Window
		want string // "" accepted, else in the error
	}{
		{"every terminal of the school", Window{School: "s1", Start: now.Add(time.Hour), End: now.Add(90 * time.Minute)}, ""},
		{"one terminal", Window{School: "s1", Device: "a1", Start: now, End: now.Add(2 * time.Hour)}, ""},
		{"start 50 s ago (a slow form)", Window{School: "s1", Start: now.Add(-50 * time.Second), End: now.Add(time.Hour)}, ""},
		{"89 days ahead", Window{School: "s1", Start: now.Add(89 * 24 * time.Hour), End: now.Add(89*24*time.Hour + time.Hour)}, ""},
		{"unknown school", Window{School: "s9", Start: now, End: now.Add(time.Hour)}, `unknown school "s9"`},
		{"a gate is not an alarm terminal", Window{School: "s1", Device: "g1", Start: now, End: now.Add(time.Hour)}, "not an alarm terminal"},
		{"another school's terminal", Window{School: "s2", Device: "a1", Start: now, End: now.Add(time.Hour)}, "not an alarm terminal"},
		{"school without terminals", Window{School: "s2", Start: now, End: now.Add(time.Hour)}, "has no alarm terminal"},
		{"longer than 2 h", Window{School: "s1", Start: now, End: now.Add(2*time.Hour + time.Second)}, "longer than 2h"},
		{"end before start", Window{School: "s1", Start: now.Add(time.Hour), End: now}, "is not after start"},
		{"empty", Window{School: "s1"}, "start and end are required"},
		{"in the past", Window{School: "s1", Start: now.Add(-2 * time.Minute), End: now.Add(time.Hour)}, "in the past"},
		{"91 days ahead", Window{School: "s1", Start: now.Add(91 * 24 * time.Hour), End: now.Add(91*24*time.Hour + time.Hour)}, "ahead"},
		{"long note", Window{School: "s1", Start: now, End: now.Add(time.Hour), Note: strings.Repeat("测", 501)}, "note longer"},
		{"control characters", Window{School: "s1", Start: now, End: now.Add(time.Hour), Note: "a\x07b"}, "control characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, "", clk)
			got, err := s.Add(tc.w)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				if !strings.HasPrefix(got.ID, "at-") || !got.CreatedAt.Equal(now) {
					t.Errorf("stored %+v", got)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Add error = %v, want ErrInvalid with %q", err, tc.want)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	clk := &fakeClock{t: at(11, 30, 10, 0)}
	s := newStore(t, "", clk)
	if _, err := s.Add(Window{School: "s1", Device: "a1", Start: at(11, 30, 10, 0), End: at(11, 30, 10, 30)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, school, device string
		t                    time.Time
		want                 bool
	}{
		{"registered, its terminal", "s1", "a1", at(11, 30, 10, 10), true},
		{"registered, another terminal", "s1", "a2", at(11, 30, 10, 10), false},
		{"registered, after the end", "s1", "a1", at(11, 30, 10, 30), false},
		{"another school", "s2", "a1", at(11, 30, 10, 10), false},
		{"registry schedule (15th 09:00-09:30, a2)", "s1", "a2", at(12, 15, 9, 10), true},
		{"registry schedule, another terminal", "s1", "a1", at(12, 15, 9, 10), false},
	} {
		if got := s.Covers(tc.school, tc.device, tc.t); got != tc.want {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPersisted: windows survive a reopen, a cancelled one stays gone.
func TestPersisted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alarmtests.db")
	clk := &fakeClock{t: at(11, 30, 10, 0)}
	s := newStore(t, path, clk)
	keep, err := s.Add(Window{School: "s1", Start: at(12, 1, 9, 0), End: at(12, 1, 9, 30), Note: "月度测试", CreatedBy: "school-s1"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.Add(Window{School: "s1", Device: "a1", Start: at(12, 2, 9, 0), End: at(12, 2, 9, 30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := newStore(t, path, clk)
	got, ok := s2.Get(keep.ID)
	if !ok || got.Note != "月度测试" || got.CreatedBy != "school-s1" || !got.Start.Equal(keep.Start) || !got.End.Equal(keep.End) {
		t.Fatalf("after reopen Get(%s) = %+v, %v", keep.ID, got, ok)
	}
	if _, ok := s2.Get(gone.ID); ok {
		t.Error("cancelled window back after reopen")
	}
	if !s2.Covers("s1", "a1", at(12, 1, 9, 10)) {
		t.Error("reopened store does not cover the registered window")
	}
}

func TestDelete(t *testing.T) {
	clk := &fakeClock{t: at(11, 30, 10, 0)}
	s := newStore(t, "", clk)
	w, err := s.Add(Window{School: "s1", Start: at(11, 30, 10, 0), End: at(11, 30, 10, 30)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete("at-nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete unknown = %v, want ErrNotFound", err)
	}
	clk.Set(at(11, 30, 10, 30))
	if _, err := s.Delete(w.ID); !errors.Is(err, ErrEnded) {
		t.Errorf("Delete of an ended window = %v, want ErrEnded", err)
	}
	clk.Set(at(11, 30, 10, 10))
	if _, err := s.Delete(w.ID); err != nil {
		t.Fatalf("Delete of an open window: %v", err)
	}
	if s.Covers("s1", "a1", at(11, 30, 10, 15)) {
		t.Error("a cancelled window still covers")
	}
}

func TestListAndPrune(t *testing.T) {
	clk := &fakeClock{t: at(11, 30, 10, 0)}
	s := newStore(t, "", clk)
	old, _ := s.Add(Window{School: "s1", Start: at(11, 30, 10, 0), End: at(11, 30, 10, 30)})
	later, _ := s.Add(Window{School: "s1", Start: at(11, 30, 14, 0), End: at(11, 30, 14, 30)})
	all := s.List(Filter{Schools: []string{"s1"}})
	// two registered, plus the schedule in November (15th, past) and December.
	var ids []string
	scheduled := 0
	for _, w := range all {
		if w.Scheduled {
			scheduled++
			continue
		}
		ids = append(ids, w.ID)
	}
	if len(ids) != 2 || ids[0] != old.ID || ids[1] != later.ID || scheduled != 2 {
		t.Fatalf("List = %+v", all)
	}
	if got := s.List(Filter{Schools: []string{"s2"}}); len(got) != 0 {
		t.Errorf("List s2 = %+v", got)
	}
	active := s.List(Filter{ActiveAt: at(11, 30, 10, 5)})
	if len(active) != 1 || active[0].ID != old.ID {
		t.Errorf("active = %+v", active)
	}
	// 31 days later, the first two have ended more than KeepEnded ago.
	clk.Set(at(12, 31, 10, 0))
	if _, err := s.Add(Window{School: "s1", Start: at(12, 31, 10, 0), End: at(12, 31, 10, 30)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(old.ID); ok {
		t.Error("a window ended 31 days ago is kept")
	}
}

func TestPerSchoolBound(t *testing.T) {
	clk := &fakeClock{t: at(11, 30, 10, 0)}
	s := newStore(t, "", clk)
	for i := range DefaultLimits.PerSchool {
		start := at(12, 1, 0, 0).Add(time.Duration(i) * time.Hour)
		if _, err := s.Add(Window{School: "s1", Start: start, End: start.Add(time.Minute)}); err != nil {
			t.Fatalf("window %d: %v", i, err)
		}
	}
	if _, err := s.Add(Window{School: "s1", Start: at(12, 5, 0, 0), End: at(12, 5, 0, 1)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("window %d = %v, want ErrInvalid", DefaultLimits.PerSchool+1, err)
	}
}
