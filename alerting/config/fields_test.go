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
		case kindFraction:
			*f.fraction(&p) = 0.7
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
		{"confidence above 1", func(p *Params) { p.KitchenMinConfidence = 1.5 }, "kitchen_min_confidence: must be from 0 to 1, got 1.5"},
		{"negative confidence", func(p *Params) { p.KitchenMinConfidence = -0.1 }, "kitchen_min_confidence: must be from 0 to 1, got -0.1"},
		{"group window over the tier-1 deadline", func(p *Params) { p.KitchenGroupWindow = 5 * time.Hour },
			"kitchen_group_window (5h) must not exceed kitchen_close_tier1 (4h)"},
		{"group window over the tier-2 deadline", func(p *Params) { p.KitchenCloseTier1 = 48 * time.Hour; p.KitchenGroupWindow = 30 * time.Hour },
			"kitchen_group_window (30h) must not exceed kitchen_close_within (1d)"},
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

// TestKitchenParams: the kitchen deadlines per tier, the grouping window
// and the minimum AI confidence resolve per region and school like every
// other key; a confidence may be written as 0 or 1.
func TestKitchenParams(t *testing.T) {
	f, err := Parse("rules.yaml", []byte(`defaults:
  kitchen_min_confidence: 0.5
regions:
  "130802":
    kitchen_close_tier1: 2h
    kitchen_min_confidence: 1
schools:
  cd-0001:
    kitchen_close_tier3: 12h
    kitchen_group_window: 1h
    kitchen_min_confidence: 0
`))
	if err != nil {
		t.Fatal(err)
	}
	d := Defaults()
	if d.KitchenDeadline(1) != 4*time.Hour || d.KitchenDeadline(2) != 24*time.Hour || d.KitchenDeadline(3) != 24*time.Hour ||
		d.KitchenDeadline(0) != 0 || d.KitchenGroupWindow != 30*time.Minute || d.KitchenMinConfidence != 0.6 {
		t.Errorf("defaults: deadlines %s %s %s, group %s, confidence %g", d.KitchenDeadline(1), d.KitchenDeadline(2),
			d.KitchenDeadline(3), d.KitchenGroupWindow, d.KitchenMinConfidence)
	}
	for _, tc := range []struct {
		region, school string
		t1, t3, group  time.Duration
		conf           float64
	}{
		{"130803", "x", 4 * time.Hour, 24 * time.Hour, 30 * time.Minute, 0.5},
		{"130802", "x", 2 * time.Hour, 24 * time.Hour, 30 * time.Minute, 1},
		{"130802", "cd-0001", 2 * time.Hour, 12 * time.Hour, time.Hour, 0},
	} {
		p := f.Resolve(tc.region, tc.school)
		if p.KitchenDeadline(1) != tc.t1 || p.KitchenDeadline(3) != tc.t3 || p.KitchenGroupWindow != tc.group || p.KitchenMinConfidence != tc.conf {
			t.Errorf("%s/%s: tier 1 %s, tier 3 %s, group %s, confidence %g", tc.region, tc.school,
				p.KitchenDeadline(1), p.KitchenDeadline(3), p.KitchenGroupWindow, p.KitchenMinConfidence)
		}
	}
}
