package service

import (
	"errors"
	"fmt"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// clearedWithSchool are the rules whose open alerts end when their school
// leaves the registry: device, staffing and school states nobody can
// observe any more, which their modules (gone with the school) would have
// resolved by themselves. It is the catalogue's rules without NeedsClose,
// but alarm_unacked and kitchen_overdue, which end with their parent.
// Events someone must close (a panic, a forced gate, an intrusion, a
// violation, a post left early) stay open until their owner closes them
// with a note.
var clearedWithSchool = func() []alerting.RuleID {
	var out []alerting.RuleID
	for _, r := range alerting.Catalogue {
		if !r.NeedsClose && r.ID != alerting.AlarmUnacked && r.ID != alerting.KitchenOverdue {
			out = append(out, r.ID)
		}
	}
	return out
}()

// Reload swaps the registry alerting runs on. A registry the rules file
// does not fit (CheckRegistry) is refused whole and the old one keeps
// running. Otherwise the engine takes it (every shard re-Starts its
// modules: new schools and devices are watched from now, removed devices
// are forgotten and their state alerts resolved), then compliance (new
// records, removed schools leave the reports), then the lifecycle's
// region look-up; the open state alerts of schools no longer registered
// are resolved and then their outage holds ended. The caller swaps the
// decoder's and the API's registry after Reload returns, so an event of a
// new school reaches an engine that knows it. reg must have passed devices validation.
func (s *Service) Reload(reg *devices.Registry) error {
	if reg == nil {
		return errors.New("alerting service: reload: registry is nil")
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if err := s.rules.CheckRegistry(reg); err != nil {
		return fmt.Errorf("alerting service: reload refused: %w", err)
	}
	old := s.reg.Load()
	if err := s.engine.Reload(reg); err != nil {
		return fmt.Errorf("alerting service: reload: %w", err)
	}
	s.compliance.SetRegistry(reg)
	s.reg.Store(reg)
	removed := 0
	for i := range old.Schools {
		id := old.Schools[i].ID
		if _, ok := reg.School(id); ok {
			continue
		}
		removed++
		now := s.opts.Clock.Now()
		for _, a := range s.manager.List(lifecycle.Filter{Schools: []string{id}, Rules: clearedWithSchool,
			States: []alerting.State{alerting.Firing, alerting.Acknowledged}}) {
			s.pushCond(alerting.Condition{Rule: a.Rule, Region: a.Region, School: a.School, Subject: a.Subject,
				At: now})
		}
		// Its school module state is gone with it: end its outage hold
		// here, or the lifecycle would hold (and count) it for ever.
		// After the resolutions: its inhibited device alerts end quietly
		// rather than being announced by the hold's end.
		s.pushCond(alerting.Condition{Rule: alerting.SchoolOffline, Region: old.Schools[i].Region, School: id,
			Hold: true, At: now})
	}
	s.log.Info().Int("schools", len(reg.Schools)).Int("devices", reg.DeviceCount()).Int("removed_schools", removed).
		Msg("alerting reloaded the registry")
	return nil
}
