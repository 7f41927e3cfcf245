package sim

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAppendTS(t *testing.T) {
	w := newWriter()
	r := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{
		time.Date(2026, 11, 28, 7, 12, 3, 250e6, shanghai),
		time.Date(2026, 11, 30, 23, 59, 59, 999e6, shanghai),
		time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), // local new year
		time.Date(2028, 2, 29, 12, 0, 0, 1, shanghai),  // leap day, sub-ms dropped
		time.Date(2000, 3, 1, 0, 0, 0, 0, shanghai),
	}
	for range 2000 {
		times = append(times, time.Unix(0, r.Int64N(4e18)))
	}
	for _, tm := range times {
		w.b = w.b[:0]
		w.appendTS(tm.UnixNano())
		want := tm.In(shanghai).Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000-07:00")
		if string(w.b) != want {
			t.Fatalf("appendTS(%v) = %s, want %s", tm, w.b, want)
		}
		w.b = w.b[:0]
		w.appendDate(tm.UnixNano())
		if want := tm.In(shanghai).Format(time.DateOnly); string(w.b) != want {
			t.Fatalf("appendDate(%v) = %s, want %s", tm, w.b, want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{
		"", "cd-0001-gate-1", `quote " backslash \ slash /`, "tab\tnewline\nreturn\r",
		"\x00\x01\x1f", "门卫室 正门护学岗", "bad utf-8 \xff\xfe end", "\u2028",
	} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: invalid JSON: %v", s, got, err)
		}
		want, _ := json.Marshal(s) // encoding/json replaces bad UTF-8 the same way
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("appendJSONString(%q) decodes to %q, want %q", s, back, wantBack)
		}
	}
}

func TestWriterAllocs(t *testing.T) {
	s := newSim(t, Options{Seed: 1})
	d := s.devs[0]
	s.emit = func(string, bool, []byte) {}
	allocs := testing.AllocsPerRun(1000, func() {
		if s.begin(d, chEvent, tGranted, s.start+nsSecond) {
			s.w.str("direction", "in")
			s.w.token("person", "p", 12345)
			s.end()
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per payload, want 0", allocs)
	}
}
