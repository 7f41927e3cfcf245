package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxDays is the most whole days a time.Duration holds.
const maxDays = int64(1<<63-1) / int64(24*time.Hour)

// ParseDuration parses a duration as the rules file writes it: a Go duration
// ("90s", "10m", "1h30m") or a whole number of days with a "d" suffix,
// optionally followed by a Go duration ("30d", "7d", "1d12h"). A sign is
// allowed (and a negative result is the caller's to reject).
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("bad duration %q (want a number and a unit: 90s, 10m, 4h, 30d)", s)
	days, rest, ok := strings.Cut(s, "d")
	if !ok {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, bad
		}
		return d, nil
	}
	neg := false
	switch {
	case strings.HasPrefix(days, "-"):
		neg, days = true, days[1:]
	case strings.HasPrefix(days, "+"):
		days = days[1:]
	}
	if !digits(days) || strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
		return 0, bad
	}
	n, err := strconv.ParseInt(days, 10, 64)
	if err != nil || n > maxDays {
		return 0, bad
	}
	d := time.Duration(n) * 24 * time.Hour
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil || r > 1<<63-1-d {
			return 0, bad
		}
		d += r
	}
	if neg {
		d = -d
	}
	return d, nil
}

// FormatDuration writes d the way ParseDuration reads it, in the largest
// unit that divides it ("30d", "4h", "10m", "60s"), and as time.Duration
// prints it otherwise ("1h30m0s").
func FormatDuration(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d == 0:
		return "0s"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
