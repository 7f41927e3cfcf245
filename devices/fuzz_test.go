package devices

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic, and a
// document it accepts must survive WriteYAML and parse again.
func FuzzParse(f *testing.F) {
	if small, err := os.ReadFile(smallFixture); err == nil {
		f.Add(small)
	}
	f.Add([]byte(docWith(nil)))
	f.Add([]byte(docWith(map[int]string{11: "    pupils: 500\n    pupils: 600"})))
	f.Add([]byte("regions: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		// Streamed or not, the result is the whole-document parse's.
		whole := &Registry{}
		if err := decodeStrict("fuzz.yaml", data, "registry", registryWant, whole, whole.check); err != nil {
			t.Fatalf("Parse accepted what the whole-document parse refuses: %v", err)
		}
		if !reflect.DeepEqual(exported(r), exported(whole)) {
			t.Fatal("Parse differs from the whole-document parse")
		}
		var buf bytes.Buffer
		if err := r.WriteYAML(&buf); err != nil {
			t.Fatalf("WriteYAML of an accepted registry: %v", err)
		}
		if _, err := Parse("again.yaml", buf.Bytes()); err != nil {
			t.Fatalf("re-parse of an accepted registry: %v\n%s", err, buf.Bytes())
		}
	})
}

// FuzzParseHolidayFile feeds arbitrary bytes to ParseHolidayFile. It must
// never panic, and a year it accepts must survive WriteYAML and parse
// again to the same value.
func FuzzParseHolidayFile(f *testing.F) {
	for _, name := range []string{"calendars/holidays/cn-2026.yaml", "calendars/terms/chengde-2026-2027.yaml"} {
		if data, err := shippedCalendars.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("year: 2027\nnotice: n\nfestivals: [{name: 元旦, off: {from: \"2026-12-31\", to: \"2027-01-01\"}, workdays: [\"2027-01-02\"]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := ParseHolidayFile("fuzz.yaml", data)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := y.WriteYAML(&buf); err != nil {
			t.Fatalf("WriteYAML of an accepted year: %v", err)
		}
		again, err := ParseHolidayFile("again.yaml", buf.Bytes())
		if err != nil {
			t.Fatalf("re-parse of an accepted year: %v\n%s", err, buf.Bytes())
		}
		NewHolidayTable(*y, *again)
	})
}

// FuzzParseCalendarFile feeds arbitrary bytes to ParseCalendarFile; an
// accepted calendar must answer IsSchoolDate and Until without panicking.
func FuzzParseCalendarFile(f *testing.F) {
	if data, err := shippedCalendars.ReadFile("calendars/terms/chengde-2026-2027.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("id: x\nterms: [{start: \"2026-09-01\", end: \"2026-09-02\"}]\nholidays: [\"2026-09-01\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCalendarFile("fuzz.yaml", data)
		if err != nil {
			return
		}
		u := c.Until()
		c.IsSchoolDate(u)
		c.IsSchoolDate(u.AddDays(1))
	})
}

// FuzzCompiled feeds arbitrary bytes (after a valid header, so that the
// decoder behind the checksum is reached) to the compiled registry reader.
// It must never panic or allocate without bound, and a registry it accepts
// must compile to the same bytes again.
func FuzzCompiled(f *testing.F) {
	if r, err := Load(smallFixture); err == nil {
		var buf bytes.Buffer
		if err := r.WriteCompiled(&buf); err == nil {
			f.Add(buf.Bytes()[headerLen:])
		}
	}
	f.Add([]byte{0})
	f.Add([]byte{1, 1, 'x', 2})
	f.Fuzz(func(t *testing.T, payload []byte) {
		r, err := readCompiled("fuzz.cgr", bytes.NewReader(withHeader(payload)))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := r.WriteCompiled(&buf); err != nil {
			t.Fatalf("WriteCompiled of an accepted registry: %v", err)
		}
		back, err := readCompiled("again.cgr", &buf)
		if err != nil {
			t.Fatalf("re-read of an accepted registry: %v", err)
		}
		if !reflect.DeepEqual(exported(back), exported(r)) {
			t.Fatal("re-read registry differs")
		}
	})
}
