package alarm

import (
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/rules/presence"
	"github.com/campusguard/campusguard/devices"
)

// Module evaluates the alarm-terminal rules for every school. The zero
// value is ready to use; New returns one.
type Module struct {
	// TestWindows reports whether a test window registered in advance
	// (or scheduled in the registry) covers a terminal of a school at an
	// instant: a panic press then counts as a successful test, not a
	// panic. alarmtest.Classify makes the decision (both the press's
	// timestamp and its arrival must be covered, so a device with a wrong
	// clock cannot silence a real panic); compliance asks the same. nil
	// means no school has test windows. It is called from the engine's
	// workers and must be safe for concurrent use; it must not block.
	TestWindows alarmtest.Covers
	// Record, when set, is told every test the module sees (window press,
	// manual, periodic, failed): the log line, metric and InfluxDB point of
	// alarmtest.Recorder. Called from the engine's workers; must not block.
	Record func(ev *devices.Event, o alarmtest.Outcome)
}

// New returns the alarm module (engine.Module). Set TestWindows on the
// *Module it returns to register test windows.
func New() engine.Module { return &Module{} }

// Timer keys: "alarm:<what>[:<device>]".
const (
	keyPrefix  = "alarm:"
	keyHB      = "hb"    // per device: presence deadline (alarm_offline)
	keyLink    = "link"  // per device: link down long enough (alarm_link_down)
	keyTest    = "test"  // per school: the daily 09:00 test check (alarm_test_overdue)
	keyHours   = "hours" // per school: school hours begin (alarm_offline P2 → P1)
	timerTest  = keyPrefix + keyTest
	timerHours = keyPrefix + keyHours
)

// testCheckAt is the local time of the daily alarm_test_overdue check.
var testCheckAt = devices.Clock(9, 0)

var rules = []alerting.RuleID{
	alerting.AlarmPanic, alerting.AlarmOffline, alerting.AlarmLinkDown,
	alerting.AlarmTrouble, alerting.AlarmTestOverdue,
}

// Name implements engine.Module.
func (*Module) Name() string { return "alarm" }

// Rules implements engine.Module.
func (*Module) Rules() []alerting.RuleID { return rules }

// troubleCodes are the alarm.trouble codes, in the order of terminal.trouble.
var troubleCodes = [...]string{"tamper", "mains", "battery"}

// terminal is the state of one alarm terminal.
type terminal struct {
	d *devices.Device // as registered (update sets it after a reload)

	// Presence (alarm_offline), device deadline slotHB.
	p presence.Device

	// 110 link (alarm_link_down).
	linkKnown  bool // a link report arrived since Start
	linkDown   bool
	linkSince  time.Time
	linkFiring bool

	// Trouble (alarm_trouble), by troubleCodes index.
	trouble [len(troubleCodes)]bool

	// Tests (alarm_test_overdue).
	lastTest   time.Time // last successful test, or the Start time
	testFiring bool
	windowTest time.Time // when a press last counted as a test in a window

	// Recent panic presses by event id: a redelivery is not a new press
	// (nil until the first press).
	presses *recentIDs
}

// The terminal's device deadlines (engine.DeviceTimers slots).
const (
	slotHB   = iota // presence deadline "alarm:hb:<id>"
	slotLink        // link down long enough "alarm:link:<id>"
)

var slotNames = [...]string{slotHB: keyHB, slotLink: keyLink}

// TimerSlots implements engine.DeviceTimers.
func (*Module) TimerSlots(k devices.Kind) int {
	if k == devices.KindAlarm {
		return len(slotNames)
	}
	return 0
}

// TimerKey implements engine.DeviceTimers: "alarm:<what>:<device>".
func (*Module) TimerKey(d *devices.Device, slot int) string {
	return keyPrefix + slotNames[slot] + ":" + d.ID
}

var _ engine.DeviceTimers = (*Module)(nil)

// id is the terminal's device id.
func (t *terminal) id() string { return t.d.ID }

// recentIDs remembers the last few event ids of one terminal.
type recentIDs struct {
	ids  [8]string
	next int
}

// seen reports whether id is among the remembered ids and remembers it.
// An empty id is never seen (nothing to compare).
func (r *recentIDs) seen(id string) bool {
	if id == "" {
		return false
	}
	for _, v := range r.ids {
		if v == id {
			return true
		}
	}
	r.ids[r.next] = id
	r.next = (r.next + 1) % len(r.ids)
	return false
}

// state is the module's state for one school.
type state struct {
	terms []*terminal          // registry order
	byID  map[string]*terminal // by device id
}

func newTerminal(d *devices.Device) *terminal {
	t := &terminal{}
	t.p = presence.Device{Slot: slotHB, HoursKey: timerHours, Rule: alerting.AlarmOffline, Describe: t.offlineMessage}
	t.update(d)
	return t
}

func (t *terminal) update(d *devices.Device) {
	t.d = d
	t.p.ID, t.p.Dev = d.ID, d
	t.p.Interval = time.Duration(d.HeartbeatInterval())
}

