package config

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// The keys of an override block (defaults, a region, a school): one per
// Params field, the snake_case of its name, plus "rules" for Disabled and
// Severity. This table is the one place that ties keys to fields; a test
// checks it against Params by reflection.

type fieldKind int

const (
	kindCount      fieldKind = iota // a positive integer
	kindDuration                    // a positive duration ("90s", "10m", "30d")
	kindBySeverity                  // a mapping of severity to duration
	kindRules                       // a mapping of rule id to {enabled, severity}
	kindFraction                    // a number from 0 to 1 (a share, an AI confidence)
)

// field is one key of an override block.
type field struct {
	key  string
	kind fieldKind
	// below, when set, is an exclusive upper bound of a duration (a time
	// of day); max, when set, an inclusive one (a hard ceiling).
	below time.Duration
	max   time.Duration
	// defaultsOnly: a deployment-wide value, refused in a region or
	// school block.
	defaultsOnly bool
	// Exactly one accessor is set, by kind.
	count      func(*Params) *int
	duration   func(*Params) *time.Duration
	bySeverity func(*Params) *map[alerting.Severity]time.Duration
	fraction   func(*Params) *float64
}

const keyRules = "rules"

var fields = []field{
	{key: "heartbeat_misses", kind: kindCount, count: func(p *Params) *int { return &p.HeartbeatMisses }},
	{key: "alarm_link_down_after", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.AlarmLinkDownAfter }},
	{key: "alarm_test_max_age", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.AlarmTestMaxAge }},
	{key: "denied_burst_count", kind: kindCount, count: func(p *Params) *int { return &p.DeniedBurstCount }},
	{key: "denied_burst_window", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.DeniedBurstWindow }},
	{key: "held_open_after", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.HeldOpenAfter }},
	{key: "guard_check_after_day_start", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.GuardCheckAfterDayStart }},
	{key: "guardroom_unmanned_after", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.GuardroomUnmannedAfter }},
	{key: "patrol_min_rounds", kind: kindCount, count: func(p *Params) *int { return &p.PatrolMinRounds }},
	// A time of day (12h is noon), so it must be inside the day.
	{key: "patrol_none_by_noon", kind: kindDuration, below: 24 * time.Hour, duration: func(p *Params) *time.Duration { return &p.PatrolNoneByNoon }},
	{key: "post_arrive_before", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.PostArriveBefore }},
	{key: "post_alert_before", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.PostAlertBefore }},
	{key: "post_min_staff", kind: kindCount, count: func(p *Params) *int { return &p.PostMinStaff }},
	{key: "kitchen_window_lead", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenWindowLead }},
	{key: "kitchen_offline_after", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenOfflineAfter }},
	{key: "kitchen_frame_age_max", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenFrameAgeMax }},
	{key: "kitchen_repeat_tier3", kind: kindCount, count: func(p *Params) *int { return &p.KitchenRepeatTier3 }},
	{key: "kitchen_repeat_tier2", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenRepeatTier2 }},
	{key: "kitchen_close_tier1", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenCloseTier1 }},
	{key: "kitchen_close_within", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenCloseWithin }},
	{key: "kitchen_close_tier3", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenCloseTier3 }},
	{key: "kitchen_group_window", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.KitchenGroupWindow }},
	{key: "kitchen_min_confidence", kind: kindFraction, fraction: func(p *Params) *float64 { return &p.KitchenMinConfidence }},
	{key: "escalate_after", kind: kindBySeverity, bySeverity: func(p *Params) *map[alerting.Severity]time.Duration { return &p.EscalateAfter }},
	{key: "remind_every", kind: kindBySeverity, bySeverity: func(p *Params) *map[alerting.Severity]time.Duration { return &p.RemindEvery }},
	{key: "grace_period", kind: kindDuration, duration: func(p *Params) *time.Duration { return &p.GracePeriod }},
	// Hard ceilings: no configuration lets a silence mute alerts for
	// longer than a month, or the panic rules for longer than a drill.
	{key: "silence_max_duration", kind: kindDuration, max: SilenceMaxCeiling, defaultsOnly: true,
		duration: func(p *Params) *time.Duration { return &p.SilenceMaxDuration }},
	{key: "silence_drill_max_duration", kind: kindDuration, max: SilenceDrillMaxCeiling, defaultsOnly: true,
		duration: func(p *Params) *time.Duration { return &p.SilenceDrillMaxDuration }},
	{key: keyRules, kind: kindRules},
}

// The hard ceilings of silence_max_duration and silence_drill_max_duration.
const (
	SilenceMaxCeiling      = 30 * 24 * time.Hour
	SilenceDrillMaxCeiling = 8 * time.Hour
)

var fieldByKey = func() map[string]*field {
	m := make(map[string]*field, len(fields))
	for i := range fields {
		m[fields[i].key] = &fields[i]
	}
	return m
}()

// allFieldKeys lists the keys in table order, for suggestions.
var allFieldKeys = func() []string {
	keys := make([]string, len(fields))
	for i := range fields {
		keys[i] = fields[i].key
	}
	return keys
}()

// Rule keys: the keys of one rule's mapping under rules.
const (
	keyEnabled  = "enabled"
	keySeverity = "severity"
)

var severities = []alerting.Severity{alerting.P0, alerting.P1, alerting.P2, alerting.P3}
