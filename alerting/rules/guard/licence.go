package guard

import (
	"fmt"
	"slices"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// --- guard_license_expiring ---

// checkLicences runs when a date is planned (engine start, registry
// reload, local midnight): a rostered guard whose licence ends within
// guard_license_warn_before (by date: on 05-11 with 30 days, a licence
// ending on 06-10 or earlier), or has ended, fires guard_license_expiring
// (subject: the guard id); it resolves when the roster shows a renewed
// licence or no longer lists the guard. From the day after its expiry date
// the guard counts as unlicensed (schedule.Licensed).
func (st *state) checkLicences(c engine.Ctx) {
	s, now := c.School(), c.Now()
	loc := s.Location()
	today := devices.DateOf(now.In(loc))
	// The last date a licence may end on to be warned of today.
	limit := devices.DateOf(now.Add(sched(c).LicenseWarnBefore).In(loc))
	var due []string
	for i := range s.Guards {
		g := &s.Guards[i]
		if g.LicenseExpires.IsZero() || g.LicenseExpires.Compare(limit) > 0 {
			continue
		}
		due = append(due, g.ID)
		if slices.Contains(st.expiring, g.ID) {
			continue
		}
		st.expiring = append(st.expiring, g.ID)
		var zh, en string
		if g.LicenseExpires.Before(today) {
			zh = fmt.Sprintf("%s 保安 %s 的保安员证已于 %s 过期", schoolName(s), g.ID, g.LicenseExpires)
			en = fmt.Sprintf("%s: guard %s's licence expired on %s", schoolName(s), g.ID, g.LicenseExpires)
		} else {
			days := int(g.LicenseExpires.In(time.UTC).Sub(today.In(time.UTC)) / (24 * time.Hour))
			zh = fmt.Sprintf("%s 保安 %s 的保安员证将于 %s 到期（剩 %d 天）", schoolName(s), g.ID, g.LicenseExpires, days)
			en = fmt.Sprintf("%s: guard %s's licence expires on %s (in %d days)", schoolName(s), g.ID, g.LicenseExpires, days)
		}
		if g.Company != "" {
			zh += "，所属保安公司：" + g.Company
			en += ", security company: " + g.Company
		}
		c.Fire(alerting.Condition{Rule: alerting.GuardLicenseExpiring, Subject: g.ID, MessageZH: zh, MessageEN: en})
	}
	st.expiring = slices.DeleteFunc(st.expiring, func(id string) bool {
		if slices.Contains(due, id) {
			return false
		}
		c.Resolve(alerting.GuardLicenseExpiring, id)
		return true
	})
}
