package devices

import (
	"fmt"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// nodeError reports a problem with the YAML node n in the form the YAML
// decoder collects ("line L: column C: msg"), so that decoding goes on and
// Parse can turn it into a FieldError with the node's field path.
func nodeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{
		fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, fmt.Sprintf(format, args...)),
	}}
}

// scalar returns the value of a scalar node or a nodeError.
func scalar(n *yaml.Node, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", nodeError(n, "want %s, got a %s", want, kindName(n.Kind))
	}
	return n.Value, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	return "scalar"
}

// ClockMidnightEnd is 24:00, the end of the day; the largest ClockTime.
const ClockMidnightEnd ClockTime = 24 * 60

// ParseClockTime parses "HH:MM" (two digits each) between 00:00 and 24:00.
func ParseClockTime(s string) (ClockTime, error) {
	bad := fmt.Errorf("bad clock time %q (want HH:MM between 00:00 and 24:00)", s)
	if len(s) != 5 || s[2] != ':' || !digits(s[:2]) || !digits(s[3:]) {
		return 0, bad
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, bad
	}
	return ClockTime(h*60 + m), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String returns the clock time as "HH:MM".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Clock returns the clock time of hour h and minute m.
func Clock(h, m int) ClockTime { return ClockTime(h*60 + m) }

// UnmarshalYAML reads "HH:MM".
func (c *ClockTime) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, `a clock time "HH:MM"`)
	if err != nil {
		return err
	}
	v, err := ParseClockTime(s)
	if err != nil {
		return nodeError(n, "%v", err)
	}
	*c = v
	return nil
}

// MarshalYAML writes "HH:MM".
func (c ClockTime) MarshalYAML() (any, error) { return c.String(), nil }

// String returns the duration like time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML reads a Go duration ("60s", "2m"); it must be positive.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, `a duration like "60s"`)
	if err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return nodeError(n, "bad duration %q (want a number with a unit, like 60s or 2m)", s)
	}
	if v <= 0 {
		return nodeError(n, "duration %q must be positive", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes whole seconds as "<n>s" ("60s") and anything else as
// time.Duration prints it.
func (d Duration) MarshalYAML() (any, error) {
	if time.Duration(d)%time.Second == 0 {
		return fmt.Sprintf("%ds", time.Duration(d)/time.Second), nil
	}
	return d.String(), nil
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("bad date %q (want YYYY-MM-DD)", s)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// String returns "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// In returns midnight at the start of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Weekday returns the day of the week of the date.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.key(), e.key()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.key() < e.key() }

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

func (d Date) key() int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// UnmarshalYAML reads "YYYY-MM-DD".
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	s, err := scalar(n, `a date "YYYY-MM-DD"`)
	if err != nil {
		return err
	}
	v, err := ParseDate(s)
	if err != nil {
		return nodeError(n, "%v", err)
	}
	*d = v
	return nil
}

// MarshalYAML writes "YYYY-MM-DD".
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// windowYAML has Window's fields without its methods.
type windowYAML Window

// windowKeys are the keys a window mapping may have.
var windowKeys = map[string]bool{"name": true, "start": true, "end": true}

// UnmarshalYAML reads a window and insists on both start and end: a missing
// clock time would otherwise read as 00:00.
func (w *Window) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return nodeError(n, "want a window mapping {start, end}, got a %s", kindName(n.Kind))
	}
	var errs []string
	have := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !windowKeys[k.Value] {
			// Same wording as the YAML decoder's own, so Parse maps it alike.
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type devices.Window", k.Line, k.Value))
			continue
		}
		if v.ShortTag() != "!!null" {
			have[k.Value] = true
		}
	}
	for _, key := range []string{"start", "end"} {
		if !have[key] {
			errs = append(errs, fmt.Sprintf("line %d: column %d: missing %s", n.Line, n.Column, key))
		}
	}
	var v windowYAML
	if err := n.Decode(&v); err != nil {
		te, ok := err.(*yaml.TypeError)
		if !ok {
			return err
		}
		errs = append(errs, te.Errors...)
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	*w = Window(v)
	return nil
}

// MarshalText writes the date as "YYYY-MM-DD" (JSON, logs).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
