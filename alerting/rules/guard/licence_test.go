package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

func TestGuardLicenseExpiring(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	roster := func(s *devices.School) {
		s.Guards[0].LicenseExpires = d("2026-06-10") // 30 days after 05-11: warned from 05-11
		s.Guards[0].Company = "承德安保"
		s.Guards[1].LicenseExpires = d("2026-06-11") // 31 days: warned from 05-12
		s.Guards[2].LicenseExpires = d("2026-05-10") // expired yesterday
		s.Guards[3].LicenseExpires = d("2027-01-01")
	}
	h := newHarness(t, mon(9, 0), roster)
	h.AdvanceTo(at(5, 13, 0, 0))
	expect(t, h, rules(alerting.GuardLicenseExpiring), []want{
		fire(alerting.GuardLicenseExpiring, "g1", mon(9, 0), alerting.P3),
		fire(alerting.GuardLicenseExpiring, "g3", mon(9, 0), alerting.P3),
		fire(alerting.GuardLicenseExpiring, "g2", at(5, 12, 0, 0), alerting.P3),
	})
	f := h.Fired(alerting.GuardLicenseExpiring)
	if !strings.Contains(f[0].MessageZH, "2026-06-10") || !strings.Contains(f[0].MessageZH, "承德安保") ||
		!strings.Contains(f[0].MessageEN, "in 30 days") {
		t.Errorf("g1 message: %q / %q", f[0].MessageZH, f[0].MessageEN)
	}
	if !strings.Contains(f[1].MessageZH, "已于 2026-05-10 过期") || !strings.Contains(f[1].MessageEN, "expired on 2026-05-10") {
		t.Errorf("g3 message: %q / %q", f[1].MessageZH, f[1].MessageEN)
	}
	if info, _ := alerting.Info(alerting.GuardLicenseExpiring); info.Owner != alerting.Education || info.NeedsClose ||
		info.Severity != alerting.P3 {
		t.Errorf("catalogue entry: %+v", info)
	}

	// An expired licence is no licence: the check-in is guard_unlicensed.
	h.Reset()
	in(h, "g3", devices.PostGuardroom, "guard")
	in(h, "g1", devices.PostGuardroom, "guard")
	if f := h.Fired(alerting.GuardUnlicensed); len(f) != 1 || f[0].Subject != "g3" {
		t.Errorf("guard_unlicensed: %+v", f)
	}

	// A renewed licence (registry reload) resolves.
	h.Reset()
	h.Sch.Guards[0].LicenseExpires = d("2028-06-10")
	h.Mod.Start(h, h.State())
	expect(t, h, rules(alerting.GuardLicenseExpiring), []want{
		resolve(alerting.GuardLicenseExpiring, "g1", h.Now()),
	})
}

// Regression (issue 8): a school whose roster was never imported made
// every guard check-in guard_unlicensed and guard_understaffed fire all
// day. No roster means the licences are unknown: neither is judged.
func TestNoRosterNotJudged(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	h := newHarness(t, mon(6, 0), func(s *devices.School) { s.Guards = nil })
	in(h, "g1", devices.PostGuardroom, "guard")
	h.AdvanceTo(mon(12, 0))
	in(h, "g2", devices.PostMainGate, "guard")
	h.AdvanceTo(mon(23, 0))
	if n := len(h.Fired(alerting.GuardUnlicensed)) + len(h.Fired(alerting.GuardUnderstaffed)); n != 0 {
		t.Errorf("fired without a roster:\n%s", h)
	}
	// The guard room is still watched: it needs no licence check.
	out(h, "g1", devices.PostGuardroom, "guard")
	h.AdvanceTo(mon(23, 30))
	if len(h.Fired(alerting.GuardroomUnmanned)) != 1 {
		t.Errorf("guardroom_unmanned not judged:\n%s", h)
	}
}

// A roster imported from CSV (registry import -guards) carries the licence
// expiry the rule warns of.
func TestLicenseExpiringFromImportedRoster(t *testing.T) {
	reg, err := devices.ImportCSV(
		strings.NewReader("id,name,region,type,pupils,boarders,calendar\ncd-0001,双桥区第三小学,130802,primary,150,,\n"),
		strings.NewReader("id,school,kind,location,heartbeat_s,post,kitchen,gate\ncd-0001-guard-1,cd-0001,guard,门卫室,,guardroom,,\n"),
		devices.ImportOptions{Calendar: devices.DefaultCalendarID})
	if err != nil {
		t.Fatal(err)
	}
	if err := devices.ImportGuardsCSV(reg, strings.NewReader("school,id,company,license,license_expires\n"+
		"cd-0001,g-a,承德安保,冀保-0001,2026-12-15\n"+
		"cd-0001,g-b,承德安保,冀保-0002,2027-06-30\n")); err != nil {
		t.Fatal(err)
	}
	sch, _ := reg.School("cd-0001")
	h := enginetest.New(t, New(), sch, time.Date(2026, 11, 30, 9, 0, 0, 0, devices.Location()))
	h.Start()
	f := h.Fired(alerting.GuardLicenseExpiring)
	if len(f) != 1 || f[0].Subject != "g-a" || f[0].Severity != alerting.P3 || !strings.Contains(f[0].MessageZH, "承德安保") ||
		!strings.Contains(f[0].MessageEN, "in 15 days") {
		t.Errorf("fired: %+v", f)
	}
}
