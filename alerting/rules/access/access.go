package access

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/presence"
	"github.com/campusguard/campusguard/devices"
)

// QuietAfter is how long gate_forced and gate_intrusion stay firing after
// the last such event at a gate before they resolve by themselves.
const QuietAfter = 30 * time.Minute

// Module evaluates the gate rules for every school.
type Module struct{}

// New returns the access module.
func New() engine.Module { return &Module{} }

// Timer keys: "access:<what>[:<device>]".
const (
	keyPrefix  = "access:"
	keyHB      = "hb"     // per gate: presence deadline (access_offline)
	keyHeld    = "held"   // per gate: open too long (gate_held_open)
	keyAOH     = "aoh"    // per gate: next window boundary while always open (gate_open_after_hours)
	keyDenied  = "denied" // per gate: a window without denials (gate_denied_burst resolves)
	keyForced  = "forced" // per gate: QuietAfter since the last forced opening
	keyIntr    = "intr"   // per gate: QuietAfter since the last intrusion
	keyHours   = "hours"  // per school: school hours begin (access_offline P2 → P1)
	timerHours = keyPrefix + keyHours
)

var rules = []alerting.RuleID{
	alerting.GateForced, alerting.GateIntrusion, alerting.GateBlacklist, alerting.GateDeniedBurst,
	alerting.GateHeldOpen, alerting.GateOpenAfterHours, alerting.AccessOffline,
}

// Name implements engine.Module.
func (*Module) Name() string { return "access" }

// Rules implements engine.Module.
func (*Module) Rules() []alerting.RuleID { return rules }

// Gate states of gate.state and the access heartbeat.
const (
	stateOpen       = "open"
	stateClosed     = "closed"
	stateAlwaysOpen = "always_open"
)

// gate is the state of one gate controller.
type gate struct {
	d *devices.Device // as registered (update sets it after a reload)

	// Presence (access_offline), device deadline kHB.
	p presence.Device

	// Gate state (gate_held_open, gate_open_after_hours).
	state      string    // "" until reported
	openSince  time.Time // when it became open
	heldFiring bool
	aohFiring  bool

	// Incidents.
	forcedFiring bool
	intrFiring   bool

	// Denials (gate_denied_burst): the last DeniedBurstCount times, a ring.
	denied       []time.Time
	deniedNext   int
	deniedCount  int
	deniedLast   time.Time
	deniedFiring bool
}

// The gate's device deadlines (engine.DeviceTimers slots).
const (
	kHB = iota
	kHeld
	kAOH
	kDenied
	kForced
	kIntr
)

var keyNames = [...]string{kHB: keyHB, kHeld: keyHeld, kAOH: keyAOH, kDenied: keyDenied, kForced: keyForced, kIntr: keyIntr}

// TimerSlots implements engine.DeviceTimers.
func (*Module) TimerSlots(k devices.Kind) int {
	if k == devices.KindAccess {
		return len(keyNames)
	}
	return 0
}

// TimerKey implements engine.DeviceTimers: "access:<what>:<device>".
func (*Module) TimerKey(d *devices.Device, slot int) string {
	return keyPrefix + keyNames[slot] + ":" + d.ID
}

var _ engine.DeviceTimers = (*Module)(nil)

func newGate(d *devices.Device) *gate {
	g := &gate{}
	g.p = presence.Device{Slot: kHB, HoursKey: timerHours, Rule: alerting.AccessOffline, Describe: g.offlineMessage}
	g.update(d)
	return g
}

func (g *gate) update(d *devices.Device) {
	g.d = d
	g.p.ID, g.p.Dev = d.ID, d
	g.p.Interval = time.Duration(d.HeartbeatInterval())
}

// id is the gate controller's device id.
func (g *gate) id() string { return g.d.ID }

// where names the gate in messages: its location (or gate name) and the
// controller id, "正门（x）" / "gate 正门 (x)".
func (g *gate) where() (zh, en string) {
	place := g.d.Location
	if place == "" {
		place = g.d.Gate
	}
	if place == "" {
		return g.id() + " ", "gate " + g.id()
	}
	return place + "（" + g.id() + "）", "gate " + place + " (" + g.id() + ")"
}

// state is the module's state for one school.
type state struct {
	gates []*gate          // registry order
	byID  map[string]*gate // by device id
}

// NewState implements engine.Module: nil for a school without gate
// controllers.
func (*Module) NewState(s *devices.School) any {
	st := &state{byID: map[string]*gate{}}
	for i := range s.Devices {
		if d := &s.Devices[i]; d.Kind == devices.KindAccess {
			g := newGate(d)
			st.gates = append(st.gates, g)
			st.byID[d.ID] = g
		}
	}
	if len(st.gates) == 0 {
		return nil
	}
	return st
}

