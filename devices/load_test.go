package devices

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const smallFixture = "../testdata/registry/small.yaml"

func TestLoadSmallFixture(t *testing.T) {
	r, err := Load(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Regions); got != 2 {
		t.Errorf("regions = %d, want 2", got)
	}
	if got := len(r.Schools); got != 3 {
		t.Errorf("schools = %d, want 3", got)
	}
	if got := r.DeviceCount(); got != 16 {
		t.Errorf("devices = %d, want 16", got)
	}
	kinds := map[Kind]int{}
	types := map[SchoolType]bool{}
	for _, s := range r.Schools {
		types[s.Type] = true
		for _, d := range s.Devices {
			kinds[d.Kind]++
		}
	}
	for _, k := range Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s device in the fixture", k)
		}
	}
	if len(types) != 3 {
		t.Errorf("school types = %v, want 3 different", types)
	}
	def := DefaultCalendar()
	cal, ok := r.Calendar(DefaultCalendarID)
	if !ok {
		t.Fatalf("calendar %s missing", DefaultCalendarID)
	}
	if got, want := fmt.Sprint(cal.ID, cal.National, cal.Terms, cal.Holidays, cal.Workdays), fmt.Sprint(def.ID, def.National, def.Terms, def.Holidays, def.Workdays); got != want {
		t.Errorf("fixture calendar differs from DefaultCalendar:\n got %s\nwant %s", got, want)
	}
	d, ok := r.Device("wc-no1-secondary-kitchencam-2")
	if !ok || d.School().ID != "wc-no1-secondary" || d.Kitchen != "second" {
		t.Errorf("device lookup: %+v, %v", d, ok)
	}
	if hb := r.Schools[0].Devices[3].HeartbeatInterval(); hb != Duration(30e9) {
		t.Errorf("heartbeat = %v, want 30s", hb)
	}
	for _, s := range r.Schools {
		if n := len(s.Guards); n != s.RequiredGuards() {
			t.Errorf("%s: roster %d, required %d (the fixture rosters are exact)", s.ID, n, s.RequiredGuards())
		}
	}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate after Load: %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

// goodDoc is a valid registry; bad cases replace some of its lines (keyed by
// line number, 1-based). Keep the numbering in the comments true.
var goodDoc = []string{
	/* 1 */ `regions:`,
	/* 2 */ `  - {code: "130802", name: 双桥区}`,
	/* 3 */ `calendars:`,
	/* 4 */ `  - id: cal`,
	/* 5 */ `    terms: [{start: "2026-09-01", end: "2027-01-22"}]`,
	/* 6 */ `schools:`,
	/* 7 */ `  - id: s1`,
	/* 8 */ `    name: 第一小学`,
	/* 9 */ `    region: "130802"`,
	/* 10 */ `    type: primary`,
	/* 11 */ `    pupils: 500`,
	/* 12 */ `    calendar: cal`,
	/* 13 */ `    windows:`,
	/* 14 */ `      gate: [{start: "07:00", end: "08:00"}]`,
	/* 15 */ `    posts: [{id: guardroom}]`,
	/* 16 */ `    devices:`,
	/* 17 */ `      - {id: d1, kind: alarm, post: guardroom}`,
	/* 18 */ `      - {id: d2, kind: access}`,
}

