package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/campusguard/campusguard/alerting"
)

// TestFieldsMatchParams checks the key table against Params: one key per
// field, named the snake_case of the field, and each accessor reaching that
// field. A Params field added without a key fails here.
func TestFieldsMatchParams(t *testing.T) {
	rt := reflect.TypeOf(Params{})
	seen := map[string]bool{}
	for i := range rt.NumField() {
		name := rt.Field(i).Name
		key := snake(name)
		if name == "Disabled" || name == "Severity" {
			key = keyRules
		}
		f, ok := fieldByKey[key]
		if !ok {
			t.Errorf("Params.%s has no key %q", name, key)
			continue
		}
		seen[key] = true
		if key == keyRules {
			continue
		}
		var p Params
		switch f.kind {
		case kindCount:
			*f.count(&p) = 7
		case kindDuration:
			*f.duration(&p) = 7
		case kindBySeverity:
			*f.bySeverity(&p) = map[alerting.Severity]time.Duration{alerting.P0: 7}
		}
		if reflect.ValueOf(p).Field(i).IsZero() {
			t.Errorf("key %s does not set Params.%s", key, name)
		}
	}
	for _, f := range fields {
		if !seen[f.key] {
			t.Errorf("key %s names no Params field", f.key)
		}
	}
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func TestParamsValidate(t *testing.T) {
	d := Defaults()
	if err := d.Validate(); err != nil {
		t.Fatalf("Defaults are invalid: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Params)
		want string
	}{
		{"zero count", func(p *Params) { p.PostMinStaff = 0 }, "post_min_staff: must be at least 1, got 0"},
		{"negative duration", func(p *Params) { p.GracePeriod = -time.Minute }, "grace_period: duration -1m must be positive"},
		{"time of day", func(p *Params) { p.PatrolNoneByNoon = 25 * time.Hour }, "patrol_none_by_noon: must be a time of day before 24h"},
		{"escalation", func(p *Params) { p.EscalateAfter[alerting.P3] = 0 }, "escalate_after.P3: duration 0s must be positive"},
		{"bad severity key", func(p *Params) { p.RemindEvery["P7"] = time.Hour }, `remind_every: severity must be P0, P1, P2 or P3: "P7"`},
		{"unknown rule", func(p *Params) { p.Disabled["gate_foo"] = true }, `disabled: unknown rule "gate_foo"`},
		{"bad rule severity", func(p *Params) { p.Severity[alerting.GateForced] = "P9" }, `severity.gate_forced: severity must be P0, P1, P2 or P3: "P9"`},
		{"relation", func(p *Params) { p.PostAlertBefore = time.Hour }, "post_alert_before (1h) must not exceed post_arrive_before (20m)"},
		{"silence ceiling", func(p *Params) { p.SilenceMaxDuration = 3650 * 24 * time.Hour }, "silence_max_duration: must be at most 30d (hard ceiling), got 3650d"},
		{"drill ceiling", func(p *Params) { p.SilenceDrillMaxDuration = 10 * time.Hour }, "silence_drill_max_duration: must be at most 8h (hard ceiling)"},
		{"drill over max", func(p *Params) { p.SilenceMaxDuration = time.Hour }, "silence_drill_max_duration (4h) must not exceed silence_max_duration (1h)"},
	} {
		p := d.Clone()
		tc.edit(p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestClone(t *testing.T) {
	d := Defaults()
	c := d.Clone()
	if !reflect.DeepEqual(*c, d) {
		t.Fatal("Clone differs")
	}
	c.Disabled[alerting.GateForced] = true
	c.EscalateAfter[alerting.P0] = time.Hour
	if d.Disabled[alerting.GateForced] || d.EscalateAfter[alerting.P0] != time.Minute {
		t.Error("Clone shares maps")
	}
	var zero Params
	if z := zero.Clone(); z.Disabled == nil || z.Severity == nil || z.EscalateAfter == nil || z.RemindEvery == nil {
		t.Error("Clone of zero Params has nil maps")
	}
}

// TestSilenceLimits: the silence limits are read from the defaults block,
// up to their hard ceilings.
func TestSilenceLimits(t *testing.T) {
	f, err := Parse("rules.yaml", []byte("defaults:\n  silence_max_duration: 30d\n  silence_drill_max_duration: 8h\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Resolve("", "")
	if p.SilenceMaxDuration != SilenceMaxCeiling || p.SilenceDrillMaxDuration != SilenceDrillMaxCeiling {
		t.Fatalf("limits %s, %s", p.SilenceMaxDuration, p.SilenceDrillMaxDuration)
	}
	if d := Defaults(); d.SilenceMaxDuration != 7*24*time.Hour || d.SilenceDrillMaxDuration != 4*time.Hour {
		t.Fatalf("default limits %s, %s", d.SilenceMaxDuration, d.SilenceDrillMaxDuration)
	}
}
