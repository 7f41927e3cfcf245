package deadline

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// step is one operation of a table case and what it must observe.
type step struct {
	name string // for failure messages
	do   func(t *testing.T, s *Set[string])
}

func sched(key string, d time.Duration) step {
	return step{fmt.Sprintf("schedule %s@%v", key, d), func(t *testing.T, s *Set[string]) {
		s.Schedule(key, at(d))
	}}
}

func schedAt(key string, when time.Time) step {
	return step{fmt.Sprintf("schedule %s@%v", key, when), func(t *testing.T, s *Set[string]) {
		s.Schedule(key, when)
	}}
}

func cancel(key string, want bool) step {
	return step{fmt.Sprintf("cancel %s", key), func(t *testing.T, s *Set[string]) {
		if got := s.Cancel(key); got != want {
			t.Errorf("Cancel(%q) = %v, want %v", key, got, want)
		}
	}}
}

// pop runs PopDue(at(now)) and wants the fired keys, as "key@offset".
func pop(now time.Duration, want ...string) step {
	return popAt(at(now), want...)
}

func popAt(now time.Time, want ...string) step {
	return step{fmt.Sprintf("pop %v", now), func(t *testing.T, s *Set[string]) {
		var got []string
		n := s.PopDue(now, func(key string, when time.Time) {
			got = append(got, key+"@"+offset(when))
		})
		if n != len(got) {
			t.Errorf("PopDue returned %d, fn called %d times", n, len(got))
		}
		if !slices.Equal(got, want) {
			t.Errorf("PopDue(%v) fired %v, want %v", now, got, want)
		}
	}}
}

// offset prints when as an offset from base, or as a date when far away.
func offset(when time.Time) string {
	d := when.Sub(base)
	if d == time.Duration(1<<63-1) || d == time.Duration(-1<<63) {
		return when.UTC().Format(time.RFC3339)
	}
	return d.String()
}

// next wants Next() to be at(d).
func next(d time.Duration) step {
	return step{fmt.Sprintf("next %v", d), func(t *testing.T, s *Set[string]) {
		got, ok := s.Next()
		if !ok || !got.Equal(at(d)) {
			t.Errorf("Next() = %v, %v, want %v", got, ok, at(d))
		}
	}}
}

func none() step {
	return step{"empty", func(t *testing.T, s *Set[string]) {
		if got, ok := s.Next(); ok {
			t.Errorf("Next() = %v, want none", got)
		}
		if s.Len() != 0 {
			t.Errorf("Len() = %d, want 0", s.Len())
		}
	}}
}

func length(want int) step {
	return step{fmt.Sprintf("len %d", want), func(t *testing.T, s *Set[string]) {
		if got := s.Len(); got != want {
			t.Errorf("Len() = %d, want %d", got, want)
		}
	}}
}

// when wants When(key) to be at(d).
func when(key string, d time.Duration) step {
	return step{fmt.Sprintf("when %s", key), func(t *testing.T, s *Set[string]) {
		got, ok := s.When(key)
		if !ok || !got.Equal(at(d)) {
			t.Errorf("When(%q) = %v, %v, want %v", key, got, ok, at(d))
		}
	}}
}

func missing(key string) step {
	return step{fmt.Sprintf("missing %s", key), func(t *testing.T, s *Set[string]) {
		if got, ok := s.When(key); ok {
			t.Errorf("When(%q) = %v, want none", key, got)
		}
	}}
}

const (
	sec    = time.Second
	minute = time.Minute
	day    = 24 * time.Hour
)

