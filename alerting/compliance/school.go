package compliance

import (
	"slices"
	"sync"
	"time"

	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/schedule"
	"github.com/campusguard/campusguard/devices"
)

// params are the rule parameters compliance uses, copied at Start.
type params struct {
	misses          int
	linkDownAfter   time.Duration
	testMaxAge      time.Duration
	guardCheckAfter time.Duration
	roomAfter       time.Duration
	sched           schedule.Params // post windows, presence, licences, handover gap: shared with the guard rules
	kitchenLead     time.Duration
	frameAgeMax     time.Duration
	closeWithin     []time.Duration // the kitchen violation deadlines, one per tier
}

func paramsOf(p *config.Params) params {
	return params{
		misses:          max(p.HeartbeatMisses, 1),
		linkDownAfter:   p.AlarmLinkDownAfter,
		testMaxAge:      p.AlarmTestMaxAge,
		guardCheckAfter: p.GuardCheckAfterDayStart,
		roomAfter:       p.GuardroomUnmannedAfter,
		sched:           schedule.ParamsOf(p),
		kitchenLead:     p.KitchenWindowLead,
		frameAgeMax:     p.KitchenFrameAgeMax,
		closeWithin:     []time.Duration{p.KitchenDeadline(1), p.KitchenDeadline(2), p.KitchenDeadline(3)},
	}
}

// check is a pending look at the lifecycle's open alerts.
type check struct {
	at      time.Time
	kitchen bool // kitchen_overdue; else gate_forced/gate_intrusion
}

// schoolState is one school's record. The module writes it on the
// school's engine worker; readers (HTTP, the periodic writer) take mu.
type schoolState struct {
	mu      sync.Mutex
	sch     *devices.School
	started bool
	since   time.Time    // when watching began (Start)
	today   devices.Date // the day not yet frozen
	par     params

	schoolDays map[devices.Date]bool // calendar verdicts the module recorded
	frozen     map[devices.Date]SchoolDay
	gateFlag   map[devices.Date]bool // a gate alert seen open ≥ GateAlertMaxOpen that day
	kitchFlag  map[devices.Date]bool // a kitchen_overdue alert seen open that day

	devs      []*device // registry order
	byID      map[string]*device
	guardDevs int

	openStays   map[stayKey]*schedule.Stay
	closedStays []schedule.Stay // Out set

	// Touched only on the engine worker (no lock needed).
	checks []check
}

func newSchoolState(s *devices.School) *schoolState {
	st := &schoolState{
		sch:        s,
		schoolDays: map[devices.Date]bool{},
		frozen:     map[devices.Date]SchoolDay{},
		gateFlag:   map[devices.Date]bool{},
		kitchFlag:  map[devices.Date]bool{},
		byID:       map[string]*device{},
		openStays:  map[stayKey]*schedule.Stay{},
	}
	for i := range s.Devices {
		d := &s.Devices[i]
		if _, dup := st.byID[d.ID]; dup {
			continue
		}
		dv := &device{id: d.ID, location: d.Location, kind: d.Kind, interval: time.Duration(d.HeartbeatInterval()),
			online: true, streaming: true} // a camera is assumed good until it reports otherwise
		st.devs = append(st.devs, dv)
		st.byID[d.ID] = dv
		if d.Kind == devices.KindGuard {
			st.guardDevs++
		}
	}
	return st
}

// takeOver continues old's record (same school, before a reload): the
// days, flags and people carry over, and each device still registered
// with the same kind keeps its history.
func (st *schoolState) takeOver(old *schoolState) {
	old.mu.Lock()
	defer old.mu.Unlock()
	st.started, st.since, st.today, st.par = old.started, old.since, old.today, old.par
	st.schoolDays, st.frozen, st.gateFlag, st.kitchFlag = old.schoolDays, old.frozen, old.gateFlag, old.kitchFlag
	st.openStays, st.closedStays, st.checks = old.openStays, old.closedStays, old.checks
	for _, dv := range st.devs {
		if o := old.byID[dv.id]; o != nil && o.kind == dv.kind {
			id, loc, interval := dv.id, dv.location, dv.interval
			*dv = *o
			dv.id, dv.location, dv.interval = id, loc, interval
		}
	}
}

// start begins (or, after a reload, continues) watching at now: every
// device counts as present from now for one presence window (the registry
// is the source of truth), every alarm terminal as tested at now.
func (st *schoolState) start(now time.Time, p params, schoolDay bool) {
	st.par = p
	if !st.started {
		st.started = true
		st.since = now
		st.today = dateOf(now)
	}
	st.schoolDays[dateOf(now)] = schoolDay
	for _, dv := range st.devs {
		dv.fresh.window = time.Duration(p.misses) * dv.interval
		if dv.seen || dv.fresh.on || len(dv.fresh.closed) > 0 {
			continue
		}
		dv.fresh.seen(now)
		dv.lastTest = now
		dv.watched = now
	}
}

