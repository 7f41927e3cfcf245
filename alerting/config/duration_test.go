package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "60s", want: time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "30d", want: 30 * day},
		{in: "7d", want: 7 * day},
		{in: "1d12h", want: 36 * time.Hour},
		{in: "+2d", want: 2 * day},
		{in: "-30d", want: -30 * day},
		{in: "0s", want: 0},
		{in: "0d", want: 0},
		{in: "-5m", want: -5 * time.Minute},
		{in: "106751d", want: 106751 * day},
		{in: "106752d", bad: true}, // overflows
		{in: "106751d24h", bad: true},
		{in: "d", bad: true},
		{in: "1.5d", bad: true},
		{in: "30days", bad: true},
		{in: "1d-5m", bad: true},
		{in: "1d+5m", bad: true},
		{in: "1d5", bad: true},
		{in: "1dd", bad: true},
		{in: "--1d", bad: true},
		{in: "300", bad: true},
		{in: "", bad: true},
		{in: "5 minutes", bad: true},
	} {
		got, err := ParseDuration(tc.in)
		switch {
		case tc.bad && err == nil:
			t.Errorf("ParseDuration(%q) = %v, want an error", tc.in, got)
		case !tc.bad && err != nil:
			t.Errorf("ParseDuration(%q): %v", tc.in, err)
		case !tc.bad && got != tc.want:
			t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{30 * 24 * time.Hour, "30d"},
		{36 * time.Hour, "36h"},
		{90 * time.Minute, "90m"},
		{60 * time.Second, "1m"},
		{45 * time.Second, "45s"},
		{-5 * time.Minute, "-5m"},
		{1500 * time.Millisecond, "1.5s"},
	} {
		got := FormatDuration(tc.in)
		if got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if back, err := ParseDuration(got); err != nil || back != tc.in {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", tc.in, back, err)
		}
	}
}
