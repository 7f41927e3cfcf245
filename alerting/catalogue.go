package alerting

import (
	"fmt"
	"slices"
)

// RuleID names a rule of docs/rules.md.
type RuleID string

// The rule catalogue (docs/rules.md "Rules (defaults)").
const (
	AlarmPanic       RuleID = "alarm_panic"
	AlarmUnacked     RuleID = "alarm_unacked"
	AlarmOffline     RuleID = "alarm_offline"
	AlarmLinkDown    RuleID = "alarm_link_down"
	AlarmTrouble     RuleID = "alarm_trouble"
	AlarmTestOverdue RuleID = "alarm_test_overdue"

	GateForced         RuleID = "gate_forced"
	GateIntrusion      RuleID = "gate_intrusion"
	GateBlacklist      RuleID = "gate_blacklist"
	GateDeniedBurst    RuleID = "gate_denied_burst"
	GateHeldOpen       RuleID = "gate_held_open"
	GateOpenAfterHours RuleID = "gate_open_after_hours"
	AccessOffline      RuleID = "access_offline"

	GuardUnderstaffed RuleID = "guard_understaffed"
	GuardroomUnmanned RuleID = "guardroom_unmanned"
	GuardUnlicensed   RuleID = "guard_unlicensed"
	// GuardLicenseExpiring: a rostered guard's licence expires within
	// guard_license_warn_before (default 30 days) or has expired.
	GuardLicenseExpiring RuleID = "guard_license_expiring"
	PatrolShortfall      RuleID = "patrol_shortfall"
	PostUnstaffed        RuleID = "post_unstaffed"
	PostUnderstaffed     RuleID = "post_understaffed"
	PostLeftEarly        RuleID = "post_left_early"
	KitchenCamOffline    RuleID = "kitchen_cam_offline"
	KitchenCamOccluded   RuleID = "kitchen_cam_occluded"
	KitchenViolation     RuleID = "kitchen_violation"
	KitchenRepeat        RuleID = "kitchen_repeat"
	KitchenOverdue       RuleID = "kitchen_overdue"

	// SchoolOffline replaces the per-device offline alerts of a school
	// whose devices all fell silent at once (inhibition).
	SchoolOffline RuleID = "school_offline"

	// CalendarExpiring: a school calendar in use runs out (no term or
	// national holiday data beyond a date) within 60 days. City-wide:
	// Subject is the calendar id, School and Region are empty.
	CalendarExpiring RuleID = "calendar_expiring"
)

// RuleInfo is a rule's catalogue entry: its defaults and its names.
type RuleInfo struct {
	ID       RuleID
	Kind     string     // device kind the rule watches ("" for school-level)
	Severity Severity   // default (some rules vary it by time of day)
	Audience []Audience // who is told; always includes Owner
	TitleZH  string
	TitleEN  string
	// Owner is the agency that verifies and closes the rule's alerts:
	// police for the alarm and intrusion rules, education for guards,
	// posts, gate discipline and alarm testing, market regulation for the
	// kitchen. Never the school: schools fix, agencies close.
	Owner Audience
	// NeedsClose: a condition that ends by itself only marks the alert
	// cleared (ClearedAt); it stays open, and counts in compliance, until
	// its owner closes it with a note. Other rules' alerts resolve when
	// their condition ends.
	NeedsClose bool
}

var (
	psE   = []Audience{Police, Education, SchoolAud}
	pS    = []Audience{Police, SchoolAud}
	pOnly = []Audience{Police}
	sE    = []Audience{SchoolAud, Education}
	eP    = []Audience{Education, Police}
	eOnly = []Audience{Education}
	mS    = []Audience{Market, SchoolAud}
	mOnly = []Audience{Market}
	mE    = []Audience{Market, Education}
)

