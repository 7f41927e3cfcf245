package lifecycle

import (
	"sort"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Filter selects alerts for List; an empty field matches everything, a
// list matches any of its values.
type Filter struct {
	States     []alerting.State
	Regions    []string
	Schools    []string
	Rules      []alerting.RuleID
	Severities []alerting.Severity
	Audiences  []alerting.Audience // at least one in common with the alert's
	Since      time.Time           // changed at or after (updated_at)
}

func (f *Filter) match(a *alerting.Alert) bool {
	return in(f.States, a.State) && in(f.Regions, a.Region) && in(f.Schools, a.School) &&
		in(f.Rules, a.Rule) && in(f.Severities, a.Severity) &&
		(f.Since.IsZero() || !a.UpdatedAt.Before(f.Since)) && anyIn(f.Audiences, a.Audience)
}

func in[T comparable](set []T, v T) bool {
	if len(set) == 0 {
		return true
	}
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

func anyIn(set, vs []alerting.Audience) bool {
	if len(set) == 0 {
		return true
	}
	for _, v := range vs {
		if in(set, v) {
			return true
		}
	}
	return false
}

// List returns the open alerts and those resolved within Retention that f
// selects, most severe first, then newest first.
func (m *Manager) List(f Filter) []alerting.Alert {
	m.mu.Lock()
	sel := make([]*entry, 0, 64)
	for _, e := range m.byID {
		if f.match(&e.a) {
			sel = append(sel, e)
		}
	}
	out := make([]alerting.Alert, len(sel))
	for i, e := range sel {
		out[i] = cloneAlert(&e.a)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra < rb
		}
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.After(b.StartedAt)
		}
		return a.ID > b.ID
	})
	return out
}

// sortEntries orders entries oldest first, for deterministic change order.
func sortEntries(es []*entry) {
	sort.Slice(es, func(i, j int) bool {
		if !es[i].a.StartedAt.Equal(es[j].a.StartedAt) {
			return es[i].a.StartedAt.Before(es[j].a.StartedAt)
		}
		return es[i].a.ID < es[j].a.ID
	})
}