// Start implements engine.Module: it reconciles the state with the
// school's current gate controllers, arms every presence deadline (from
// the Start time for a gate not heard from yet) and re-evaluates known
// gate states against the (possibly reloaded) windows.
func (m *Module) Start(c engine.Ctx, sv any) {
	st := sv.(*state)
	m.reconcile(c, st)
	for _, g := range st.gates {
		g.p.Arm(c)
		m.evalHeld(c, g)
		m.evalAfterHours(c, g)
	}
}

// reconcile adds new gate controllers of the school to st and drops those
// no longer registered, cancelling their deadlines and resolving what
// they had open.
func (m *Module) reconcile(c engine.Ctx, st *state) {
	s := c.School()
	keep := make(map[string]bool, len(st.gates))
	var gates []*gate
	for i := range s.Devices {
		d := &s.Devices[i]
		if d.Kind != devices.KindAccess {
			continue
		}
		keep[d.ID] = true
		g := st.byID[d.ID]
		if g == nil {
			g = newGate(d)
			st.byID[d.ID] = g
		} else {
			g.update(d)
		}
		gates = append(gates, g)
	}
	for _, g := range st.gates {
		if keep[g.id()] {
			continue
		}
		delete(st.byID, g.id())
		for k := range keyNames {
			c.CancelDevice(g.d, k)
		}
		for _, r := range [...]struct {
			on   bool
			rule alerting.RuleID
		}{
			{g.p.Offline, alerting.AccessOffline}, {g.heldFiring, alerting.GateHeldOpen},
			{g.aohFiring, alerting.GateOpenAfterHours}, {g.forcedFiring, alerting.GateForced},
			{g.intrFiring, alerting.GateIntrusion}, {g.deniedFiring, alerting.GateDeniedBurst},
		} {
			if r.on {
				c.Resolve(r.rule, g.id())
			}
		}
	}
	st.gates = gates
}

// OnEvent implements engine.Module.
func (m *Module) OnEvent(c engine.Ctx, sv any, ev *devices.Event) {
	if ev.Kind != devices.KindAccess {
		return
	}
	st := sv.(*state)
	g := st.byID[ev.Device]
	if g == nil {
		return // not (yet) in the registry: the next Start picks it up
	}
	if ev.Channel == devices.ChannelStatus {
		g.p.Status(c, ev)
		return
	}
	if ev.Retained {
		// Only the status channel is retained by protocol: a retained
		// event or heartbeat is a replay of one handled when it was live.
		return
	}
	g.p.Present(c)
	if ev.Channel == devices.ChannelHeartbeat {
		if s := ev.Str("state"); s != "" {
			m.setState(c, g, s, c.Now())
		}
		return
	}
	switch ev.Type {
	case "gate.state":
		m.setState(c, g, ev.Str("state"), c.Now())
	case "access.held_open":
		m.heldOpen(c, g, ev)
	case "access.forced":
		m.forced(c, g)
	case "access.tailgate", "access.climb", "access.reverse", "access.impact": // devices.IntrusionTypes
		m.intrusion(c, g, ev.Type)
	case "access.blacklist":
		m.blacklist(c, g, ev)
	case "access.denied":
		m.denied(c, g)
	}
}

// OnTimer implements engine.Module: the school-hours deadline.
func (m *Module) OnTimer(c engine.Ctx, sv any, key string) {
	st := sv.(*state)
	if key == timerHours {
		for _, g := range st.gates {
			g.p.RaiseInSchoolHours(c)
		}
	}
}

// OnDeviceTimer implements engine.DeviceTimers.
func (m *Module) OnDeviceTimer(c engine.Ctx, sv any, d *devices.Device, slot int) {
	st := sv.(*state)
	g := st.byID[d.ID]
	if g == nil {
		return
	}
	switch slot {
	case kHB:
		g.p.Deadline(c)
	case kHeld:
		m.evalHeld(c, g)
	case kAOH:
		m.evalAfterHours(c, g)
	case kDenied:
		m.deniedQuiet(c, g)
	case kForced:
		if g.forcedFiring {
			g.forcedFiring = false
			c.Resolve(alerting.GateForced, g.id())
		}
	case kIntr:
		if g.intrFiring {
			g.intrFiring = false
			c.Resolve(alerting.GateIntrusion, g.id())
		}
	}
}