// docWith returns goodDoc with lines replaced; a replacement may hold
// several lines (later line numbers then shift).
func docWith(repl map[int]string) string {
	var b strings.Builder
	for i, l := range goodDoc {
		if r, ok := repl[i+1]; ok {
			l = r
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

func TestParseGoodDoc(t *testing.T) {
	r, err := Parse("good.yaml", []byte(docWith(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.School("s1"); !ok {
		t.Error("school s1 not indexed")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // each must appear in the error, in order
	}{
		{"unknown key", docWith(map[int]string{11: "    pupil: 500"}),
			[]string{`bad.yaml:11: schools[0].pupil: unknown field "pupil" (want one of id, name, region, type, pupils,`}},
		{"unknown key in a window", docWith(map[int]string{14: `      gate: [{start: "07:00", end: "08:00", open: true}]`}),
			[]string{`bad.yaml:14: schools[0].windows.gate[0].open: unknown field "open" (want one of name, start, end)`}},
		{"duplicate key", docWith(map[int]string{11: "    pupils: 500\n    pupils: 600"}),
			[]string{`bad.yaml:12: schools[0].pupils: duplicate key "pupils" (first at line 11)`}},
		{"duplicate device id", docWith(map[int]string{18: `      - {id: d1, kind: access}`}),
			[]string{`bad.yaml:18: schools[0].devices[1].id: duplicate device id "d1" (first at line 17)`}},
		{"duplicate device id across schools", docWith(map[int]string{18: `      - {id: d2, kind: access}
  - {id: s2, name: 二小, region: "130802", type: primary, pupils: 50, calendar: cal,
     devices: [{id: d2, kind: alarm}]}`}),
			[]string{`bad.yaml:20: schools[1].devices[0].id: duplicate device id "d2" (first at line 18)`}},
		{"duplicate school id", docWith(map[int]string{18: `      - {id: d2, kind: access}
  - {id: s1, name: 二小, region: "130802", type: primary, pupils: 50, calendar: cal, devices: [{id: d3, kind: alarm}]}`}),
			[]string{`bad.yaml:19: schools[1].id: duplicate school id "s1" (first at line 7)`}},
		{"dangling region", docWith(map[int]string{9: `    region: "130803"`}),
			[]string{`bad.yaml:9: schools[0].region: unknown region "130803" (not in regions)`}},
		{"dangling calendar", docWith(map[int]string{12: `    calendar: cal-2027`}),
			[]string{`bad.yaml:12: schools[0].calendar: unknown calendar "cal-2027"`}},
		{"dangling post", docWith(map[int]string{17: `      - {id: d1, kind: alarm, post: north-gate}`}),
			[]string{`bad.yaml:17: schools[0].devices[0].post: unknown post "north-gate" (not in the school's posts)`}},
		{"dangling kitchen", docWith(map[int]string{15: "    posts: [{id: guardroom}]\n    kitchens: [{id: main}]", 18: `      - {id: d2, kind: kitchencam, kitchen: canteen}`}),
			[]string{`bad.yaml:19: schools[0].devices[1].kitchen: unknown kitchen "canteen"`}},
		{"kitchen camera must name one of two kitchens", docWith(map[int]string{15: "    posts: [{id: guardroom}]\n    kitchens: [{id: a}, {id: b}]", 18: `      - {id: d2, kind: kitchencam}`}),
			[]string{`bad.yaml:19: schools[0].devices[1].kitchen: missing kitchen: the school has 2 kitchens`}},
		{"kitchen camera without kitchens", docWith(map[int]string{18: `      - {id: d2, kind: kitchencam}`}),
			[]string{`bad.yaml:18: schools[0].devices[1].kind: kitchen camera in a school without kitchens`}},
		{"post on an access controller", docWith(map[int]string{18: `      - {id: d2, kind: access, post: guardroom}`}),
			[]string{`bad.yaml:18: schools[0].devices[1].post: post is only for guard terminals and alarm terminals, not access`}},
		{"bad region code", docWith(map[int]string{2: `  - {code: "13080", name: 双桥区}`}),
			[]string{`bad.yaml:2: regions[0].code: bad region code "13080" (want 6 digits`, `bad.yaml:9: schools[0].region: unknown region`}},
		{"duplicate region", docWith(map[int]string{2: "  - {code: \"130802\", name: 双桥区}\n  - {code: \"130802\", name: 双滦区}"}),
			[]string{`bad.yaml:3: regions[1].code: duplicate region code "130802" (first at line 2)`}},
		{"inverted window", docWith(map[int]string{14: `      gate: [{start: "09:00", end: "08:00"}]`}),
			[]string{`bad.yaml:14: schools[0].windows.gate[0]: window #0 starts at 09:00, not before its end 08:00`}},
		{"overlapping windows", docWith(map[int]string{14: `      gate: [{start: "07:00", end: "08:00"},
        {name: late, start: "07:30", end: "09:00"}]`}),
			[]string{`bad.yaml:15: schools[0].windows.gate[1]: window "late" 07:30-09:00 overlaps #0 07:00-08:00 (see line 14)`}},
		{"missing window end", docWith(map[int]string{14: `      gate: [{start: "07:00"}]`}),
			[]string{`bad.yaml:14: schools[0].windows.gate[0]: missing end`}},
		{"bad id characters", docWith(map[int]string{7: `  - id: School_1`}),
			[]string{`bad.yaml:7: schools[0].id: bad school id "School_1" (want 1-64 of a-z, 0-9 and -)`}},
		{"bad device id", docWith(map[int]string{17: `      - {id: "d 1", kind: alarm, post: guardroom}`}),
			[]string{`bad.yaml:17: schools[0].devices[0].id: bad device id "d 1"`}},
		{"boarders exceed pupils", docWith(map[int]string{11: "    pupils: 500\n    boarders: 600"}),
			[]string{`bad.yaml:12: schools[0].boarders: boarders 600 exceed pupils 500`}},
		{"negative pupils", docWith(map[int]string{11: "    pupils: -5"}),
			[]string{`bad.yaml:11: schools[0].pupils: pupils -5 must not be negative`}},
		{"pupils not a number", docWith(map[int]string{11: "    pupils: many"}),
			[]string{`bad.yaml:11: schools[0].pupils: want an integer, got str "many"`}},
		{"unknown school type", docWith(map[int]string{10: "    type: university"}),
			[]string{`bad.yaml:10: schools[0].type: unknown school type "university"`}},
		{"bad clock time", docWith(map[int]string{14: `      gate: [{start: "07:00", end: "25:00"}]`}),
			[]string{`bad.yaml:14: schools[0].windows.gate[0].end: bad clock time "25:00" (want HH:MM between 00:00 and 24:00)`}},
		{"bad date", docWith(map[int]string{5: `    terms: [{start: "2026-13-01", end: "2027-01-22"}]`}),
			[]string{`bad.yaml:5: calendars[0].terms[0].start: bad date "2026-13-01" (want YYYY-MM-DD)`}},
		{"inverted term", docWith(map[int]string{5: `    terms: [{start: "2027-09-01", end: "2027-01-22"}]`}),
			[]string{`bad.yaml:5: calendars[0].terms[0]: term ends 2027-01-22 before it starts 2027-09-01`}},
		{"overlapping terms", docWith(map[int]string{5: `    terms: [{start: "2026-09-01", end: "2027-01-22"}, {start: "2027-01-22", end: "2027-07-09"}]`}),
			[]string{`bad.yaml:5: calendars[0].terms[1]: term 2027-01-22..2027-07-09 overlaps term 2026-09-01..2027-01-22 (see line 5)`}},
		{"duplicate holiday", docWith(map[int]string{5: "    terms: [{start: \"2026-09-01\", end: \"2027-01-22\"}]\n    holidays: [\"2026-10-01\",\n      \"2026-10-01\"]"}),
			[]string{`bad.yaml:7: calendars[0].holidays[1]: duplicate holiday "2026-10-01" (first at line 6)`}},
		{"workday on a weekday", docWith(map[int]string{5: "    terms: [{start: \"2026-09-01\", end: \"2027-01-22\"}]\n    workdays: [\"2026-09-28\"]"}),
			[]string{`bad.yaml:6: calendars[0].workdays[0]: workday 2026-09-28 is a Monday`}},
		{"unknown kind", docWith(map[int]string{18: `      - {id: d2, kind: camera}`}),
			[]string{`bad.yaml:18: schools[0].devices[1].kind: unknown device kind "camera" (want alarm, access, guard or kitchencam)`}},
		{"bad heartbeat", docWith(map[int]string{18: `      - {id: d2, kind: access, heartbeat: 0s}`}),
			[]string{`bad.yaml:18: schools[0].devices[1].heartbeat: duration "0s" must be positive`}},
		{"heartbeat without unit", docWith(map[int]string{18: `      - {id: d2, kind: access, heartbeat: 60}`}),
			[]string{`bad.yaml:18: schools[0].devices[1].heartbeat: bad duration "60"`}},
		{"no devices", docWith(map[int]string{16: "    devices: []", 17: "", 18: ""}),
			[]string{`bad.yaml:16: schools[0].devices: school "s1" has no devices`}},
		{"missing devices key", docWith(map[int]string{16: "", 17: "", 18: ""}),
			[]string{`bad.yaml:7: schools[0].devices: school "s1" has no devices`}},
		{"no schools", "regions: []\nschools: []\n",
			[]string{`bad.yaml:2: schools: no schools`}},
		{"empty file", "", []string{`bad.yaml: empty registry`}},
		{"not a mapping", "- a\n- b\n", []string{`bad.yaml:1: want a mapping`}},
		{"syntax error", "regions: [\n", []string{`bad.yaml:`, `syntax:`}},
		{"two documents", docWith(nil) + "---\nregions: []\n", []string{`bad.yaml:19: more than one YAML document`}},
		{"unknown keys do not hide semantic errors", docWith(map[int]string{8: "    nme: 第一小学"}),
			[]string{`bad.yaml:7: schools[0].name: missing school name`, `bad.yaml:8: schools[0].nme: unknown field "nme"`}},
		{"several problems, in line order", docWith(map[int]string{2: `  - {code: "x", name: 双桥区}`, 7: "  - id: S1", 18: `      - {id: d2, kind: camera}`}),
			[]string{`bad.yaml:2: regions[0].code`, `bad.yaml:7: schools[0].id`, `bad.yaml:9: schools[0].region`, `bad.yaml:18: schools[0].devices[1].kind`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("no error for:\n%s", tt.doc)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error lacks %q (or not in order):\n%s", w, msg)
				}
				rest = rest[i+len(w):]
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("error is not a *FieldError: %T", err)
			}
		})
	}
}

// A field that cannot be decoded does not also produce semantic noise: a
// duplicate key drops its whole mapping, which would otherwise look like a
// registry without schools.
func TestParseDecodeErrorsSilenceNoise(t *testing.T) {
	_, err := Parse("bad.yaml", []byte(docWith(map[int]string{11: "    pupils: 500\n    pupils: 600"})))
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(strings.Split(err.Error(), "\n")); n != 1 {
		t.Errorf("want 1 error, got %d:\n%v", n, err)
	}
}

func TestParseCapsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(docWith(nil))
	for i := 0; i < MaxErrors+10; i++ {
		b.WriteString("      - {id: d1, kind: alarm}\n")
	}
	_, err := Parse("bad.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 || lines[MaxErrors] != "... and 10 more" {
		t.Errorf("got %d lines ending %q", len(lines), lines[len(lines)-1])
	}
}

func TestValidateNamesFileAndLineAfterParse(t *testing.T) {
	r, err := Parse("reg.yaml", []byte(docWith(nil)))
	if err != nil {
		t.Fatal(err)
	}
	r.Schools[0].Devices[1].ID = "d1"
	want := `reg.yaml:18: schools[0].devices[1].id: duplicate device id "d1" (first at line 17)`
	if err := r.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate = %v\nwant %s", err, want)
	}
}

func TestValidateInMemoryNamesPath(t *testing.T) {
	r := Generate(GenerateOptions{Seed: 7, Schools: 5})
	r.Schools[2].Region = "999999"
	want := `schools[2].region: unknown region "999999" (not in regions)`
	if err := r.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate = %v\nwant %s", err, want)
	}
}
