package lifecycle

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
)

// The silence policy (issue 7): a silence may mute only rules told to its
// author's audiences; the panic rules (DrillRules) only by the police, for
// at most silence_drill_max_duration (a drill); and no silence lasts
// longer than silence_max_duration. The rules a silence may mute are the
// catalogue rules that its rule matchers all match: a silence without a
// rule matcher may mute every rule, the panic ones included, and is
// therefore open only to a silencer who may silence every rule, which is
// nobody. Other matchers (severity, school, ...) do not narrow that set,
// since severities can be overridden per school. Jurisdiction (which
// schools a silence may reach) is the API's to check: it knows the
// registry and the viewer.

// DrillRules are the rules a silence may mute only as a police drill.
var DrillRules = []alerting.RuleID{alerting.AlarmPanic, alerting.AlarmUnacked}

// Silencer is who creates or ends a silence, as the policy sees them.
type Silencer struct {
	Name string // recorded as created_by or expired_by
	// Audiences: every rule a silence may mute must be told to one of
	// these.
	Audiences []alerting.Audience
	// Drill: may silence the DrillRules (the police).
	Drill bool
}

// SilenceRefusal says why the policy refuses a silence.
type SilenceRefusal string

// Refusals. The first two are about who asks (the API answers 403), the
// others about how long (400: a shorter silence is allowed).
const (
	RefusedAudience     SilenceRefusal = "audience"       // it may mute rules not told to the silencer
	RefusedDrill        SilenceRefusal = "drill"          // it may mute a panic rule and the silencer is not the police
	RefusedTooLong      SilenceRefusal = "too_long"       // it lasts longer than silence_max_duration
	RefusedDrillTooLong SilenceRefusal = "drill_too_long" // it may mute a panic rule for longer than silence_drill_max_duration
	RefusedTooFarAhead  SilenceRefusal = "too_far_ahead"  // it starts later than silence_max_duration from now
)

// SilenceRefusals lists every refusal, for metrics.
var SilenceRefusals = []SilenceRefusal{RefusedAudience, RefusedDrill, RefusedTooLong, RefusedDrillTooLong, RefusedTooFarAhead}

// SilenceError is a silence the policy refuses; find it with errors.As.
type SilenceError struct {
	Refusal SilenceRefusal
	Rules   []alerting.RuleID // the rules at fault (audience, drill)
	Limit   time.Duration     // the limit exceeded (too_long, drill_too_long, too_far_ahead)
}

func (e *SilenceError) Error() string {
	switch e.Refusal {
	case RefusedAudience:
		return fmt.Sprintf("lifecycle: silence: it may mute rules not told to you: %s (name the rules with a rule matcher)", ruleList(e.Rules))
	case RefusedDrill:
		return fmt.Sprintf("lifecycle: silence: only the police may silence %s (a drill)", ruleList(e.Rules))
	case RefusedTooLong:
		return fmt.Sprintf("lifecycle: silence: longer than the maximum of %s", config.FormatDuration(e.Limit))
	case RefusedDrillTooLong:
		return fmt.Sprintf("lifecycle: silence: it may mute %s: a drill lasts at most %s", ruleList(e.Rules), config.FormatDuration(e.Limit))
	case RefusedTooFarAhead:
		return fmt.Sprintf("lifecycle: silence: it must start within %s", config.FormatDuration(e.Limit))
	}
	return "lifecycle: silence: refused: " + string(e.Refusal)
}

// Forbidden reports whether the silencer may not make such a silence at
// all, as opposed to a limit a shorter silence meets.
func (e *SilenceError) Forbidden() bool {
	return e.Refusal == RefusedAudience || e.Refusal == RefusedDrill
}

