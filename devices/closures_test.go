package devices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// closuresDoc is a registry of three schools in two regions with a
// region-wide closure, a one-school closure, a city-wide winter timetable,
// a summer timetable and one school's own winter timetable.
const closuresDoc = `
regions:
  - {code: "130802", name: 双桥区}
  - {code: "130821", name: 承德县}
calendars:
  - id: cal
    national: true
    terms: [{start: "2026-09-01", end: "2027-01-22"}]
closures:
  - {from: "2026-11-16", to: "2026-11-17", reason: 暴雪停课, regions: ["130821"]}
  - {from: "2026-11-20", to: "2026-11-20", reason: 考点, schools: [a]}
timetables:
  - name: 冬季作息
    from: "2026-10-08"
    regions: ["130802", "130821"]
    windows:
      gate: [{start: "07:30", end: "08:30"}, {start: "16:30", end: "17:30"}]
  - name: a 冬季作息
    from: "2026-10-08"
    schools: [a]
    windows:
      peaks: [{start: "07:40", end: "08:20"}]
  - name: 秋季试行
    from: "2026-09-01"
    to: "2026-09-30"
    schools: [b]
    windows:
      meals: [{start: "11:00", end: "12:00"}]
schools:
  - id: a
    name: A
    region: "130802"
    type: primary
    calendar: cal
    windows:
      gate: [{start: "07:00", end: "08:00"}]
      peaks: [{start: "07:10", end: "07:50"}]
    devices: [{id: a-1, kind: alarm}]
  - id: b
    name: B
    region: "130821"
    type: primary
    calendar: cal
    windows:
      gate: [{start: "07:00", end: "08:00"}]
      meals: [{start: "11:30", end: "12:30"}]
    devices: [{id: b-1, kind: alarm}]
  - id: c
    name: C
    region: "130821"
    type: primary
    calendar: cal
    devices: [{id: c-1, kind: alarm}]
`

func TestClosures(t *testing.T) {
	r, err := Parse("closures.yaml", []byte(closuresDoc))
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) Date { return mustDate(t, s) }
	tests := []struct {
		school, date string
		want         bool
		why          string
	}{
		{"a", "2026-11-16", true, "a is in 双桥区, the snow closure is 承德县's"},
		{"b", "2026-11-16", false, "承德县 closed for snow"},
		{"c", "2026-11-17", false, "承德县 closed, last day"},
		{"c", "2026-11-18", true, "the day after the closure"},
		{"b", "2026-11-13", true, "the Friday before"},
		{"a", "2026-11-20", false, "a alone is an exam venue"},
		{"b", "2026-11-20", true, "b is not"},
		{"a", "2026-11-21", false, "Saturday stays no school day"},
		{"a", "2026-10-01", false, "国庆 stays a holiday"},
	}
	for _, tt := range tests {
		s, _ := r.School(tt.school)
		if got := s.IsSchoolDate(d(tt.date)); got != tt.want {
			t.Errorf("%s %s: school day = %v, want %v (%s)", tt.school, tt.date, got, tt.want, tt.why)
		}
		if got := s.IsSchoolDay(d(tt.date).In(Location()).Add(8 * 60 * 60e9)); got != tt.want {
			t.Errorf("%s %s 08:00: IsSchoolDay = %v, want %v", tt.school, tt.date, got, tt.want)
		}
	}
	b, _ := r.School("b")
	if c, ok := b.ClosureOn(d("2026-11-16")); !ok || c.Reason != "暴雪停课" {
		t.Errorf("ClosureOn = %+v, %v", c, ok)
	}
}

func TestWindowsOn(t *testing.T) {
	r, err := Parse("closures.yaml", []byte(closuresDoc))
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) Date { return mustDate(t, s) }
	win := func(ws []Window) string {
		var parts []string
		for _, w := range ws {
			parts = append(parts, w.Start.String()+"-"+w.End.String())
		}
		return strings.Join(parts, ",")
	}
	tests := []struct {
		school, date      string
		gate, peaks, meal string
	}{
		// Before any timetable: the school's own windows.
		{"a", "2026-10-07", "07:00-08:00", "07:10-07:50", ""},
		// Winter from 10-08: the region's gate windows, and a's own winter
		// peaks (same From, naming the school, wins for what it gives).
		{"a", "2026-10-08", "07:00-08:00", "07:40-08:20", ""},
		{"b", "2026-10-08", "07:30-08:30,16:30-17:30", "", "11:30-12:30"},
		{"c", "2026-12-01", "07:30-08:30,16:30-17:30", "", ""},
		// b's September timetable replaces only meals, and ends 09-30.
		{"b", "2026-09-15", "07:00-08:00", "", "11:00-12:00"},
		{"b", "2026-10-01", "07:00-08:00", "", "11:30-12:30"},
	}
	for _, tt := range tests {
		s, _ := r.School(tt.school)
		w := s.WindowsOn(d(tt.date))
		if got := win(w.Gate) + "|" + win(w.Peaks) + "|" + win(w.Meals); got != tt.gate+"|"+tt.peaks+"|"+tt.meal {
			t.Errorf("%s %s: windows %s, want %s|%s|%s", tt.school, tt.date, got, tt.gate, tt.peaks, tt.meal)
		}
	}
	// The school's own Windows are untouched.
	if a, _ := r.School("a"); win(a.Windows.Peaks) != "07:10-07:50" {
		t.Errorf("School.Windows changed: %v", a.Windows.Peaks)
	}
}

