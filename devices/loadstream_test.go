package devices

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// exported is the registry's exported data, for deep comparisons (the
// unexported indexes hold pointers).
func exported(r *Registry) Registry {
	return Registry{Regions: r.Regions, Calendars: r.Calendars, Schools: stripSchools(r.Schools),
		HolidayFiles: r.HolidayFiles, Closures: r.Closures, Timetables: r.Timetables}
}

func stripSchools(in []School) []School {
	out := make([]School, len(in))
	for i, s := range in {
		s.calendar, s.closures, s.timetables = nil, nil, nil
		ds := make([]Device, len(s.Devices))
		for j, d := range s.Devices {
			d.school, d.index = nil, 0
			ds[j] = d
		}
		s.Devices = ds
		out[i] = s
	}
	return out
}

// wholeParse is the old path: the whole document's node tree, then a strict
// decode.
func wholeParse(t *testing.T, data []byte) Registry {
	t.Helper()
	r := &Registry{}
	if err := decodeStrict("t.yaml", data, "registry", registryWant, r, r.check); err != nil {
		t.Fatalf("whole-document parse: %v", err)
	}
	return exported(r)
}

// TestStreamParseMatchesWholeDocument: the streaming loader decodes the
// layouts registries come in to the same data as the whole-document parse,
// and the layouts it does not handle are left to that parse (Parse still
// accepts them, with the same result).
func TestStreamParseMatchesWholeDocument(t *testing.T) {
	small, err := os.ReadFile(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	var gen bytes.Buffer
	if err := Generate(GenerateOptions{Seed: 5, Schools: 600}).WriteYAML(&gen); err != nil { // > 2 batches
		t.Fatal(err)
	}
	good := string(small)
	head, schools, _ := strings.Cut(good, "\nschools:\n")
	cases := []struct {
		name     string
		doc      string
		streamed bool
	}{
		{"fixture", string(small), true},
		{"generated", gen.String(), true},
		{"goodDoc", good, true},
		{"items at column 0", head + "\nschools:\n" + strings.ReplaceAll("\n"+schools, "\n  ", "\n")[1:], true},
		{"schools first", "schools:\n" + schools + head + "\n", true},
		{"comment after schools key", strings.Replace(good, "schools:\n", "schools: # all of them\n# a comment\n\n", 1), true},
		{"alias across schools of a batch", strings.Replace(strings.Replace(good, "pupils: 180", "pupils: &n 180", 1), "pupils: 1520", "pupils: *n", 1), true},
		{"anchor within a school", strings.Replace(good, "pupils: 180", "pupils: &n 180\n    boarders: *n", 1), true},
		{"tagged schools list", strings.Replace(good, "\nschools:\n", "\nschools: !!seq\n", 1), false},
		{"quoted schools key", strings.Replace(good, "\nschools:\n", "\n\"schools\":\n", 1), false},
		{"document start marker", "---\n" + good, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := wholeParse(t, []byte(c.doc))
			r, err := streamParse(strings.NewReader(c.doc))
			switch {
			case c.streamed && err != nil:
				t.Fatalf("streamParse: %v, want it streamed", err)
			case !c.streamed && !errors.Is(err, errNotStreamable):
				t.Fatalf("streamParse: %v, want errNotStreamable", err)
			case c.streamed && !reflect.DeepEqual(exported(r), want):
				t.Fatalf("streamed registry differs from the whole-document parse")
			}
			p, err := Parse("t.yaml", []byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(exported(p), want) {
				t.Fatal("Parse differs from the whole-document parse")
			}
		})
	}
}

// TestStreamParseGivesUpOnProblems: a document with a problem the batches
// would see differently (an alias to the rest of the document, a duplicate schools
// key, an unknown key, a semantic error) is not streamed, so Parse reports
// it from the whole document with its line.
func TestStreamParseGivesUpOnProblems(t *testing.T) {
	data, err := os.ReadFile(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	good := string(data)
	for name, doc := range map[string]string{
		"alias to the calendars": strings.Replace(strings.Replace(good, "- id: chengde-2026-2027", "- id: &cal chengde-2026-2027", 1), "calendar: chengde-2026-2027", "calendar: *cal", 1),
		"second schools key":     good + "schools:\n  - id: x\n",
		"unknown key":            strings.Replace(good, "pupils: 180", "pupils: 180\n    colour: red", 1),
	} {
		if _, err := streamParse(strings.NewReader(doc)); !errors.Is(err, errNotStreamable) {
			t.Errorf("%s: streamParse: %v, want errNotStreamable", name, err)
		}
	}
	_, err = Parse("t.yaml", []byte(strings.Replace(good, "pupils: 180", "pupils: 180\n    colour: red", 1)))
	if err == nil || !strings.Contains(err.Error(), `t.yaml:`) || !strings.Contains(err.Error(), `unknown field "colour"`) {
		t.Errorf("unknown key: %v", err)
	}
}
