// Package school owns the school-level rule school_offline: every device
// of a school silent at once (a power cut, a broken uplink). The lifecycle
// then inhibits the per-device offline alerts of that school, so the board
// shows one alert instead of dozens.
package school

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// New returns the module.
func New() engine.Module { return module{} }

type module struct{}

type state struct {
	offline map[string]bool // device id → past its presence deadline (or said offline)
	watched map[string]bool // device ids Start armed (to forget after a registry reload)
	firing  bool
}

func (module) Name() string             { return "school" }
func (module) Rules() []alerting.RuleID { return []alerting.RuleID{alerting.SchoolOffline} }

// NewState watches schools with at least two devices: with one, the
// device's own offline alert says it all.
func (module) NewState(s *devices.School) any {
	if len(s.Devices) < 2 {
		return nil
	}
	return &state{offline: map[string]bool{}, watched: map[string]bool{}}
}

func key(device string) string { return "school:" + device }

func deadline(c engine.Ctx, d *devices.Device) time.Time {
	return c.Now().Add(time.Duration(c.Params().HeartbeatMisses) * time.Duration(d.HeartbeatInterval()))
}

// Start watches every registered device from now: one that never speaks
// counts as offline after its presence window. After a registry reload it
// forgets the devices no longer registered and evaluates the school again.
func (m module) Start(c engine.Ctx, st any) {
	s := st.(*state)
	now := map[string]bool{}
	for i := range c.School().Devices {
		d := &c.School().Devices[i]
		now[d.ID] = true
		s.watched[d.ID] = true
		if !s.offline[d.ID] {
			c.At(deadline(c, d), key(d.ID))
		}
	}
	for id := range s.watched {
		if !now[id] {
			delete(s.watched, id)
			delete(s.offline, id)
			c.Cancel(key(id))
		}
	}
	m.evaluate(c, s)
}

func (m module) OnEvent(c engine.Ctx, st any, ev *devices.Event) {
	s := st.(*state)
	d := device(c.School(), ev.Device)
	if d == nil || ev.Retained {
		return
	}
	if ev.Channel == devices.ChannelStatus && ev.Str("status") == "offline" {
		c.Cancel(key(d.ID))
		s.offline[d.ID] = true
		m.evaluate(c, s)
		return
	}
	c.At(deadline(c, d), key(d.ID))
	if s.offline[d.ID] {
		delete(s.offline, d.ID)
		m.evaluate(c, s)
	}
}

func (m module) OnTimer(c engine.Ctx, st any, k string) {
	s := st.(*state)
	id := k[len("school:"):]
	if !s.watched[id] {
		return
	}
	s.offline[id] = true
	m.evaluate(c, s)
}

func (module) evaluate(c engine.Ctx, s *state) {
	n := len(c.School().Devices)
	all := n >= 2 && len(s.offline) == n
	switch {
	case all && !s.firing:
		s.firing = true
		c.Fire(alerting.Condition{Rule: alerting.SchoolOffline,
			MessageZH: fmt.Sprintf("%s 全部 %d 台安防设备离线（疑似断电或网络中断）", c.School().Name, n),
			MessageEN: fmt.Sprintf("all %d security devices of %s are offline (power or uplink failure?)", n, c.School().Name)})
	case !all && s.firing:
		s.firing = false
		c.Resolve(alerting.SchoolOffline, "")
	}
}

func device(s *devices.School, id string) *devices.Device {
	for i := range s.Devices {
		if s.Devices[i].ID == id {
			return &s.Devices[i]
		}
	}
	return nil
}