// ruleList names up to six rules.
func ruleList(ids []alerting.RuleID) string {
	const most = 6
	var b strings.Builder
	for i, id := range ids {
		if i == most {
			fmt.Fprintf(&b, " and %d more", len(ids)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(id))
	}
	return b.String()
}

// SilenceLimits are the policy's durations.
type SilenceLimits struct {
	Max   time.Duration // every silence
	Drill time.Duration // a silence that may mute a DrillRule
}

// SilenceLimits returns the limits in force: silence_max_duration and
// silence_drill_max_duration of the rules file's defaults (Params("")),
// never above their hard ceilings, the drill's never above Max.
func (m *Manager) SilenceLimits() SilenceLimits {
	p := m.opts.Params("")
	if p == nil {
		p = &m.defaults
	}
	l := SilenceLimits{Max: p.SilenceMaxDuration, Drill: p.SilenceDrillMaxDuration}
	if l.Max <= 0 || l.Max > config.SilenceMaxCeiling {
		l.Max = min(m.defaults.SilenceMaxDuration, config.SilenceMaxCeiling)
	}
	if l.Drill <= 0 || l.Drill > config.SilenceDrillMaxCeiling {
		l.Drill = min(m.defaults.SilenceDrillMaxDuration, config.SilenceDrillMaxCeiling)
	}
	l.Drill = min(l.Drill, l.Max)
	return l
}

// Rules returns the catalogue rules s may mute: those whose id every rule
// matcher of s matches (all of them when s has no rule matcher). A rule
// matcher that does not compile matches nothing.
func (s *Silence) Rules() []alerting.RuleID {
	var ms []fieldMatch
	for _, m := range s.Matchers {
		if m.Name == "rule" {
			ms = append(ms, newFieldMatch(m))
		}
	}
	var out []alerting.RuleID
	for _, r := range alerting.Catalogue {
		if matchAll(ms, string(r.ID)) {
			out = append(out, r.ID)
		}
	}
	return out
}

// Drill reports whether s may mute one of the DrillRules.
func (s *Silence) Drill() bool { return len(drillRules(s.Rules())) > 0 }

// drillRules returns the DrillRules among ids.
func drillRules(ids []alerting.RuleID) []alerting.RuleID {
	var out []alerting.RuleID
	for _, id := range ids {
		if slices.Contains(DrillRules, id) {
			out = append(out, id)
		}
	}
	return out
}

// CheckScope checks that by may silence every rule s may mute: each is
// told to one of by's audiences, and the DrillRules need by.Drill.
func CheckScope(s *Silence, by Silencer) error {
	rules := s.Rules()
	var outside, drill []alerting.RuleID
	for _, id := range rules {
		info, _ := alerting.Info(id)
		if !slices.ContainsFunc(info.Audience, func(a alerting.Audience) bool { return slices.Contains(by.Audiences, a) }) {
			outside = append(outside, id)
		}
		if slices.Contains(DrillRules, id) && !by.Drill {
			drill = append(drill, id)
		}
	}
	if len(outside) > 0 {
		return &SilenceError{Refusal: RefusedAudience, Rules: outside}
	}
	if len(drill) > 0 {
		return &SilenceError{Refusal: RefusedDrill, Rules: drill}
	}
	return nil
}

// MayEnd checks that by may end s early: s may mute a rule told to one of
// by's audiences. Ending a silence only lets notifications out again, so
// neither the drill rule nor the breadth of s stands in the way: the
// police may end an over-broad silence that mutes their alerts among
// others; market regulation may not end a panic drill's silence.
func MayEnd(s *Silence, by Silencer) error {
	rules := s.Rules()
	if len(rules) == 0 {
		return nil // it mutes no rule: ending it changes nothing
	}
	for _, id := range rules {
		info, _ := alerting.Info(id)
		if slices.ContainsFunc(info.Audience, func(a alerting.Audience) bool { return slices.Contains(by.Audiences, a) }) {
			return nil
		}
	}
	return &SilenceError{Refusal: RefusedAudience, Rules: rules}
}

// checkSpan checks the times of s against l at now: it starts within
// l.Max, and from its start (or now, if it started already) it lasts at
// most l.Max, or l.Drill if it may mute a DrillRule.
func checkSpan(s *Silence, l SilenceLimits, now time.Time) error {
	if s.StartsAt.Sub(now) > l.Max {
		return &SilenceError{Refusal: RefusedTooFarAhead, Limit: l.Max}
	}
	from := s.StartsAt
	if from.Before(now) {
		from = now
	}
	span := s.EndsAt.Sub(from)
	if span > l.Max {
		return &SilenceError{Refusal: RefusedTooLong, Limit: l.Max}
	}
	if span > l.Drill {
		if drill := drillRules(s.Rules()); len(drill) > 0 {
			return &SilenceError{Refusal: RefusedDrillTooLong, Rules: drill, Limit: l.Drill}
		}
	}
	return nil
}

// AddSilenceAs adds s for by (see AddSilence), once the policy allows it:
// by may silence every rule s may mute (CheckScope). by.Name becomes
// CreatedBy.
func (m *Manager) AddSilenceAs(s Silence, by Silencer) (Silence, error) {
	s.CreatedBy = by.Name
	if err := CheckScope(&s, by); err != nil {
		m.refused(err, &s)
		return Silence{}, err
	}
	return m.AddSilence(s)
}

// ExpireSilenceAs ends silence id now for by (see ExpireSilence), once
// the policy allows it (MayEnd).
func (m *Manager) ExpireSilenceAs(id string, by Silencer) error {
	m.mu.Lock()
	e, ok := m.silences[id]
	var s Silence
	if ok {
		s = e.s.clone()
	}
	m.mu.Unlock()
	if !ok {
		return ErrNotFound
	}
	if err := MayEnd(&s, by); err != nil {
		m.refused(err, &s)
		return err
	}
	return m.ExpireSilence(id, by.Name)
}

// refused counts and logs a refusal of the policy.
func (m *Manager) refused(err error, s *Silence) {
	var se *SilenceError
	if errors.As(err, &se) {
		m.met.silenceRefused(se.Refusal)
	}
	m.log.Warn().Err(err).Str("by", s.CreatedBy).Str("silence", s.ID).Msg("silence refused")
}

// capStored shortens a silence loaded from the store that outlasts the
// limits in force (made before them, or before the file lowered them): it
// then ends at most the applicable limit after its start or now, whichever
// is later. Its author's role was not recorded, so the audience rules are
// not checked again. Reports whether it changed s.
func (m *Manager) capStored(s *Silence, now time.Time) bool {
	if !s.EndsAt.After(now) {
		return false
	}
	l := m.SilenceLimits()
	limit := l.Max
	if s.Drill() {
		limit = l.Drill
	}
	from := s.StartsAt
	if from.Before(now) {
		from = now
	}
	end := from.Add(limit)
	if !s.EndsAt.After(end) {
		return false
	}
	m.log.Warn().Str("silence", s.ID).Str("by", s.CreatedBy).Time("ends_at", s.EndsAt).Time("capped_to", end).
		Dur("limit", limit).Msg("stored silence outlasts the silence limits; shortened")
	s.EndsAt = end
	m.met.silencesCapped.Inc()
	return true
}

// fieldMatch is a compiled Matcher: an exact value or an anchored regex
// (one that does not compile matches nothing).
type fieldMatch struct {
	value string
	re    *regexp.Regexp
	bad   bool
}

func newFieldMatch(m Matcher) fieldMatch {
	if !m.Regex {
		return fieldMatch{value: m.Value}
	}
	re, err := regexp.Compile("^(?:" + m.Value + ")$")
	return fieldMatch{re: re, bad: err != nil}
}

func (f fieldMatch) match(v string) bool {
	switch {
	case f.bad:
		return false
	case f.re != nil:
		return f.re.MatchString(v)
	}
	return v == f.value
}

func matchAll(ms []fieldMatch, v string) bool {
	for _, m := range ms {
		if !m.match(v) {
			return false
		}
	}
	return true
}
