package engine

import (
	"errors"

	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/devices"
)

// ErrStopped is returned by Reload once the engine's Run has ended.
var ErrStopped = errors.New("engine: stopped")

// Reloader is implemented by a Module whose per-school state must be
// rebuilt rather than reconciled after a registry reload (compliance
// hands its record over to a new one). Reload returns the state to keep
// for s (old is the state before the reload, possibly nil); Start is
// called on it next. Modules without it keep their state and reconcile it
// in Start.
type Reloader interface {
	Reload(s *devices.School, old any) any
}

// reload is what a shard receives on a registry reload: its share of the
// new registry's schools with their parameters.
type reload struct {
	schools []*devices.School
	params  []*config.Params
}

// Reload swaps the registry: every shard takes the new entries of its
// schools (names, devices, calendars, parameters) and re-Starts every
// module on them, so added devices and schools are watched from now and
// removed devices are forgotten (their deadlines cancelled, what they had
// open resolved by their module). A school no longer in the registry is
// dropped with its state and deadlines; resolving its open alerts is the
// caller's business (the engine does not know them). Events queued before
// the call are handled on the old registry, events accepted after it
// returns on the new one. Reload waits for Run to have started and returns
// once every shard has reloaded, or ErrStopped.
func (e *Engine) Reload(reg *devices.Registry) error {
	if reg == nil {
		return errors.New("engine: reload: registry is nil")
	}
	select {
	case <-e.started:
	case <-e.stopped:
		return ErrStopped
	}
	parts := make([]reload, len(e.shards))
	for i := range reg.Schools {
		s := &reg.Schools[i]
		p := &parts[e.shardOf(s.ID)]
		p.schools = append(p.schools, s)
		p.params = append(p.params, e.opts.Params(s.Region, s.ID))
	}
	done := make(chan struct{}, len(e.shards))
	for i, sh := range e.shards {
		if !e.send(sh, msg{reload: &parts[i], done: func() { done <- struct{}{} }}) {
			return ErrStopped
		}
	}
	for range e.shards {
		select {
		case <-done:
		case <-e.stopped:
			return ErrStopped
		}
	}
	e.reg.Store(reg)
	e.log.Info().Int("schools", len(reg.Schools)).Msg("alerting engine reloaded the registry")
	return nil
}

// Registry returns the registry the engine runs on (the last one Reload
// applied).
func (e *Engine) Registry() *devices.Registry { return e.reg.Load() }

// reload applies a registry reload to the shard's schools (shard goroutine).
func (sh *shard) reload(r *reload) {
	keep := make(map[string]bool, len(r.schools))
	for k, s := range r.schools {
		keep[s.ID] = true
		i, ok := sh.byID[s.ID]
		if !ok {
			i = sh.addSchool(s, r.params[k])
			sh.startSchool(i)
			continue
		}
		st := sh.schools[i]
		pend := sh.takeDeviceDeadlines(i)
		st.s, st.params = s, r.params[k]
		sh.allocHandles(i)
		sh.restoreDeviceDeadlines(i, pend)
		for j, m := range sh.e.opts.Modules {
			if rl, ok := m.(Reloader); ok {
				st.states[j] = rl.Reload(s, st.states[j])
			} else if st.states[j] == nil {
				st.states[j] = m.NewState(s)
			}
			if st.states[j] == nil {
				continue
			}
			sh.ctx.bind(i, j)
			m.Start(&sh.ctx, st.states[j])
		}
	}
	for id, i := range sh.byID {
		if keep[id] {
			continue
		}
		// Its keyed deadlines stay in the set until due and are dropped
		// then (advance skips a removed school); the slot is never reused.
		// Its device deadlines are cancelled now.
		sh.dropDeviceDeadlines(i)
		delete(sh.byID, id)
		sh.schools[i] = nil
	}
	sh.e.m.timers.WithLabelValues(itoa(sh.idx)).Set(float64(sh.timers.Len()))
}
