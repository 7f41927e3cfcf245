package service

import (
	"strings"
	"testing"
	"time"
)

func TestRowMemoWritesOnlyChangedRows(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	day := " 1796227200000000000\n"
	rows := func(vals ...string) []byte {
		var b strings.Builder
		for i, v := range vals {
			b.WriteString("compliance,level=school,measure=m" + string(rune('a'+i)) + ",school=s1 ok=" + v + day)
		}
		return []byte(b.String())
	}
	m := newRowMemo()
	if got := m.changed(rows("true", "false", "true"), at); string(got) != string(rows("true", "false", "true")) {
		t.Fatalf("first write %q, want every row", got)
	}
	if got := m.changed(rows("true", "false", "true"), at.Add(time.Minute)); len(got) != 0 {
		t.Fatalf("nothing changed, wrote %q", got)
	}
	want := "compliance,level=school,measure=mb,school=s1 ok=true" + day
	if got := m.changed(rows("true", "true", "true"), at.Add(2*time.Minute)); string(got) != want {
		t.Fatalf("one row changed, wrote %q, want %q", got, want)
	}
	// The next day is another point of the same series.
	next := []byte(strings.ReplaceAll(string(rows("true", "true", "true")), "1796227200", "1796313600"))
	if got := m.changed(next, at.Add(3*time.Minute)); string(got) != string(next) {
		t.Fatalf("a new day's rows: wrote %q", got)
	}
	// Once an hour every row goes out again, in case one was lost.
	if got := m.changed(rows("true", "true", "true"), at.Add(time.Hour)); string(got) != string(rows("true", "true", "true")) {
		t.Fatalf("hourly write %q, want every row", got)
	}
	// A last line without its newline is a row too.
	last := []byte("compliance,level=city,measure=all rate=1 1796227200000000000")
	if got := m.changed(last, at.Add(time.Hour)); string(got) != string(last) {
		t.Fatalf("unterminated line: wrote %q", got)
	}
	if got := m.changed(append([]byte(nil), last...), at.Add(time.Hour+time.Minute)); len(got) != 0 {
		t.Fatalf("unterminated line unchanged: wrote %q", got)
	}
}
