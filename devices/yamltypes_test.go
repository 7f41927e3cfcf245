package devices

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseClockTime(t *testing.T) {
	tests := []struct {
		in   string
		want ClockTime
		ok   bool
	}{
		{"00:00", 0, true},
		{"07:05", 7*60 + 5, true},
		{"23:59", 23*60 + 59, true},
		{"24:00", ClockMidnightEnd, true},
		{"24:01", 0, false},
		{"25:00", 0, false},
		{"12:60", 0, false},
		{"7:00", 0, false},
		{"07:0", 0, false},
		{"07-00", 0, false},
		{"ab:cd", 0, false},
		{"", 0, false},
		{"+7:00", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseClockTime(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseClockTime(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in {
			t.Errorf("ClockTime(%d).String() = %q, want %q", got, got.String(), tt.in)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2026-10-01", true},
		{"2028-02-29", true},
		{"2027-02-29", false},
		{"2026-13-01", false},
		{"2026-1-01", false},
		{"26-10-01", false},
		{"2026-10-01T00:00:00Z", false},
		{"", false},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDate(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if tt.ok && d.String() != tt.in {
			t.Errorf("ParseDate(%q).String() = %q", tt.in, d)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, time.December, 31}
	if got := d.AddDays(1); got != (Date{2027, time.January, 1}) {
		t.Errorf("AddDays(1) = %v", got)
	}
	if d.Weekday() != time.Thursday {
		t.Errorf("weekday = %v, want Thursday", d.Weekday())
	}
	if d.Compare(d.AddDays(1)) != -1 || d.AddDays(1).Compare(d) != 1 || d.Compare(d) != 0 {
		t.Error("Compare is wrong")
	}
	if got := Clock(7, 30).At(d); !got.Equal(time.Date(2026, 12, 30, 23, 30, 0, 0, time.UTC)) {
		t.Errorf("At = %v", got)
	}
}

// scalars is a struct of every scalar type, for round trips.
type scalars struct {
	Clock ClockTime `yaml:"clock"`
	Dur   Duration  `yaml:"dur"`
	Date  Date      `yaml:"date"`
}

func TestScalarsRoundTrip(t *testing.T) {
	tests := []struct{ in, out string }{
		{"clock: \"07:30\"\ndur: 60s\ndate: \"2026-09-01\"\n", ""},
		{"clock: 07:30\ndur: 2m\ndate: 2026-09-01\n", "clock: \"07:30\"\ndur: 120s\ndate: \"2026-09-01\"\n"},
		{"clock: \"24:00\"\ndur: 1500ms\ndate: \"2027-01-22\"\n", "clock: \"24:00\"\ndur: 1.5s\ndate: \"2027-01-22\"\n"},
	}
	for _, tt := range tests {
		var v scalars
		if err := yaml.Unmarshal([]byte(tt.in), &v); err != nil {
			t.Fatalf("unmarshal %q: %v", tt.in, err)
		}
		out, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want := tt.out
		if want == "" {
			want = tt.in
		}
		if string(out) != want {
			t.Errorf("round trip of %q = %q, want %q", tt.in, out, want)
		}
	}
}

func TestScalarErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"clock: 7:30", `line 1: column 8: bad clock time "7:30"`},
		{"clock: [1]", `line 1: column 8: want a clock time "HH:MM", got a list`},
		{"dur: -5s", `line 1: column 6: duration "-5s" must be positive`},
		{"dur: soon", `line 1: column 6: bad duration "soon"`},
		{"date: 2026-02-30", `line 1: column 7: bad date "2026-02-30"`},
		{"date: {y: 1}", `line 1: column 7: want a date "YYYY-MM-DD", got a mapping`},
	}
	for _, tt := range tests {
		var v scalars
		err := yaml.Unmarshal([]byte(tt.in), &v)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.in, err, tt.want)
		}
	}
}
