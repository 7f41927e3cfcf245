package decode

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var tsSeeds = []string{
	"2026-11-28T07:12:03+08:00", "2026-11-27T23:12:03Z", "2026-11-27t23:12:03z", "2026-11-28T07:12:03.5+08:00",
	"2026-11-28T07:12:03.123456789-05:30", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
	"2026-11-28T24:00:00Z", "2026-11-28T07:60:00Z", "2026-11-28T07:12:60Z", "2026-11-28T07:12:03", "2026-11-28 07:12:03Z",
	"2026-11-28T07:12:03.Z", "2026-11-28T07:12:03.1234567890Z", "2026-11-28T07:12:03+0800", "2026-11-28T07:12:03+24:00",
	"2026-11-28T07:12:03+08:60", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999+23:59", "2026-11-28T07:12:03,5Z",
	"+2026-11-28T07:12:03Z", "2026-1-28T07:12:03Z", "", "Z",
}

// strictRFC3339 is the grammar parseRFC3339 implements. Unlike time.Parse
// it refuses offsets of 24 hours or 60 minutes (RFC 3339 §5.6).
var strictRFC3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$`)

// checkTS compares parseRFC3339 with time.Parse: whatever we accept, Go
// accepts as the same instant; whatever Go accepts in our grammar, we do.
func checkTS(t *testing.T, s string) {
	t.Helper()
	got, ok := parseRFC3339([]byte(s))
	norm := strings.NewReplacer("t", "T", "z", "Z").Replace(s)
	want, err := time.Parse(time.RFC3339Nano, norm)
	if ok {
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("parseRFC3339(%q) = %v; time.Parse = %v, %v", s, got, want, err)
		}
		if !strictRFC3339.MatchString(s) {
			t.Fatalf("parseRFC3339 accepted %q outside its grammar", s)
		}
	} else if err == nil && strictRFC3339.MatchString(s) {
		t.Fatalf("parseRFC3339(%q) rejected; time.Parse = %v", s, want)
	}
}

func TestParseRFC3339(t *testing.T) {
	for _, s := range tsSeeds {
		checkTS(t, s)
	}
	got, ok := parseRFC3339([]byte("2026-11-28T07:12:03.25+08:00"))
	if want := time.Date(2026, 11, 27, 23, 12, 3, 25e7, time.UTC); !ok || got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func FuzzRFC3339(f *testing.F) {
	for _, s := range tsSeeds {
		f.Add(s)
	}
	f.Fuzz(checkTS)
}

func TestParseInt(t *testing.T) {
	for _, tc := range []struct {
		lit  string
		frac bool
		want int64
		ok   bool
	}{
		{"0", false, 0, true},
		{"-0", false, 0, true},
		{"1795821123000", false, 1795821123000, true},
		{"9223372036854775807", false, math.MaxInt64, true},
		{"9223372036854775808", false, 0, false},
		{"-9223372036854775808", false, math.MinInt64, true},
		{"-9223372036854775809", false, 0, false},
		{"99999999999999999999", false, 0, false},
		{"1.0", true, 0, false},
	} {
		n, ok := parseInt(&member{kind: kNumber, raw: []byte(tc.lit), frac: tc.frac})
		if n != tc.want || ok != tc.ok {
			t.Errorf("parseInt(%s) = %d, %v; want %d, %v", tc.lit, n, ok, tc.want, tc.ok)
		}
		if ok {
			if ref, err := strconv.ParseInt(tc.lit, 10, 64); err != nil || ref != n {
				t.Errorf("strconv disagrees on %s: %d, %v", tc.lit, ref, err)
			}
		}
	}
}