func TestClosureErrors(t *testing.T) {
	bad := strings.Replace(closuresDoc, `  - {from: "2026-11-20", to: "2026-11-20", reason: 考点, schools: [a]}`,
		`  - {from: "2026-11-20", to: "2026-11-19", schools: [x], regions: ["130899"]}
  - {from: "2026-11-20", to: "2026-11-20", reason: 无对象}`, 1)
	bad = strings.Replace(bad, `      peaks: [{start: "07:40", end: "08:20"}]`, `      peaks: [{start: "08:40", end: "08:20"}]`, 1)
	bad = strings.Replace(bad, `    from: "2026-09-01"
    to: "2026-09-30"`, `    to: "2026-09-30"`, 1)
	_, err := Parse("bad.yaml", []byte(bad))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`bad.yaml:11: closures[1]: closure ends 2026-11-19 before it starts 2026-11-20`,
		`bad.yaml:11: closures[1].reason: missing reason`,
		`closures[1].regions[0]: unknown region "130899"`,
		`closures[1].schools[0]: unknown school "x"`,
		`bad.yaml:12: closures[2]: names no regions and no schools`,
		`timetables[1].windows.peaks[0]: window #0 starts at 08:40, not before its end 08:20`,
		`timetables[2].from: missing first day`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestRegistryRoundTripClosures: WriteYAML keeps closures, timetables and
// holiday_files.
func TestRegistryRoundTripClosures(t *testing.T) {
	r, err := Parse("closures.yaml", []byte(closuresDoc))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.WriteYAML(&b); err != nil {
		t.Fatal(err)
	}
	again, err := Parse("again.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(again.Closures) != 2 || len(again.Timetables) != 3 || again.Timetables[2].To != mustDate(t, "2026-09-30") {
		t.Errorf("round trip lost closures or timetables:\n%s", b.String())
	}
}

// TestLoadHolidayFiles: a registry's holiday_files extend the national table
// (a calendar then runs until its last term), and a bad file is an error
// naming it.
func TestLoadHolidayFiles(t *testing.T) {
	dir := t.TempDir()
	y2027 := `year: 2027
notice: test notice
festivals:
  - {name: 元旦, off: {from: "2027-01-01", to: "2027-01-03"}}
`
	if err := os.WriteFile(filepath.Join(dir, "cn-2027.yaml"), []byte(y2027), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(closuresDoc, "calendars:", "holiday_files: [cn-2027.yaml]\ncalendars:", 1)
	reg := filepath.Join(dir, "registry.yaml")
	if err := os.WriteFile(reg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(reg)
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := r.Calendar("cal")
	if got := cal.Until(); got != mustDate(t, "2027-01-22") {
		t.Errorf("Until = %s, want the term end 2027-01-22", got)
	}
	if a, _ := r.School("a"); a.IsSchoolDate(mustDate(t, "2027-01-01")) {
		t.Error("2027-01-01 is a school day although cn-2027.yaml says it is off")
	}
	// Without the file the calendar runs out at the end of 2026.
	plain, err := Parse("plain.yaml", []byte(closuresDoc))
	if err != nil {
		t.Fatal(err)
	}
	if cal, _ := plain.Calendar("cal"); cal.Until() != mustDate(t, "2026-12-31") {
		t.Errorf("Until without 2027 = %s, want 2026-12-31", cal.Until())
	}

	if err := os.WriteFile(filepath.Join(dir, "cn-2027.yaml"), []byte(strings.Replace(y2027, "2027-01-03", "2026-12-31", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(reg); err == nil || !strings.Contains(err.Error(), "cn-2027.yaml:4: festivals[0].off: days off end 2026-12-31 before they start 2027-01-01") {
		t.Errorf("bad holiday file: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "cn-2027.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(reg); err == nil || !strings.Contains(err.Error(), "holiday_files[0]: read holiday file") {
		t.Errorf("missing holiday file: %v", err)
	}
}
