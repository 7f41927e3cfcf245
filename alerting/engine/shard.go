package engine

import (
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/deadline"
	"github.com/campusguard/campusguard/devices"
)

// msg is what a shard's queue carries: an event, a tick, or a barrier.
type msg struct {
	ev     *devices.Event
	tick   time.Time // non-zero: advance time
	reload *reload   // non-nil: take a new registry
	done   func()    // called after handling (barriers, ticks, reloads)
}

// timerKey names one deadline of one school.
type timerKey struct {
	school int // index in shard.schools
	key    string
}

// schoolState is everything a shard keeps for one school. A school a
// registry reload removed leaves a nil slot in shard.schools.
type schoolState struct {
	s      *devices.School
	params *config.Params
	states []any // per module, nil when the module watches nothing here

	// The school's device deadline handles (devtimers.go): nHandles from
	// base, stride per device of s in order; first is the registry index
	// of s's first device.
	base     int32
	nHandles int
	first    int
}

// shard owns a subset of the schools; only its goroutine touches them.
type shard struct {
	e        *Engine
	idx      int
	in       chan msg
	schools  []*schoolState
	byID     map[string]int
	timers   *deadline.Set[timerKey]
	now      time.Time
	modByPfx map[string]int
	ctx      shardCtx
	lay      layout        // device deadline slots (devtimers.go)
	ranges   []handleRange // the schools' handle ranges, by base
}

func newShard(e *Engine, idx int) *shard {
	sh := &shard{e: e, idx: idx, in: make(chan msg, e.opts.QueueSize), byID: map[string]int{},
		timers: deadline.New[timerKey](), modByPfx: map[string]int{}, lay: newLayout(e.opts.Modules)}
	for i, m := range e.opts.Modules {
		sh.modByPfx[m.Name()] = i
	}
	sh.ctx.sh = sh
	return sh
}

func (sh *shard) addSchool(s *devices.School, p *config.Params) int {
	i := len(sh.schools)
	sh.byID[s.ID] = i
	sh.schools = append(sh.schools, &schoolState{s: s, params: p, states: make([]any, len(sh.e.opts.Modules))})
	sh.allocHandles(i)
	return i
}

func (sh *shard) run(stop <-chan struct{}) {
	sh.now = sh.e.opts.Clock.Now()
	sh.start()
	for {
		select {
		case <-stop:
			return
		case m := <-sh.in:
			sh.handle(m)
		}
	}
}

// start creates every module state and arms the expected-presence
// deadlines (the registry is the source of truth).
func (sh *shard) start() {
	for i := range sh.schools {
		sh.startSchool(i)
	}
	sh.e.m.timers.WithLabelValues(itoa(sh.idx)).Set(float64(sh.timers.Len()))
}

// startSchool creates the module states of school i and starts them.
func (sh *shard) startSchool(i int) {
	st := sh.schools[i]
	for j, m := range sh.e.opts.Modules {
		st.states[j] = m.NewState(st.s)
		if st.states[j] == nil {
			continue
		}
		sh.ctx.bind(i, j)
		m.Start(&sh.ctx, st.states[j])
	}
}

func (sh *shard) handle(m msg) {
	switch {
	case m.ev != nil:
		sh.event(m.ev)
	case !m.tick.IsZero():
		sh.advance(m.tick)
	case m.reload != nil:
		if now := sh.e.opts.Clock.Now(); now.After(sh.now) {
			sh.advance(now)
		}
		sh.reload(m.reload)
	}
	if m.done != nil {
		m.done()
	}
}

func (sh *shard) event(ev *devices.Event) {
	i, ok := sh.byID[ev.School]
	if !ok {
		sh.e.m.unknownSchool.Inc()
		return
	}
	// Deadlines due before the event fire first, so a lapse is never
	// skipped over by the event that would have ended it.
	if now := sh.e.opts.Clock.Now(); now.After(sh.now) {
		sh.advance(now)
	}
	start := time.Now()
	st := sh.schools[i]
	for j, mod := range sh.e.opts.Modules {
		if st.states[j] == nil {
			continue
		}
		sh.ctx.bind(i, j)
		mod.OnEvent(&sh.ctx, st.states[j], ev)
	}
	sh.e.m.eventSeconds.Observe(time.Since(start).Seconds())
}