// Catalogue lists every rule in a stable order.
var Catalogue = []RuleInfo{
	{AlarmPanic, "alarm", P0, psE, "一键报警求救", "Panic button pressed", Police, true},
	{AlarmUnacked, "alarm", P0, pOnly, "一键报警未确认（升级）", "Panic alarm not acknowledged (escalated)", Police, false},
	{AlarmOffline, "alarm", P1, pS, "一键报警终端离线", "Alarm terminal offline", Police, false},
	{AlarmLinkDown, "alarm", P1, pS, "一键报警与110联网中断", "Alarm terminal's 110 link down", Police, false},
	{AlarmTrouble, "alarm", P1, pS, "一键报警终端故障", "Alarm terminal trouble", Police, false},
	{AlarmTestOverdue, "alarm", P2, sE, "一键报警逾期未测试", "Alarm terminal test overdue", Education, false},
	{GateForced, "access", P1, pS, "校门被强行打开", "Gate forced open", Police, true},
	{GateIntrusion, "access", P1, pS, "校门闯入（尾随/翻越/逆行/冲撞）", "Gate intrusion (tailgating, climbing, reverse entry, forced impact)", Police, true},
	{GateBlacklist, "access", P0, pS, "黑名单人员刷卡", "Blacklisted credential at the gate", Police, true},
	{GateDeniedBurst, "access", P1, sE, "短时间多次拒绝通行", "Burst of denied attempts", Education, false},
	{GateHeldOpen, "access", P2, []Audience{SchoolAud, Police, Education}, "校门长时间未关", "Gate held open", Education, false},
	{GateOpenAfterHours, "access", P2, sE, "非开放时段校门常开", "Gate always-open outside hours", Education, false},
	{AccessOffline, "access", P1, sE, "门禁控制器离线", "Gate controller offline", Education, false},
	{GuardUnderstaffed, "guard", P2, eP, "在岗专职保安不足", "Fewer licensed guards on duty than required", Education, false},
	{GuardroomUnmanned, "guard", P1, []Audience{SchoolAud, Police, Education}, "门卫室无人值守", "Guard room unmanned", Education, false},
	{GuardUnlicensed, "guard", P2, eOnly, "非持证保安签到", "Check-in by a guard not on the licensed roster", Education, false},
	{GuardLicenseExpiring, "guard", P3, sE, "保安员证即将到期", "Guard licence expiring", Education, false},
	{PatrolShortfall, "guard", P3, sE, "巡逻次数不足", "Too few patrol rounds", Education, false},
	{PostUnstaffed, "guard", P1, psE, "护学岗未到岗", "Protection post not staffed", Education, false},
	{PostUnderstaffed, "guard", P1, psE, "护学岗人数不足", "Protection post understaffed", Education, false},
	{PostLeftEarly, "guard", P2, psE, "护学岗提前离岗", "Protection post left early", Education, true},
	{KitchenCamOffline, "kitchencam", P2, mS, "明厨亮灶摄像头离线", "Kitchen camera offline", Market, false},
	{KitchenCamOccluded, "kitchencam", P2, mS, "明厨亮灶摄像头被遮挡", "Kitchen camera covered", Market, false},
	{KitchenViolation, "kitchencam", P2, mS, "后厨违规行为", "Kitchen violation", Market, true},
	{KitchenRepeat, "kitchencam", P2, mOnly, "后厨违规反复发生", "Repeated kitchen violations", Market, false},
	{KitchenOverdue, "kitchencam", P2, mE, "后厨违规逾期未整改", "Kitchen violation not rectified in time", Market, false},
	{SchoolOffline, "", P1, []Audience{Police, SchoolAud, Education}, "学校设备全部离线", "All devices of the school offline", Police, false},
	{CalendarExpiring, "", P3, eOnly, "校历即将到期", "School calendar runs out soon", Education, false},
}

var catalogueByID = func() map[RuleID]*RuleInfo {
	m := make(map[RuleID]*RuleInfo, len(Catalogue))
	for i := range Catalogue {
		if r := &Catalogue[i]; r.Owner == SchoolAud || !slices.Contains(r.Audience, r.Owner) {
			panic(fmt.Sprintf("alerting: rule %s: owner %q must be an agency in its audience", r.ID, r.Owner))
		}
		if _, dup := m[Catalogue[i].ID]; dup {
			panic(fmt.Sprintf("alerting: duplicate rule %s", Catalogue[i].ID))
		}
		m[Catalogue[i].ID] = &Catalogue[i]
	}
	return m
}()

// Info returns the catalogue entry of id.
func Info(id RuleID) (*RuleInfo, bool) {
	r, ok := catalogueByID[id]
	return r, ok
}