// observe records a message of device dv at now.
func (st *schoolState) observe(now time.Time, dv *device, ev *devices.Event) {
	if ev.Channel == devices.ChannelStatus {
		switch ev.Str("status") {
		case "online":
			if !ev.Retained { // a replayed notice is not a new observation
				dv.fresh.seen(now)
				dv.seen = true
			}
		case "offline":
			if !(ev.Retained && dv.seen) { // a replayed will is believed until the device speaks
				dv.fresh.stop(now)
			}
		}
		return
	}
	if !ev.Retained {
		dv.fresh.seen(now)
		dv.seen = true
	}
	switch dv.kind {
	case devices.KindAccess:
		if s := ev.Str("state"); s != "" { // gate.state and the controller heartbeat
			dv.lv.set(now, s == "always_open")
		}
	case devices.KindAlarm:
		if linked, ok := ev.Bool("linked"); ok { // alarm.link and the terminal heartbeat
			dv.lv.set(now, !linked)
		}
	case devices.KindKitchenCam:
		if ev.Type == "kitchen.status" || ev.Channel == devices.ChannelHeartbeat {
			dv.camStatus(now, ev, st.par.frameAgeMax)
		}
	}
}

// person records a check-in or check-out as the guard rules do
// (schedule.Stay): one presence per person and post; a repeated check-in
// ends the stay and starts a new one (it counts for a window whose lead
// time has begun); a retained replay of a known check-in changes nothing;
// a check-out at a post the person is not checked in at is ignored.
func (st *schoolState) person(now time.Time, ev *devices.Event) {
	k := stayKey{ev.Str("guard"), ev.Str("post")}
	if k.person == "" || k.post == "" {
		return
	}
	s := st.openStays[k]
	if s != nil && !now.Before(st.par.sched.End(s)) { // expired: it ended at its max age
		st.close(k, s, now)
		s = nil
	}
	switch ev.Type {
	case "guard.checkin":
		if s != nil {
			if ev.Retained {
				return
			}
			st.close(k, s, now)
		}
		st.openStays[k] = &schedule.Stay{Person: k.person, Post: k.post, Role: ev.Str("role"), In: now}
	case "guard.checkout":
		if s != nil {
			st.close(k, s, now)
		}
	}
}

// close ends the open stay k at now (or at its max age, if earlier).
func (st *schoolState) close(k stayKey, s *schedule.Stay, now time.Time) {
	c := *s
	c.Out = earlier(now, st.par.sched.End(s))
	if c.Out.After(c.In) {
		st.closedStays = append(st.closedStays, c)
	}
	delete(st.openStays, k)
}

// allStays returns every recorded stay, closed and open (open ones end at
// their max age: schedule.Params.End), for the schedule verdicts.
func (st *schoolState) allStays() []schedule.Stay {
	out := make([]schedule.Stay, 0, len(st.closedStays)+len(st.openStays))
	out = append(out, st.closedStays...)
	for _, s := range st.openStays {
		out = append(out, *s)
	}
	return out
}

// prune forgets what ended by h and the frozen days before keep.
func (st *schoolState) prune(h time.Time, keep devices.Date) {
	for _, dv := range st.devs {
		dv.fresh.closed = pruneSpans(dv.fresh.closed, h)
		dv.lv.closed = pruneSpans(dv.lv.closed, h)
	}
	st.closedStays = slices.DeleteFunc(st.closedStays, func(s schedule.Stay) bool { return !s.Out.After(h) })
	for k, s := range st.openStays {
		if !st.par.sched.End(s).After(h) {
			delete(st.openStays, k)
		}
	}
	for _, m := range []map[devices.Date]bool{st.schoolDays, st.gateFlag, st.kitchFlag} {
		for d := range m {
			if d.Before(keep) {
				delete(m, d)
			}
		}
	}
	for d := range st.frozen {
		if d.Before(keep) {
			delete(st.frozen, d)
		}
	}
}

// isSchoolDay returns the calendar verdict the module recorded for d, or
// the school's own calendar for a day it has not reached yet.
func (st *schoolState) isSchoolDay(d devices.Date) bool {
	if v, ok := st.schoolDays[d]; ok {
		return v
	}
	return st.sch.IsSchoolDay(d.In(devices.Location()).Add(12 * time.Hour))
}

// addCheck queues a look at the open alerts at t; it reports whether t is
// now the earliest (the caller re-arms the deadline).
func (st *schoolState) addCheck(t time.Time, kitchen bool) bool {
	for _, c := range st.checks {
		if c.kitchen == kitchen && c.at.Equal(t) {
			return false
		}
	}
	st.checks = append(st.checks, check{t, kitchen})
	slices.SortFunc(st.checks, func(a, b check) int { return a.at.Compare(b.at) })
	return st.checks[0].at.Equal(t)
}

func dateOf(t time.Time) devices.Date { return devices.DateOf(t.In(devices.Location())) }
