// Package enginetest owns a fake engine for testing rule modules: it
// drives a Module for one school on a fake clock, fires deadlines in time
// order as the clock advances, and records the conditions reported.
package enginetest

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// Harness runs one Module for one school.
type Harness struct {
	t        testing.TB
	Mod      engine.Module
	Sch      *devices.School
	Par      config.Params
	Cal      func(t time.Time) bool // school day; default: the school's calendar or Mon–Fri
	now      time.Time
	state    any
	timers   map[string]time.Time
	devKeys  map[string]devTimer // keys of device deadlines (Ctx.AtDevice)
	seq      map[string]int
	nextSeq  int
	starting bool
	// Conds is every condition reported, in order.
	Conds []alerting.Condition
}

// New returns a harness at time start; call Start before events.
func New(t testing.TB, m engine.Module, s *devices.School, start time.Time) *Harness {
	return &Harness{t: t, Mod: m, Sch: s, Par: config.Defaults(), now: start,
		timers: map[string]time.Time{}, devKeys: map[string]devTimer{}, seq: map[string]int{}}
}

// Start creates the module state and calls Module.Start.
func (h *Harness) Start() {
	h.state = h.Mod.NewState(h.Sch)
	if h.state == nil {
		return
	}
	h.Mod.Start(h, h.state)
}

// State returns the module state (for white-box assertions).
func (h *Harness) State() any { return h.state }

// Event delivers ev at the current time (Received set to now if zero).
func (h *Harness) Event(ev devices.Event) {
	h.t.Helper()
	if h.state == nil {
		return
	}
	if ev.Received.IsZero() {
		ev.Received = h.now
	}
	if ev.TS.IsZero() {
		ev.TS = h.now
	}
	if ev.School == "" {
		ev.School, ev.Region = h.Sch.ID, h.Sch.Region
	}
	h.Mod.OnEvent(h, h.state, &ev)
}

// AdvanceTo moves the clock to t, firing every deadline due on the way in
// time order (the clock reads each deadline's time while it fires).
func (h *Harness) AdvanceTo(t time.Time) {
	h.t.Helper()
	for h.state != nil {
		key, at, ok := h.earliest()
		if !ok || at.After(t) {
			break
		}
		delete(h.timers, key)
		if at.After(h.now) {
			h.now = at
		}
		if dt, ok := h.devKeys[key]; ok {
			delete(h.devKeys, key)
			h.Mod.(engine.DeviceTimers).OnDeviceTimer(h, h.state, dt.d, dt.slot)
			continue
		}
		h.Mod.OnTimer(h, h.state, key)
	}
	if t.After(h.now) {
		h.now = t
	}
}

// Advance moves the clock by d.
func (h *Harness) Advance(d time.Duration) { h.AdvanceTo(h.now.Add(d)) }

func (h *Harness) earliest() (string, time.Time, bool) {
	var best string
	var bt time.Time
	found := false
	for k, at := range h.timers {
		if !found || at.Before(bt) || (at.Equal(bt) && h.seq[k] < h.seq[best]) {
			best, bt, found = k, at, true
		}
	}
	return best, bt, found
}

// Timers lists pending deadlines as "key@RFC3339" sorted by time.
func (h *Harness) Timers() []string {
	var out []string
	for k, at := range h.timers {
		out = append(out, at.Format(time.RFC3339)+" "+k)
	}
	sort.Strings(out)
	return out
}

// Firing returns the keys currently firing (fired and not resolved since).
func (h *Harness) Firing() map[alerting.Key]alerting.Condition {
	m := map[alerting.Key]alerting.Condition{}
	for _, c := range h.Conds {
		if c.Hold {
			continue
		}
		if c.Firing {
			m[c.Key()] = c
		} else {
			delete(m, c.Key())
		}
	}
	return m
}

// Fired returns the firing conditions of rule reported so far.
func (h *Harness) Fired(rule alerting.RuleID) []alerting.Condition {
	var out []alerting.Condition
	for _, c := range h.Conds {
		if c.Rule == rule && c.Firing && !c.Hold {
			out = append(out, c)
		}
	}
	return out
}

// Resolved returns the resolve conditions of rule reported so far.
func (h *Harness) Resolved(rule alerting.RuleID) []alerting.Condition {
	var out []alerting.Condition
	for _, c := range h.Conds {
		if c.Rule == rule && !c.Firing && !c.Hold {
			out = append(out, c)
		}
	}
	return out
}

