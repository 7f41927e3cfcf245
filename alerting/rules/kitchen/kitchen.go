package kitchen

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// Name is the module's name and the prefix of its timer keys.
const Name = "kitchen"

// Timer keys: the operating-window edge of the school, and per camera its
// heartbeat deadline and its offline-alert deadline.
const (
	keyWindow = Name + ":win"
	prefixHB  = Name + ":hb:"
	prefixBad = Name + ":bad:"
)

type module struct{ met *metrics }

// New returns the bright-kitchen module with its metrics registered
// nowhere (tests, benchmarks).
func New() engine.Module { return module{met: newMetrics()} }

// Options configure the module.
type Options struct {
	// Registerer receives the module's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// NewWith returns the bright-kitchen module with its metrics registered
// on opts.Registerer.
func NewWith(opts Options) (engine.Module, error) {
	m := module{met: newMetrics()}
	if err := m.met.register(opts.Registerer); err != nil {
		return nil, fmt.Errorf("kitchen: register metrics: %w", err)
	}
	return m, nil
}

// Name implements engine.Module.
func (module) Name() string { return Name }

// Rules implements engine.Module.
func (module) Rules() []alerting.RuleID {
	return []alerting.RuleID{alerting.KitchenCamOffline, alerting.KitchenCamOccluded,
		alerting.KitchenViolation, alerting.KitchenRepeat}
}

// NewState implements engine.Module: nil for a school without kitchen
// cameras.
func (m module) NewState(s *devices.School) any {
	st := newState(m.met)
	for i := range s.Devices {
		if s.Devices[i].Kind == devices.KindKitchenCam {
			st.addCamera(s, &s.Devices[i])
		}
	}
	if len(st.cams) == 0 {
		return nil
	}
	return st
}

// Start implements engine.Module: it takes the cameras of the (possibly
// reloaded) registry entry, arms every camera's heartbeat deadline from
// now (or from its last message) and the next operating-window edge.
func (module) Start(c engine.Ctx, st any) {
	s := st.(*State)
	s.sync(c)
	now := c.Now()
	for _, cam := range s.cams {
		if cam.lastSeen.IsZero() {
			cam.lastSeen, cam.mark = now, now
		}
		c.AtDevice(cam.lastSeen.Add(s.hbTimeout(c, cam)), cam.d, slotHB)
	}
	s.schedule(c)
}

// OnEvent implements engine.Module.
func (module) OnEvent(c engine.Ctx, st any, ev *devices.Event) {
	s := st.(*State)
	cam := s.byID[ev.Device]
	if ev.Type == typeViolation && !ev.Retained {
		s.violation(c, cam, ev)
	}
	if cam == nil {
		return // not a kitchen camera of this school (registry changed under us)
	}
	now := c.Now()
	s.flush(cam, now)
	if ev.Channel == devices.ChannelStatus {
		switch ev.Str("status") {
		case "offline": // the last will: offline at once, retained or not
			cam.willOffline = true
		case "online":
			cam.willOffline = false
			if !ev.Retained {
				s.present(c, cam, now)
			}
		}
	} else if !ev.Retained {
		s.present(c, cam, now)
		s.applyStatus(c, cam, ev)
	}
	s.evaluate(c, cam)
}

// OnTimer implements engine.Module.
func (module) OnTimer(c engine.Ctx, st any, key string) {
	s := st.(*State)
	if key == keyWindow {
		s.schedule(c)
		return
	}
}

// The camera's device deadlines (engine.DeviceTimers slots).
const (
	slotHB  = iota // presence deadline "kitchen:hb:<id>"
	slotBad        // bad long enough to be offline "kitchen:bad:<id>"
)

// TimerSlots implements engine.DeviceTimers.
func (module) TimerSlots(k devices.Kind) int {
	if k == devices.KindKitchenCam {
		return 2
	}
	return 0
}

// TimerKey implements engine.DeviceTimers.
func (module) TimerKey(d *devices.Device, slot int) string {
	if slot == slotBad {
		return prefixBad + d.ID
	}
	return prefixHB + d.ID
}

// OnDeviceTimer implements engine.DeviceTimers.
func (module) OnDeviceTimer(c engine.Ctx, st any, d *devices.Device, slot int) {
	s := st.(*State)
	cam := s.byID[d.ID]
	if cam == nil {
		return
	}
	switch slot {
	case slotHB:
		s.heartbeatMissed(c, cam)
	case slotBad:
		s.offlineDue(c, cam)
	}
}

var _ engine.DeviceTimers = module{}

// Event types the module reads.
const (
	typeStatus    = "kitchen.status"
	typeViolation = "kitchen.violation"
)

// hbTimeout is how long a camera may stay silent before it is offline.
func (s *State) hbTimeout(c engine.Ctx, cam *camera) time.Duration {
	n := c.Params().HeartbeatMisses
	if n < 1 {
		n = 1
	}
	return time.Duration(n) * cam.interval
}
