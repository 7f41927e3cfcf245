package config

import (
	"maps"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Params are the resolved parameters for one school. Every duration is a
// real duration; every default comes from docs/rules.md (marked "assumed"
// there where no source gives one).
type Params struct {
	// Disabled rules do not fire for this school.
	Disabled map[alerting.RuleID]bool
	// Severity overrides a rule's catalogue severity.
	Severity map[alerting.RuleID]alerting.Severity

	// HeartbeatMisses: a device is offline after this many missed
	// heartbeat intervals (alarm_offline, access_offline).
	HeartbeatMisses int

	AlarmLinkDownAfter time.Duration // alarm_link_down: link down longer than this
	AlarmTestMaxAge    time.Duration // alarm_test_overdue: no successful test for this long

	DeniedBurstCount  int           // gate_denied_burst: this many denials at one gate ...
	DeniedBurstWindow time.Duration // ... within this window
	HeldOpenAfter     time.Duration // gate_held_open: open longer than this outside windows

	GuardCheckAfterDayStart time.Duration // guard_understaffed: first check this long after the day starts
	GuardroomUnmannedAfter  time.Duration // guardroom_unmanned: no presence at the guard room for this long
	GuardHandoverGap        time.Duration // guard_understaffed: a shortfall this short is a handover, not a lapse
	GuardLicenseWarnBefore  time.Duration // guard_license_expiring: a licence expiring within this long
	PresenceMaxAge          time.Duration // a check-in without a check-out counts as presence this long (one shift)
	PatrolMinRounds         int           // patrol_shortfall: rounds required per day
	PatrolNoneByNoon        time.Duration // patrol_shortfall P2 if no round by this time of day (12:00)

	PostArriveBefore time.Duration // post staff expected this long before a peak window; only a check-in from then on staffs it (lead time)
	PostAlertBefore  time.Duration // post_unstaffed fires if nobody by window start minus this
	PostMinStaff     int           // post_understaffed: people required at the main gate

	KitchenWindowLead   time.Duration // kitchen operating window starts this long before a meal
	KitchenOfflineAfter time.Duration // kitchen_cam_offline: offline/not streaming/frozen this long in a window
	KitchenFrameAgeMax  time.Duration // a frame older than this counts as frozen
	KitchenRepeatTier3  int           // kitchen_repeat: this many tier-3 events of one category in a school day
	KitchenRepeatTier2  time.Duration // kitchen_repeat: a tier-2 repeat within this long
	// The rectification deadline of a kitchen_violation by tier (DueAt =
	// the first detection of the alert + this; kitchen_overdue after):
	// docs/rules.md closes violations within 24 h unless a tier says less.
	// KitchenCloseWithin is tier 2's and keeps its old name (and key).
	KitchenCloseTier1  time.Duration // tier 1 (rodent, unattended flame); 4 h (assumed)
	KitchenCloseWithin time.Duration // tier 2 (smoking, bin lid open, phone, stranger)
	KitchenCloseTier3  time.Duration // tier 3 (no hat, mask, uniform, gloves; shirtless)
	// KitchenGroupWindow: detections of one category at one camera within
	// this long of the first one are one alert with a count. At most the
	// shortest deadline, so a grouped detection never lands past its DueAt.
	KitchenGroupWindow time.Duration
	// KitchenMinConfidence: a violation whose AI confidence is below this
	// (0–1) is stored but raises nothing.
	KitchenMinConfidence float64

	// Lifecycle.
	EscalateAfter map[alerting.Severity]time.Duration // not acknowledged this long → escalate (alarm_unacked for panics)
	RemindEvery   map[alerting.Severity]time.Duration // reminder notifications while open
	GracePeriod   time.Duration                       // after start-up no offline alerts for this long

	// Silences: one limit for the whole deployment, so these are read from
	// the file's defaults only (Resolve("", "")); a region or school block
	// may not set them.
	SilenceMaxDuration      time.Duration // the longest silence anyone may create
	SilenceDrillMaxDuration time.Duration // the longest silence that may mute alarm_panic or alarm_unacked (a police drill)
}

// Defaults returns the parameters of docs/rules.md.
func Defaults() Params {
	return Params{
		Disabled:                map[alerting.RuleID]bool{},
		Severity:                map[alerting.RuleID]alerting.Severity{},
		HeartbeatMisses:         3,
		AlarmLinkDownAfter:      60 * time.Second,
		AlarmTestMaxAge:         30 * 24 * time.Hour,
		DeniedBurstCount:        3,
		DeniedBurstWindow:       5 * time.Minute,
		HeldOpenAfter:           5 * time.Minute,
		GuardCheckAfterDayStart: 30 * time.Minute,
		GuardroomUnmannedAfter:  30 * time.Minute,
		GuardHandoverGap:        5 * time.Minute,
		GuardLicenseWarnBefore:  30 * 24 * time.Hour,
		PresenceMaxAge:          16 * time.Hour,
		PatrolMinRounds:         5,
		PatrolNoneByNoon:        12 * time.Hour,
		PostArriveBefore:        20 * time.Minute,
		PostAlertBefore:         10 * time.Minute,
		PostMinStaff:            2,
		KitchenWindowLead:       90 * time.Minute,
		KitchenOfflineAfter:     10 * time.Minute,
		KitchenFrameAgeMax:      60 * time.Second,
		KitchenRepeatTier3:      3,
		KitchenRepeatTier2:      7 * 24 * time.Hour,
		KitchenCloseTier1:       4 * time.Hour,
		KitchenCloseWithin:      24 * time.Hour,
		KitchenCloseTier3:       24 * time.Hour,
		KitchenGroupWindow:      30 * time.Minute,
		KitchenMinConfidence:    0.6,
		EscalateAfter: map[alerting.Severity]time.Duration{
			alerting.P0: 60 * time.Second,
			alerting.P1: 10 * time.Minute,
		},
		RemindEvery: map[alerting.Severity]time.Duration{
			alerting.P0: 2 * time.Minute,
			alerting.P1: 30 * time.Minute,
			alerting.P2: 4 * time.Hour,
		},
		GracePeriod:             5 * time.Minute,
		SilenceMaxDuration:      7 * 24 * time.Hour,
		SilenceDrillMaxDuration: 4 * time.Hour,
	}
}

// KitchenDeadline returns how long a kitchen violation of tier (1, 2 or
// 3) has to be closed; 0 for any other tier.
func (p *Params) KitchenDeadline(tier int) time.Duration {
	switch tier {
	case 1:
		return p.KitchenCloseTier1
	case 2:
		return p.KitchenCloseWithin
	case 3:
		return p.KitchenCloseTier3
	}
	return 0
}

// Enabled reports whether rule fires for this school.
func (p *Params) Enabled(rule alerting.RuleID) bool { return !p.Disabled[rule] }

// SeverityOf returns the rule's severity: the override, else def.
func (p *Params) SeverityOf(rule alerting.RuleID, def alerting.Severity) alerting.Severity {
	if s, ok := p.Severity[rule]; ok {
		return s
	}
	return def
}

// Clone returns a deep copy of p (its maps are new, never nil).
func (p *Params) Clone() *Params {
	c := *p
	c.Disabled = maps.Clone(p.Disabled)
	c.Severity = maps.Clone(p.Severity)
	c.EscalateAfter = maps.Clone(p.EscalateAfter)
	c.RemindEvery = maps.Clone(p.RemindEvery)
	if c.Disabled == nil {
		c.Disabled = map[alerting.RuleID]bool{}
	}
	if c.Severity == nil {
		c.Severity = map[alerting.RuleID]alerting.Severity{}
	}
	if c.EscalateAfter == nil {
		c.EscalateAfter = map[alerting.Severity]time.Duration{}
	}
	if c.RemindEvery == nil {
		c.RemindEvery = map[alerting.Severity]time.Duration{}
	}
	return &c
}