func TestSet(t *testing.T) {
	farDate := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	tests := []struct {
		name  string
		steps []step
	}{
		{"empty", []step{none(), pop(day), missing("a"), none()}},
		{"ordering", []step{
			sched("c", 30*sec), sched("a", 10*sec), sched("b", 20*sec),
			length(3), next(10 * sec),
			pop(100*sec, "a@10s", "b@20s", "c@30s"), none(),
		}},
		{"never early, due is inclusive", []step{
			sched("a", 10*sec),
			pop(10*sec - 1), when("a", 10*sec),
			pop(10*sec, "a@10s"), missing("a"),
		}},
		{"nanosecond order within one second", []step{
			sched("a", 10*sec+2), sched("b", 10*sec+1), sched("c", 10*sec),
			pop(10*sec+1, "c@10s", "b@10.000000001s"),
			next(10*sec + 2),
			pop(11*sec, "a@10.000000002s"),
		}},
		{"ties fire in scheduling order", []step{
			sched("b", 10*sec), sched("a", 10*sec), sched("c", 10*sec), sched("d", 5*sec),
			pop(10*sec, "d@5s", "b@10s", "a@10s", "c@10s"),
		}},
		{"re-scheduling the same time goes behind its ties", []step{
			sched("a", 10*sec), sched("b", 10*sec), sched("a", 10*sec), length(2),
			pop(10*sec, "b@10s", "a@10s"),
		}},
		{"move earlier", []step{
			sched("a", 10*sec), sched("b", 20*sec), sched("b", 5*sec),
			length(2), next(5 * sec), when("b", 5*sec),
			pop(100*sec, "b@5s", "a@10s"),
		}},
		{"move later", []step{
			sched("a", 10*sec), sched("b", 20*sec), sched("a", 30*sec),
			length(2), next(20 * sec), when("a", 30*sec),
			pop(25*sec, "b@20s"), pop(29 * sec),
			pop(30*sec, "a@30s"),
		}},
		{"heartbeat keeps moving the deadline", []step{
			sched("dev", 3*minute), pop(1 * minute), sched("dev", 4*minute),
			pop(2 * minute), sched("dev", 5*minute), pop(4 * minute),
			pop(5*minute, "dev@5m0s"),
		}},
		{"cancel", []step{
			sched("a", 10*sec), sched("b", 20*sec), sched("c", 15*sec),
			cancel("a", true), length(2), missing("a"), next(15 * sec),
			cancel("c", true),
			pop(100*sec, "b@20s"), none(),
		}},
		{"cancel missing", []step{
			cancel("x", false),
			sched("a", 10*sec), cancel("x", false), cancel("a", true), cancel("a", false),
			pop(100 * sec), none(),
		}},
		{"cancel after firing", []step{
			sched("a", 10*sec), pop(10*sec, "a@10s"), cancel("a", false),
		}},
		{"cancelled key can come back", []step{
			sched("a", 10*sec), cancel("a", true), sched("a", 20*sec),
			pop(15 * sec), pop(20*sec, "a@20s"),
		}},
		{"far future", []step{
			sched("week", 7*day), sched("year", 365*day), sched("soon", sec),
			schedAt("far", farDate), sched("past", -10*365*day),
			length(5), next(-10 * 365 * day),
			pop(day, "past@-87600h0m0s", "soon@1s"),
			pop(7*day - 1), pop(7*day, "week@168h0m0s"),
			pop(400*day, "year@8760h0m0s"), length(1),
			popAt(farDate.Add(-1)), popAt(farDate, "far@9999-12-31T23:59:59Z"),
			none(),
		}},
		{"zero time is due at once", []step{
			schedAt("zero", time.Time{}), sched("a", 0),
			pop(0, "zero@0001-01-01T00:00:00Z", "a@0s"),
		}},
		{"same instant in another zone ties", []step{
			sched("a", 10*sec), schedAt("b", at(5*sec).UTC()), schedAt("c", at(10*sec).UTC()),
			pop(10*sec, "b@5s", "a@10s", "c@10s"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New[string]()
			for i, st := range tt.steps {
				st.do(t, s)
				if t.Failed() {
					t.Fatalf("at step %d (%s)", i, st.name)
				}
				s.check(t)
			}
		})
	}
}

// TestPopDueCallback covers callbacks that schedule and cancel while
// PopDue runs. Every case starts from a, b, c, d due at 10, 20, 30, 40 s
// and pops at 30 s.
func TestPopDueCallback(t *testing.T) {
	tests := []struct {
		name string
		// cb runs for each fired key; n counts calls so far (from 1).
		cb       func(s *Set[string], key string, n int)
		want     []string // fired, in order
		wantLeft []string // key@offset still scheduled, by time
	}{
		{
			name:     "nothing",
			cb:       func(*Set[string], string, int) {},
			want:     []string{"a@10s", "b@20s", "c@30s"},
			wantLeft: []string{"d@40s"},
		},
		{
			name: "re-schedule same key later than now waits",
			cb: func(s *Set[string], key string, _ int) {
				if key == "a" {
					s.Schedule("a", at(35*sec))
				}
			},
			want:     []string{"a@10s", "b@20s", "c@30s"},
			wantLeft: []string{"a@35s", "d@40s"},
		},
		{
			name: "re-schedule same key at or before now fires again in time order",
			cb: func(s *Set[string], key string, n int) {
				if key == "a" && n == 1 {
					s.Schedule("a", at(25*sec))
				}
			},
			want:     []string{"a@10s", "b@20s", "a@25s", "c@30s"},
			wantLeft: []string{"d@40s"},
		},
		{
			name: "re-schedule exactly now goes behind due ties",
			cb: func(s *Set[string], key string, n int) {
				if key == "a" && n == 1 {
					s.Schedule("a", at(30*sec))
				}
			},
			want:     []string{"a@10s", "b@20s", "c@30s", "a@30s"},
			wantLeft: []string{"d@40s"},
		},
		{
			name: "re-schedule before the current deadline fires next",
			cb: func(s *Set[string], key string, n int) {
				if key == "b" && n == 2 {
					s.Schedule("b", at(5*sec))
				}
			},
			want:     []string{"a@10s", "b@20s", "b@5s", "c@30s"},
			wantLeft: []string{"d@40s"},
		},
		{
			name: "fired key is gone while its callback runs",
			cb: func(s *Set[string], key string, _ int) {
				if _, ok := s.When(key); ok {
					panic("fired key still scheduled")
				}
				if s.Cancel(key) {
					panic("cancelled the fired key")
				}
			},
			want:     []string{"a@10s", "b@20s", "c@30s"},
			wantLeft: []string{"d@40s"},
		},
		{
			name: "cancel another due key",
			cb: func(s *Set[string], key string, _ int) {
				if key == "a" {
					s.Cancel("b")
				}
			},
			want:     []string{"a@10s", "c@30s"},
			wantLeft: []string{"d@40s"},
		},
		{
			name: "move another due key past now",
			cb: func(s *Set[string], key string, _ int) {
				if key == "a" {
					s.Schedule("c", at(50*sec))
				}
			},
			want:     []string{"a@10s", "b@20s"},
			wantLeft: []string{"d@40s", "c@50s"},
		},
		{
			name: "move a later key into the due range",
			cb: func(s *Set[string], key string, _ int) {
				if key == "a" {
					s.Schedule("d", at(15*sec))
				}
			},
			want: []string{"a@10s", "d@15s", "b@20s", "c@30s"},
		},
		{
			name: "new keys fire in time order among due ones",
			cb: func(s *Set[string], key string, _ int) {
				switch key {
				case "a":
					s.Schedule("x", at(20*sec)) // ties with b, scheduled later
					s.Schedule("y", at(12*sec))
					s.Schedule("z", at(31*sec))
				}
			},
			want:     []string{"a@10s", "y@12s", "b@20s", "x@20s", "c@30s"},
			wantLeft: []string{"z@31s", "d@40s"},
		},
		{
			name: "chain of re-schedules stops when the callback does",
			cb: func(s *Set[string], key string, n int) {
				if key == "c" && n < 6 {
					s.Schedule("c", at(30*sec))
				}
			},
			want:     []string{"a@10s", "b@20s", "c@30s", "c@30s", "c@30s", "c@30s"},
			wantLeft: []string{"d@40s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New[string]()
			for i, k := range []string{"a", "b", "c", "d"} {
				s.Schedule(k, at(time.Duration(i+1)*10*sec))
			}
			var got []string
			n := s.PopDue(at(30*sec), func(key string, when time.Time) {
				got = append(got, key+"@"+offset(when))
				s.check(t)
				tt.cb(s, key, len(got))
			})
			s.check(t)
			if n != len(got) || !slices.Equal(got, tt.want) {
				t.Errorf("fired %d: %v, want %v", n, got, tt.want)
			}
			var left []string
			s.PopDue(at(day), func(key string, when time.Time) {
				left = append(left, key+"@"+offset(when))
			})
			if !slices.Equal(left, tt.wantLeft) {
				t.Errorf("left %v, want %v", left, tt.wantLeft)
			}
		})
	}
}

func TestTimesKeepLocationLoseMonotonic(t *testing.T) {
	s := New[string]()
	now := time.Now() // has a monotonic reading
	s.Schedule("a", now.Add(time.Minute))
	got, _ := s.When("a")
	if want := now.Add(time.Minute).Round(0); got != want {
		t.Errorf("When = %#v, want %#v", got, want)
	}
	if strings.Contains(got.String(), "m=") {
		t.Errorf("When kept the monotonic reading: %v", got)
	}
	s.Schedule("b", base)
	got, _ = s.When("b")
	if got != base || got.Location() != base.Location() {
		t.Errorf("When = %v, want %v in its zone", got, base)
	}
}

func TestStructKeys(t *testing.T) {
	type key struct {
		school string
		timer  string
	}
	s := New[key]()
	s.Schedule(key{"s1", "alarm/offline/d1"}, at(20*sec))
	s.Schedule(key{"s2", "alarm/offline/d1"}, at(10*sec))
	if !s.Cancel(key{"s1", "alarm/offline/d1"}) {
		t.Fatal("Cancel of a scheduled struct key failed")
	}
	var got []key
	s.PopDue(at(day), func(k key, _ time.Time) { got = append(got, k) })
	if want := []key{{"s2", "alarm/offline/d1"}}; !slices.Equal(got, want) {
		t.Errorf("fired %v, want %v", got, want)
	}
}

func TestPopDueNilFn(t *testing.T) {
	s := New[int]()
	s.Schedule(1, at(sec))
	s.Schedule(2, at(2*sec))
	s.Schedule(3, at(3*sec))
	if n := s.PopDue(at(2*sec), nil); n != 2 {
		t.Errorf("PopDue with nil fn = %d, want 2", n)
	}
	if s.Len() != 1 {
		t.Errorf("Len = %d, want 1", s.Len())
	}
}
