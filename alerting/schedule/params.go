package schedule

import (
	"time"

	"github.com/campusguard/campusguard/alerting/config"
)

// Params are the rule parameters that shape duty semantics, taken from the
// resolved config.Params of a school.
type Params struct {
	// Lead is how long before a window starts a check-in begins to count
	// for it (post_arrive_before, default 20 min): an earlier check-in,
	// even without a check-out, does not staff the window.
	Lead time.Duration
	// AlertBefore is the post_unstaffed alert point before a window
	// starts (post_alert_before, default 10 min; at most Lead).
	AlertBefore time.Duration
	// MinStaff is the people required at the main gate during a window
	// (post_min_staff, default 2).
	MinStaff int
	// MaxAge is how long a check-in without a check-out counts as
	// presence (presence_max_age, default 16 h: the longest shift, e.g. a night shift 17:00-08:00 with margin).
	MaxAge time.Duration
	// HandoverGap is how long the licensed guards on duty may fall short
	// of the requirement before it is a lapse (guard_handover_gap, default
	// 5 min: a shift handover).
	HandoverGap time.Duration
	// CheckAfterDayStart: guard staffing is judged from this long after
	// school hours begin (guard_check_after_day_start, default 30 min).
	CheckAfterDayStart time.Duration
	// LicenseWarnBefore: a licence expiring within this long is
	// guard_license_expiring (guard_license_warn_before, default 30 days).
	LicenseWarnBefore time.Duration
}

// ParamsOf returns the duty parameters of p.
func ParamsOf(p *config.Params) Params {
	return Params{
		Lead:               p.PostArriveBefore,
		AlertBefore:        p.PostAlertBefore,
		MinStaff:           p.PostMinStaff,
		MaxAge:             p.PresenceMaxAge,
		HandoverGap:        p.GuardHandoverGap,
		CheckAfterDayStart: p.GuardCheckAfterDayStart,
		LicenseWarnBefore:  p.GuardLicenseWarnBefore,
	}
}
