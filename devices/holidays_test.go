package devices

import (
	"strings"
	"testing"
)

func TestParseHolidayFileErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"empty", "", []string{"h.yaml: empty holiday file"}},
		{"a list", "- 1\n", []string{"h.yaml:1: want a mapping with year, notice and festivals"}},
		{"unknown key", "year: 2026\nnotice: n\nfestivals: [{name: x, off: {from: \"2026-01-01\", to: \"2026-01-01\"}, days: 3}]\n",
			[]string{`h.yaml:3: festivals[0].days: unknown field "days" (want one of name, off, workdays)`}},
		{"bad year", "year: 1900\nnotice: n\nfestivals: []\n", []string{"h.yaml:1: year: bad year 1900"}},
		{"bad date", "year: 2026\nnotice: n\nfestivals: [{name: x, off: {from: \"2026-02-30\", to: \"2026-03-01\"}}]\n",
			[]string{`h.yaml:3: festivals[0].off.from: bad date "2026-02-30"`}},
		{"semantic", `year: 2026
festivals:
  - {name: 春节, off: {from: "2026-02-15", to: "2026-03-15"}}
  - {name: "", off: {from: "2026-05-01", to: "2026-05-05"}, workdays: ["2026-05-08", "2026-05-09", "2026-05-01"]}
  - {name: 国庆, off: {from: "2027-10-01", to: "2027-10-07"}}
  - {name: x, off: {from: "2026-06-19"}}
`, []string{
			"h.yaml:1: notice: missing notice",
			"h.yaml:3: festivals[0].off: 2026-02-15..2026-03-15 is more than 15 days off",
			"h.yaml:4: festivals[1].name: missing festival name",
			"h.yaml:4: festivals[1].workdays[0]: workday 2026-05-08 is a Friday",
			`h.yaml:4: festivals[1].workdays[2]: duplicate date "2026-05-01" (first at line 4)`,
			"h.yaml:5: festivals[2].off: days off 2027-10-01..2027-10-07 are not in or next to 2026",
			"h.yaml:6: festivals[3].off.to: missing last day off",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHolidayFile("h.yaml", []byte(tt.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestShippedFilesParse: every shipped file parses (NationalHolidays would
// panic otherwise) and the default calendar is there.
func TestShippedFilesParse(t *testing.T) {
	if got := NationalHolidays().Years(); len(got) == 0 || got[0] != 2026 {
		t.Errorf("shipped years %v, want 2026 first", got)
	}
	if ids := ShippedCalendarIDs(); len(ids) != 1 || ids[0] != DefaultCalendarID {
		t.Errorf("shipped calendars %v", ids)
	}
	c := DefaultCalendar()
	c.Terms[0].Name = "changed"
	if DefaultCalendar().Terms[0].Name == "changed" {
		t.Error("DefaultCalendar shares its terms")
	}
}

func TestHolidayTableLaterYearWins(t *testing.T) {
	d := func(s string) Date { return mustDate(t, s) }
	a := HolidayYear{Year: 2026, Notice: "a", Festivals: []Festival{{Name: "x", Off: Span{d("2026-01-01"), d("2026-01-01")}}}}
	b := HolidayYear{Year: 2026, Notice: "b", Festivals: []Festival{{Name: "y", Off: Span{d("2026-01-02"), d("2026-01-02")}}}}
	tab := NewHolidayTable(a, b)
	if _, off := tab.Off(d("2026-01-01")); off {
		t.Error("the replaced year still counts")
	}
	if name, off := tab.Off(d("2026-01-02")); !off || name != "y" {
		t.Errorf("Off = %q %v", name, off)
	}
}
