package config

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Validate checks Params built in code the way the rules file is checked:
// counts at least 1, durations positive (and times of day inside the day),
// known rule ids and severities, and the relations between fields. A file
// that loads and passes CheckRegistry resolves only to valid Params.
func (p *Params) Validate() error {
	var errs []error
	for i := range fields {
		f := &fields[i]
		switch f.kind {
		case kindCount:
			if msg := checkCount(*f.count(p)); msg != "" {
				errs = append(errs, fmt.Errorf("%s: %s", f.key, msg))
			}
		case kindDuration:
			if msg := checkDuration(f, *f.duration(p), FormatDuration(*f.duration(p))); msg != "" {
				errs = append(errs, fmt.Errorf("%s: %s", f.key, msg))
			}
		case kindFraction:
			if msg := checkFraction(*f.fraction(p)); msg != "" {
				errs = append(errs, fmt.Errorf("%s: %s", f.key, msg))
			}
		case kindBySeverity:
			m := *f.bySeverity(p)
			for _, s := range sortedKeys(m) {
				if _, err := alerting.ParseSeverity(string(s)); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", f.key, err))
				} else if msg := checkDuration(f, m[s], FormatDuration(m[s])); msg != "" {
					errs = append(errs, fmt.Errorf("%s.%s: %s", f.key, s, msg))
				}
			}
		case kindRules:
			for _, id := range sortedKeys(p.Disabled) {
				if _, ok := alerting.Info(id); !ok {
					errs = append(errs, fmt.Errorf("disabled: unknown rule %q", id))
				}
			}
			for _, id := range sortedKeys(p.Severity) {
				if _, ok := alerting.Info(id); !ok {
					errs = append(errs, fmt.Errorf("severity: unknown rule %q", id))
				} else if _, err := alerting.ParseSeverity(string(p.Severity[id])); err != nil {
					errs = append(errs, fmt.Errorf("severity.%s: %w", id, err))
				}
			}
		}
	}
	for _, pr := range p.problems() {
		errs = append(errs, errors.New(pr.msg))
	}
	return errors.Join(errs...)
}

// checkCount returns what is wrong with a count, or "".
func checkCount(n int) string {
	if n < 1 {
		return fmt.Sprintf("must be at least 1, got %d", n)
	}
	return ""
}

// checkFraction returns what is wrong with a fraction, or "".
func checkFraction(x float64) string {
	if !(x >= 0 && x <= 1) { // also refuses NaN
		return fmt.Sprintf("must be from 0 to 1, got %g", x)
	}
	return ""
}

// checkDuration returns what is wrong with a duration of field f, written
// as shown, or "".
func checkDuration(f *field, d time.Duration, shown string) string {
	switch {
	case d <= 0:
		return fmt.Sprintf("duration %s must be positive", shown)
	case f.below > 0 && d >= f.below:
		return fmt.Sprintf("must be a time of day before %dh, got %s", f.below/time.Hour, shown)
	case f.max > 0 && d > f.max:
		return fmt.Sprintf("must be at most %s (hard ceiling), got %s", FormatDuration(f.max), shown)
	}
	return ""
}

// problem is a relation between fields that does not hold; keys are the
// fields involved, so the loader can blame the block that set one of them.
type problem struct {
	keys []string
	msg  string
}

// problems returns the relations between fields of p that do not hold.
func (p *Params) problems() []problem {
	var out []problem
	if p.PostAlertBefore > p.PostArriveBefore {
		out = append(out, problem{
			keys: []string{"post_alert_before", "post_arrive_before"},
			msg: fmt.Sprintf("post_alert_before (%s) must not exceed post_arrive_before (%s): post_unstaffed would fire before the staff are due",
				FormatDuration(p.PostAlertBefore), FormatDuration(p.PostArriveBefore)),
		})
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"kitchen_close_tier1", p.KitchenCloseTier1}, {"kitchen_close_within", p.KitchenCloseWithin}} {
		if p.KitchenGroupWindow > d.v {
			out = append(out, problem{
				keys: []string{"kitchen_group_window", d.key},
				msg: fmt.Sprintf("kitchen_group_window (%s) must not exceed %s (%s): a grouped detection would join an alert already past its deadline",
					FormatDuration(p.KitchenGroupWindow), d.key, FormatDuration(d.v)),
			})
		}
	}
	if p.SilenceDrillMaxDuration > p.SilenceMaxDuration {
		out = append(out, problem{
			keys: []string{"silence_drill_max_duration", "silence_max_duration"},
			msg: fmt.Sprintf("silence_drill_max_duration (%s) must not exceed silence_max_duration (%s)",
				FormatDuration(p.SilenceDrillMaxDuration), FormatDuration(p.SilenceMaxDuration)),
		})
	}
	return out
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
