package lifecycle

import (
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/devices"
)

// legacyDue returns the rectification deadline of an open kitchen_violation
// stored before every tier had one (the rule gave tiers 1 and 3 none, so
// those alerts showed "—" and never went overdue): its first detection
// (StartedAt) plus its tier's deadline, the tier read from the category in
// its subject ("<device>:<category>:<event>" or "<category>@<date>"), else
// from its severity. nil when a already has a deadline or needs none.
func legacyDue(a *alerting.Alert, p *config.Params) *time.Time {
	if a.Rule != alerting.KitchenViolation || !a.Open() || a.DueAt != nil {
		return nil
	}
	cat, _, _ := strings.Cut(a.Subject, "@")
	if parts := strings.Split(a.Subject, ":"); len(parts) == 3 {
		cat = parts[1]
	}
	tier := devices.ViolationCategories[cat]
	if tier == 0 {
		tier = map[alerting.Severity]int{alerting.P0: 1, alerting.P1: 1, alerting.P2: 2, alerting.P3: 3}[a.Severity]
	}
	d := p.KitchenDeadline(tier)
	if d <= 0 {
		return nil
	}
	due := a.StartedAt.Add(d)
	return &due
}