// where names the terminal in messages: its location and id,
// "门卫室一键报警终端（x）" / "alarm terminal x (门卫室)".
func (t *terminal) where() (zh, en string) {
	id, loc := t.d.ID, t.d.Location
	if loc == "" {
		return "一键报警终端（" + id + "）", "alarm terminal " + id
	}
	return loc + "一键报警终端（" + id + "）", "alarm terminal " + id + " (" + loc + ")"
}

// NewState implements engine.Module: nil for a school without alarm
// terminals.
func (*Module) NewState(s *devices.School) any {
	st := &state{byID: map[string]*terminal{}}
	for i := range s.Devices {
		if d := &s.Devices[i]; d.Kind == devices.KindAlarm {
			t := newTerminal(d)
			st.terms = append(st.terms, t)
			st.byID[d.ID] = t
		}
	}
	if len(st.terms) == 0 {
		return nil
	}
	return st
}

// Start implements engine.Module. It reconciles the state with the
// school's current devices (a registry reload may add or remove
// terminals), arms every presence deadline from the Start time for a
// terminal not heard from yet, gives a terminal with no test on record a
// full AlarmTestMaxAge from now, checks for overdue tests and arms the
// daily check.
func (m *Module) Start(c engine.Ctx, sv any) {
	st := sv.(*state)
	m.reconcile(c, st)
	now := c.Now()
	for _, t := range st.terms {
		t.p.Arm(c)
		if t.lastTest.IsZero() {
			t.lastTest = now
		}
	}
	m.checkTests(c, st)
	armTestCheck(c)
}

// reconcile adds the school's new alarm terminals to st and drops those no
// longer registered (cancelling their deadlines and resolving what they
// had open).
func (m *Module) reconcile(c engine.Ctx, st *state) {
	s := c.School()
	keep := make(map[string]bool, len(st.terms))
	var terms []*terminal
	for i := range s.Devices {
		d := &s.Devices[i]
		if d.Kind != devices.KindAlarm {
			continue
		}
		keep[d.ID] = true
		t := st.byID[d.ID]
		if t == nil {
			t = newTerminal(d)
			st.byID[d.ID] = t
		} else {
			t.update(d)
		}
		terms = append(terms, t)
	}
	for _, t := range st.terms {
		if keep[t.id()] {
			continue
		}
		delete(st.byID, t.id())
		t.p.Forget(c)
		c.CancelDevice(t.d, slotLink)
		if t.linkFiring {
			c.Resolve(alerting.AlarmLinkDown, t.id())
		}
		for i, on := range t.trouble {
			if on {
				c.Resolve(alerting.AlarmTrouble, t.id()+":"+troubleCodes[i])
			}
		}
		if t.testFiring {
			c.Resolve(alerting.AlarmTestOverdue, t.id())
		}
	}
	st.terms = terms
}

// OnEvent implements engine.Module.
func (m *Module) OnEvent(c engine.Ctx, sv any, ev *devices.Event) {
	if ev.Kind != devices.KindAlarm {
		return
	}
	st := sv.(*state)
	t := st.byID[ev.Device]
	if t == nil {
		return // not (yet) in the registry: the next Start picks it up
	}
	if ev.Channel == devices.ChannelStatus {
		t.p.Status(c, ev)
		return
	}
	if ev.Retained {
		// Only the status channel is retained by protocol: a retained
		// event or heartbeat is a replay of one handled when it was live.
		return
	}
	t.p.Present(c)
	if ev.Channel == devices.ChannelHeartbeat {
		if linked, ok := ev.Bool("linked"); ok {
			m.link(c, t, linked)
		}
		return
	}
	switch ev.Type {
	case "alarm.panic":
		m.onPanic(c, t, ev)
	case "alarm.test":
		// Only a manual test (E601, or a plain test press) proves the
		// button works; the panel's periodic self-test (E602) only shows
		// the terminal alive, which Present above has recorded.
		o := alarmtest.Classify(ev, c.Now(), m.TestWindows)
		m.record(ev, o)
		if o.Tested() {
			m.tested(c, t)
		}
	case "alarm.trouble":
		m.trouble(c, t, ev)
	case "alarm.link":
		if linked, ok := ev.Bool("linked"); ok {
			m.link(c, t, linked)
		}
	}
}

// OnTimer implements engine.Module.
func (m *Module) OnTimer(c engine.Ctx, sv any, key string) {
	st := sv.(*state)
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return
	}
	switch rest {
	case keyTest:
		m.checkTests(c, st)
		armTestCheck(c)
		return
	case keyHours:
		for _, t := range st.terms {
			t.p.RaiseInSchoolHours(c)
		}
	}
}

// OnDeviceTimer implements engine.DeviceTimers.
func (m *Module) OnDeviceTimer(c engine.Ctx, sv any, d *devices.Device, slot int) {
	t := sv.(*state).byID[d.ID]
	if t == nil {
		return
	}
	switch slot {
	case slotHB:
		t.p.Deadline(c)
	case slotLink:
		m.linkTimer(c, t)
	}
}