// advance fires every deadline due by now, in time order; the clock reads
// each deadline's own time while it fires.
func (sh *shard) advance(now time.Time) {
	sh.timers.PopDueAll(now, func(k timerKey, at time.Time) {
		if at.After(sh.now) {
			sh.now = at
		}
		pfx, _, _ := strings.Cut(k.key, ":")
		j, ok := sh.modByPfx[pfx]
		if !ok {
			return
		}
		st := sh.schools[k.school]
		if st == nil || st.states[j] == nil {
			return // a removed school's deadline
		}
		sh.ctx.bind(k.school, j)
		sh.e.opts.Modules[j].OnTimer(&sh.ctx, st.states[j], k.key)
	}, sh.fireHandle)
	if now.After(sh.now) {
		sh.now = now
	}
	sh.e.m.timers.WithLabelValues(itoa(sh.idx)).Set(float64(sh.timers.Len()))
}

// shardCtx is the Ctx of the school and module being handled.
type shardCtx struct {
	sh     *shard
	school int
	mod    int
}

func (c *shardCtx) bind(school, mod int) { c.school, c.mod = school, mod }

func (c *shardCtx) st() *schoolState { return c.sh.schools[c.school] }

// Now implements Ctx.
func (c *shardCtx) Now() time.Time { return c.sh.now }

// School implements Ctx.
func (c *shardCtx) School() *devices.School { return c.st().s }

// Params implements Ctx.
func (c *shardCtx) Params() *config.Params { return c.st().params }

// SchoolDay implements Ctx.
func (c *shardCtx) SchoolDay(t time.Time) bool { return c.st().s.IsSchoolDay(t) }

// Fire implements Ctx.
func (c *shardCtx) Fire(cond alerting.Condition) {
	st := c.st()
	if !st.params.Enabled(cond.Rule) {
		return
	}
	info, ok := alerting.Info(cond.Rule)
	if !ok {
		c.sh.e.log.Error().Str("rule", string(cond.Rule)).Msg("module fired an unknown rule")
		return
	}
	if cond.Region == "" {
		cond.Region = st.s.Region
	}
	if cond.School == "" {
		cond.School = st.s.ID
	}
	if cond.At.IsZero() {
		cond.At = c.sh.now
	}
	if cond.Severity == "" {
		cond.Severity = info.Severity
	}
	cond.Severity = st.params.SeverityOf(cond.Rule, cond.Severity)
	cond.Firing = true
	c.sh.e.m.conditions.WithLabelValues(string(cond.Rule), "firing").Inc()
	c.sh.e.opts.Sink(cond)
}

// Resolve implements Ctx.
func (c *shardCtx) Resolve(rule alerting.RuleID, subject string) {
	st := c.st()
	c.sh.e.m.conditions.WithLabelValues(string(rule), "resolved").Inc()
	c.sh.e.opts.Sink(alerting.Condition{Rule: rule, Region: st.s.Region, School: st.s.ID, Subject: subject, At: c.sh.now})
}

// Hold implements Ctx.
func (c *shardCtx) Hold(on bool) {
	st := c.st()
	c.sh.e.opts.Sink(alerting.Condition{Rule: alerting.SchoolOffline, Region: st.s.Region, School: st.s.ID,
		Hold: true, Firing: on, At: c.sh.now})
}

// At implements Ctx.
func (c *shardCtx) At(t time.Time, key string) {
	c.sh.timers.Schedule(timerKey{c.school, key}, t)
}

// Cancel implements Ctx.
func (c *shardCtx) Cancel(key string) { c.sh.timers.Cancel(timerKey{c.school, key}) }

// AtDevice implements Ctx.
func (c *shardCtx) AtDevice(t time.Time, d *devices.Device, slot int) {
	if h, ok := c.sh.handleOf(c.school, c.mod, d, slot); ok {
		c.sh.timers.ScheduleHandle(h, t)
	}
}

// CancelDevice implements Ctx.
func (c *shardCtx) CancelDevice(d *devices.Device, slot int) {
	if h, ok := c.sh.handleOf(c.school, c.mod, d, slot); ok {
		c.sh.timers.CancelHandle(h)
	}
}

// Starting implements Ctx.
func (c *shardCtx) Starting() bool {
	o := &c.sh.e.opts
	return c.sh.now.Before(o.StartedAt.Add(o.Grace))
}

var _ Ctx = (*shardCtx)(nil)