// Holds returns the outage holds reported so far (Ctx.Hold), true for on.
func (h *Harness) Holds() []bool {
	var out []bool
	for _, c := range h.Conds {
		if c.Hold {
			out = append(out, c.Firing)
		}
	}
	return out
}

// Held reports whether the last outage hold reported is on.
func (h *Harness) Held() bool {
	hs := h.Holds()
	return len(hs) > 0 && hs[len(hs)-1]
}

// Reset forgets the recorded conditions.
func (h *Harness) Reset() { h.Conds = nil }

// SetStarting sets what Ctx.Starting reports.
func (h *Harness) SetStarting(b bool) { h.starting = b }

// --- engine.Ctx ---

// Now implements engine.Ctx.
func (h *Harness) Now() time.Time { return h.now }

// School implements engine.Ctx.
func (h *Harness) School() *devices.School { return h.Sch }

// Params implements engine.Ctx.
func (h *Harness) Params() *config.Params { return &h.Par }

// SchoolDay implements engine.Ctx.
func (h *Harness) SchoolDay(t time.Time) bool {
	if h.Cal != nil {
		return h.Cal(t)
	}
	return h.Sch.IsSchoolDay(t)
}

// Fire implements engine.Ctx.
func (h *Harness) Fire(c alerting.Condition) {
	if c.Region == "" {
		c.Region = h.Sch.Region
	}
	if c.School == "" {
		c.School = h.Sch.ID
	}
	if c.At.IsZero() {
		c.At = h.now
	}
	info, ok := alerting.Info(c.Rule)
	if !ok {
		h.t.Errorf("enginetest: fire of unknown rule %q", c.Rule)
		return
	}
	if c.Severity == "" {
		c.Severity = h.Par.SeverityOf(c.Rule, info.Severity)
	}
	if !h.Par.Enabled(c.Rule) {
		return
	}
	c.Firing = true
	h.Conds = append(h.Conds, c)
}

// Resolve implements engine.Ctx.
func (h *Harness) Resolve(rule alerting.RuleID, subject string) {
	h.Conds = append(h.Conds, alerting.Condition{Rule: rule, Region: h.Sch.Region, School: h.Sch.ID, Subject: subject, At: h.now})
}

// Hold implements engine.Ctx.
func (h *Harness) Hold(on bool) {
	h.Conds = append(h.Conds, alerting.Condition{Rule: alerting.SchoolOffline, Region: h.Sch.Region, School: h.Sch.ID,
		Hold: true, Firing: on, At: h.now})
}

// At implements engine.Ctx.
func (h *Harness) At(t time.Time, key string) {
	h.timers[key] = t
	h.nextSeq++
	h.seq[key] = h.nextSeq
}

// Cancel implements engine.Ctx.
func (h *Harness) Cancel(key string) { delete(h.timers, key) }

// devTimer is a device deadline: its device and slot.
type devTimer struct {
	d    *devices.Device
	slot int
}

// AtDevice implements engine.Ctx: the deadline is listed under the
// module's TimerKey(d, slot).
func (h *Harness) AtDevice(t time.Time, d *devices.Device, slot int) {
	key := h.Mod.(engine.DeviceTimers).TimerKey(d, slot)
	h.At(t, key)
	h.devKeys[key] = devTimer{d, slot}
}

// CancelDevice implements engine.Ctx.
func (h *Harness) CancelDevice(d *devices.Device, slot int) {
	key := h.Mod.(engine.DeviceTimers).TimerKey(d, slot)
	h.Cancel(key)
	delete(h.devKeys, key)
}

// Starting implements engine.Ctx.
func (h *Harness) Starting() bool { return h.starting }

// String summarises recorded conditions, for failure messages.
func (h *Harness) String() string {
	s := ""
	for _, c := range h.Conds {
		if c.Hold {
			s += fmt.Sprintf("%s hold %v\n", c.At.Format(time.RFC3339), c.Firing)
			continue
		}
		s += fmt.Sprintf("%s %v %s/%s %s\n", c.At.Format(time.RFC3339), c.Firing, c.Rule, c.Subject, c.Severity)
	}
	return s
}

var _ engine.Ctx = (*Harness)(nil)
