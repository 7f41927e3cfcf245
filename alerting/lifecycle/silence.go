package lifecycle

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Silence mutes the notifications of the alerts its matchers all match,
// from StartsAt until EndsAt (drills, maintenance). Silenced alerts are
// still recorded and shown, with Silenced set.
type Silence struct {
	ID        string    `json:"id"`
	CreatedBy string    `json:"created_by"`
	Reason    string    `json:"reason"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	CreatedAt time.Time `json:"created_at"`
	ExpiredBy string    `json:"expired_by,omitempty"` // who ended it early
}

// Matcher matches one field of an alert: Name is rule, school, region,
// device, severity or subject; Value is the exact value, or with Regex a
// regular expression anchored at both ends.
type Matcher struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Regex bool   `json:"regex,omitempty"`
}

// MatcherNames lists the fields a Matcher may name.
var MatcherNames = []string{"rule", "school", "region", "device", "severity", "subject"}

// Active reports whether s mutes alerts at t.
func (s *Silence) Active(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.EndsAt) }

func ptr[T any](v T) *T { return &v }

func (s *Silence) clone() Silence {
	c := *s
	c.Matchers = append([]Matcher(nil), s.Matchers...)
	return c
}

// silenceEntry is a silence with its compiled matchers.
type silenceEntry struct {
	s      Silence
	match  []compiledMatcher
	active bool // as of the last Tick, to notice when it starts or ends
}

type compiledMatcher struct {
	field func(*alerting.Alert) string
	value string
	re    *regexp.Regexp
}

var matcherFields = map[string]func(*alerting.Alert) string{
	"rule":     func(a *alerting.Alert) string { return string(a.Rule) },
	"school":   func(a *alerting.Alert) string { return a.School },
	"region":   func(a *alerting.Alert) string { return a.Region },
	"device":   func(a *alerting.Alert) string { return a.Device },
	"severity": func(a *alerting.Alert) string { return string(a.Severity) },
	"subject":  func(a *alerting.Alert) string { return a.Subject },
}

// compileSilence checks s's content (not its times) and compiles it.
func compileSilence(s *Silence) (*silenceEntry, error) {
	if strings.TrimSpace(s.CreatedBy) == "" {
		return nil, errors.New("lifecycle: silence: created_by is required")
	}
	if strings.TrimSpace(s.Reason) == "" {
		return nil, errors.New("lifecycle: silence: reason is required")
	}
	if len(s.Matchers) == 0 {
		return nil, errors.New("lifecycle: silence: at least one matcher is required")
	}
	e := &silenceEntry{s: s.clone()}
	narrow := false
	for i, m := range s.Matchers {
		f, ok := matcherFields[m.Name]
		if !ok {
			return nil, fmt.Errorf("lifecycle: silence: matcher %d: name must be one of %s: %q",
				i, strings.Join(MatcherNames, ", "), m.Name)
		}
		cm := compiledMatcher{field: f, value: m.Value}
		if m.Regex {
			re, err := regexp.Compile("^(?:" + m.Value + ")$")
			if err != nil {
				return nil, fmt.Errorf("lifecycle: silence: matcher %d (%s): %w", i, m.Name, err)
			}
			cm.re = re
			if !re.MatchString("") {
				narrow = true
			}
		} else {
			if m.Value == "" {
				return nil, fmt.Errorf("lifecycle: silence: matcher %d (%s): value is required", i, m.Name)
			}
			narrow = true
		}
		e.match = append(e.match, cm)
	}
	if !narrow {
		// Like alertmanager: a silence whose every matcher matches the
		// empty string would mute everything, city-wide.
		return nil, errors.New("lifecycle: silence: at least one matcher must not match an empty value")
	}
	return e, nil
}

func (e *silenceEntry) matches(a *alerting.Alert) bool {
	for i := range e.match {
		m := &e.match[i]
		v := m.field(a)
		if m.re != nil {
			if !m.re.MatchString(v) {
				return false
			}
		} else if v != m.value {
			return false
		}
	}
	return true
}

// AddSilence validates s (author, reason, at least one matcher, EndsAt
// after StartsAt and in the future, regexes that compile, and the
// SilenceLimits: see checkSpan), gives it a new id and CreatedAt, stores
// it, and mutes the open alerts it matches at once. A zero StartsAt means
// now. It trusts CreatedBy to be allowed the rules s may mute: requests of
// people go through AddSilenceAs.
func (m *Manager) AddSilence(s Silence) (Silence, error) {
	now := m.clock.Now()
	if s.StartsAt.IsZero() {
		s.StartsAt = now
	}
	if !s.EndsAt.After(s.StartsAt) {
		return Silence{}, errors.New("lifecycle: silence: ends_at must be after starts_at")
	}
	if !s.EndsAt.After(now) {
		return Silence{}, errors.New("lifecycle: silence: ends_at must be in the future")
	}
	s.ExpiredBy = ""
	e, err := compileSilence(&s)
	if err != nil {
		return Silence{}, err
	}
	if err := checkSpan(&s, m.SilenceLimits(), now); err != nil {
		m.refused(err, &s)
		return Silence{}, err
	}
	m.mu.Lock()
	for {
		e.s.ID = newID("si-", now)
		if _, dup := m.silences[e.s.ID]; !dup {
			break
		}
	}
	e.s.CreatedAt = now
	e.active = e.s.Active(now)
	m.silences[e.s.ID] = e
	m.pending = append(m.pending, pendingOp{op: storeOp{kind: opPutSilence, silence: ptr(e.s.clone())}})
	if e.active {
		m.reevaluateAll(now)
	}
	out := e.s.clone()
	m.unlockAndFlush()
	m.log.Info().Str("silence", out.ID).Str("by", out.CreatedBy).Str("reason", out.Reason).
		Time("ends_at", out.EndsAt).Msg("silence added")
	return out, nil
}

// ExpireSilence ends silence id now; the open alerts it muted are
// notified again (event fired if they never were, else updated).
func (m *Manager) ExpireSilence(id, user string) error {
	if strings.TrimSpace(user) == "" {
		return ErrUserRequired
	}
	now := m.clock.Now()
	m.mu.Lock()
	e, ok := m.silences[id]
	if !ok {
		m.mu.Unlock()
		return ErrNotFound
	}
	if !now.Before(e.s.EndsAt) {
		m.mu.Unlock()
		return ErrSilenceExpired
	}
	if e.s.StartsAt.After(now) {
		e.s.StartsAt = now
	}
	e.s.EndsAt = now
	e.s.ExpiredBy = user
	e.active = false
	m.pending = append(m.pending, pendingOp{op: storeOp{kind: opPutSilence, silence: ptr(e.s.clone())}})
	m.reevaluateAll(now)
	m.unlockAndFlush()
	m.log.Info().Str("silence", id).Str("by", user).Msg("silence expired")
	return nil
}

// Silences returns the silences (with activeOnly, only those muting now;
// otherwise also pending ones and those expired within Retention), newest
// first.
func (m *Manager) Silences(activeOnly bool) []Silence {
	now := m.clock.Now()
	m.mu.Lock()
	out := make([]Silence, 0, len(m.silences))
	for _, e := range m.silences {
		if activeOnly && !e.s.Active(now) {
			continue
		}
		out = append(out, e.s.clone())
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// silencedAt reports whether an active silence matches a. Call with m.mu.
func (m *Manager) silencedAt(a *alerting.Alert, now time.Time) bool {
	for _, e := range m.silences {
		if e.s.Active(now) && e.matches(a) {
			return true
		}
	}
	return false
}

// tickSilences notices silences that started or ended since the last Tick
// and re-evaluates the open alerts if any did; it drops silences expired
// longer than Retention ago. Call with m.mu.
func (m *Manager) tickSilences(now time.Time) {
	changed := m.resilence
	m.resilence = false
	for id, e := range m.silences {
		if a := e.s.Active(now); a != e.active {
			e.active = a
			changed = true
		}
		if now.Sub(e.s.EndsAt) > m.opts.Retention {
			delete(m.silences, id)
			m.pending = append(m.pending, pendingOp{op: storeOp{kind: opDeleteSilence, id: id}})
		}
	}
	if changed {
		m.reevaluateAll(now)
	}
}
