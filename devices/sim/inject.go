package sim

import (
	"fmt"

	"github.com/campusguard/campusguard/devices"
)

// applyFaults resolves the options' faults onto virtual time and attaches
// them to their devices and posts, checking every target against the
// registry.
func (s *Simulator) applyFaults(byID map[string]*devState) error {
	device := func(f Fault, kind devices.Kind) (*devState, error) {
		d := byID[f.Device]
		if d == nil {
			return nil, fmt.Errorf("sim: fault %s: unknown device %q", f.Kind, f.Device)
		}
		if kind != "" && d.dev.Kind != kind {
			return nil, fmt.Errorf("sim: fault %s: device %s is a %s, not a %s", f.Kind, f.Device, d.dev.Kind, kind)
		}
		return d, nil
	}
	for _, f := range s.opts.Faults {
		p := f.resolve(s.start)
		switch f.Kind {
		case FaultSilentDevice:
			d, err := device(f, "")
			if err != nil {
				return err
			}
			d.silent = append(d.silent, p)
		case FaultKitchenCamOff:
			d, err := device(f, devices.KindKitchenCam)
			if err != nil {
				return err
			}
			d.camOff = append(d.camOff, p)
			s.plan(p.from, p.to-1, once(func(s *Simulator, due int64) { s.sendStatus(d, due, false) }))
			if p.to != maxTime {
				s.plan(p.to, p.to, once(func(s *Simulator, due int64) { s.sendStatus(d, due, true) }))
			}
		case FaultPanicPress:
			d, err := device(f, devices.KindAlarm)
			if err != nil {
				return err
			}
			s.plan(p.from, p.from, once(func(s *Simulator, due int64) { s.panicPress(d, due) }))
		case FaultGateForced:
			d, err := device(f, devices.KindAccess)
			if err != nil {
				return err
			}
			s.plan(p.from, p.from, once(func(s *Simulator, due int64) { s.incident(d, due, tForced) }))
		case FaultKitchenViolation:
			d, err := device(f, devices.KindKitchenCam)
			if err != nil {
				return err
			}
			s.plan(p.from, p.from, once(func(s *Simulator, due int64) { s.violationOf(d, due, "smoking", 0.9) }))
		case FaultSilentSchool:
			sc := s.school(f.School)
			if sc == nil {
				return fmt.Errorf("sim: fault %s: unknown school %q", f.Kind, f.School)
			}
			for _, d := range sc.all {
				d.silent = append(d.silent, p)
			}
		case FaultPostUnstaffed:
			sc := s.school(f.School)
			if sc == nil {
				return fmt.Errorf("sim: fault %s: unknown school %q", f.Kind, f.School)
			}
			post := sc.post(f.Post)
			if post == nil {
				ids := make([]string, len(sc.posts))
				for i, p := range sc.posts {
					ids[i] = p.id
				}
				return fmt.Errorf("sim: fault %s: school %s has no staffed post %q (posts: %v)", f.Kind, f.School, f.Post, ids)
			}
			post.unstaffed = append(post.unstaffed, p)
		default:
			return fmt.Errorf("sim: unknown fault kind %q", f.Kind)
		}
	}
	return nil
}

// school returns the state of the school with id, or nil.
func (s *Simulator) school(id string) *schoolState {
	for _, x := range s.schools {
		if x.school.ID == id {
			return x
		}
	}
	return nil
}
