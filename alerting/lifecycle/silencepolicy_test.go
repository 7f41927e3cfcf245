package lifecycle

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
)

var (
	police    = Silencer{Name: "police", Audiences: []alerting.Audience{alerting.Police}, Drill: true}
	education = Silencer{Name: "education", Audiences: []alerting.Audience{alerting.Education}}
	market    = Silencer{Name: "market", Audiences: []alerting.Audience{alerting.Market}}
	admin     = Silencer{Name: "admin", Audiences: alerting.Audiences} // every audience, no drills
)

func rule(id string) Matcher { return Matcher{Name: "rule", Value: id} }

var schoolS1 = Matcher{Name: "school", Value: "s1"}

// TestSilenceScope: who may silence which rules (issue 7: an education
// account silenced alarm_panic and the police-only alarm_unacked; police
// silenced market-only kitchen rules).
func TestSilenceScope(t *testing.T) {
	tests := []struct {
		name     string
		by       Silencer
		matchers []Matcher
		want     SilenceRefusal // "" allowed
		rules    []alerting.RuleID
	}{
		{"police, panic drill", police, []Matcher{schoolS1, rule("alarm_panic")}, "", nil},
		{"police, unacked", police, []Matcher{schoolS1, rule("alarm_unacked")}, "", nil},
		{"police, gate", police, []Matcher{schoolS1, rule("gate_forced")}, "", nil},
		{"police, kitchen (market only)", police, []Matcher{schoolS1, rule("kitchen_repeat")}, RefusedAudience, []alerting.RuleID{alerting.KitchenRepeat}},
		{"police, every rule of a school", police, []Matcher{schoolS1}, RefusedAudience, nil},
		{"police, regex over gates and kitchens", police, []Matcher{schoolS1, {Name: "rule", Value: "gate_forced|kitchen_.*", Regex: true}}, RefusedAudience,
			[]alerting.RuleID{alerting.KitchenCamOffline, alerting.KitchenCamOccluded, alerting.KitchenViolation, alerting.KitchenRepeat, alerting.KitchenOverdue}},
		{"police, regex over its own rules", police, []Matcher{schoolS1, {Name: "rule", Value: "alarm_(panic|offline)|gate_(forced|intrusion|blacklist)", Regex: true}}, "", nil},
		{"education, panic (told, but a police matter)", education, []Matcher{schoolS1, rule("alarm_panic")}, RefusedDrill, []alerting.RuleID{alerting.AlarmPanic}},
		{"education, unacked (police only)", education, []Matcher{schoolS1, rule("alarm_unacked")}, RefusedAudience, []alerting.RuleID{alerting.AlarmUnacked}},
		{"education, guard rule", education, []Matcher{schoolS1, rule("guard_unlicensed")}, "", nil},
		{"education, every rule of a region", education, []Matcher{{Name: "region", Value: "130802"}}, RefusedAudience, nil},
		{"market, kitchen", market, []Matcher{schoolS1, rule("kitchen_cam_offline")}, "", nil},
		{"market, gate", market, []Matcher{schoolS1, rule("gate_forced")}, RefusedAudience, []alerting.RuleID{alerting.GateForced}},
		{"admin, school-only rule", admin, []Matcher{schoolS1, rule("alarm_trouble")}, "", nil},
		{"admin, panic (a drill is a police matter)", admin, []Matcher{schoolS1, rule("alarm_panic")}, RefusedDrill, []alerting.RuleID{alerting.AlarmPanic}},
		{"admin, every rule", admin, []Matcher{schoolS1}, RefusedDrill, DrillRules},
		{"nobody: no audience", Silencer{Name: "x"}, []Matcher{schoolS1, rule("gate_forced")}, RefusedAudience, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Silence{Matchers: tt.matchers}
			err := CheckScope(&s, tt.by)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *SilenceError
			if !errors.As(err, &se) || se.Refusal != tt.want || !se.Forbidden() {
				t.Fatalf("err %v, want refusal %s", err, tt.want)
			}
			if tt.rules != nil && !slices.Equal(se.Rules, tt.rules) {
				t.Fatalf("rules %v, want %v", se.Rules, tt.rules)
			}
		})
	}
}

// TestSilenceSpan: every silence at most silence_max_duration, a panic
// silence at most silence_drill_max_duration, both from the rules file.
func TestSilenceSpan(t *testing.T) {
	for _, limits := range []struct {
		name       string
		params     *config.Params
		max, drill time.Duration
	}{
		{"defaults", nil, 7 * 24 * time.Hour, 4 * time.Hour},
		{"rules file", &config.Params{SilenceMaxDuration: 24 * time.Hour, SilenceDrillMaxDuration: time.Hour}, 24 * time.Hour, time.Hour},
	} {
		e := newEnv(t, func(o *Options) {
			if limits.params != nil {
				o.Params = func(string) *config.Params { return limits.params }
			}
		})
		if got := e.m.SilenceLimits(); got.Max != limits.max || got.Drill != limits.drill {
			t.Fatalf("%s: limits %+v", limits.name, got)
		}
		now := e.clock.Now()
		tests := []struct {
			name       string
			matchers   []Matcher
			start, end time.Time
			want       SilenceRefusal
		}{
			{"gate, max", []Matcher{schoolS1, rule("gate_forced")}, now, now.Add(limits.max), ""},
			{"gate, over max", []Matcher{schoolS1, rule("gate_forced")}, now, now.Add(limits.max + time.Second), RefusedTooLong},
			{"ten years", []Matcher{schoolS1, rule("gate_forced")}, now, now.AddDate(10, 0, 0), RefusedTooLong},
			{"started long ago: counted from now", []Matcher{schoolS1, rule("gate_forced")}, now.AddDate(-1, 0, 0), now.Add(limits.max), ""},
			{"starts too far ahead", []Matcher{schoolS1, rule("gate_forced")}, now.Add(limits.max + time.Hour), now.Add(limits.max + 2*time.Hour), RefusedTooFarAhead},
			{"panic, drill max", []Matcher{schoolS1, rule("alarm_panic")}, now, now.Add(limits.drill), ""},
			{"panic, over drill max", []Matcher{schoolS1, rule("alarm_panic")}, now, now.Add(limits.drill + time.Second), RefusedDrillTooLong},
			{"unacked by regex, over drill max", []Matcher{schoolS1, {Name: "rule", Value: "alarm_.*", Regex: true}}, now, now.Add(limits.drill + time.Minute), RefusedDrillTooLong},
			{"whole school, over drill max", []Matcher{schoolS1}, now, now.Add(limits.drill + time.Minute), RefusedDrillTooLong},
		}
		for _, tt := range tests {
			t.Run(limits.name+"/"+tt.name, func(t *testing.T) {
				_, err := e.m.AddSilence(Silence{CreatedBy: "ops", Reason: "r", Matchers: tt.matchers, StartsAt: tt.start, EndsAt: tt.end})
				if tt.want == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var se *SilenceError
				if !errors.As(err, &se) || se.Refusal != tt.want || se.Forbidden() {
					t.Fatalf("err %v, want refusal %s", err, tt.want)
				}
			})
		}
	}
}

// TestAddSilenceAs: the policy is enforced where silences are made; a
// refusal stores nothing and is counted.
func TestAddSilenceAs(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	_, err := e.m.AddSilenceAs(Silence{Reason: "drill", Matchers: []Matcher{schoolS1, rule("alarm_panic")}, EndsAt: now.AddDate(10, 0, 0)}, education)
	var se *SilenceError
	if !errors.As(err, &se) || se.Refusal != RefusedDrill {
		t.Fatalf("education's ten-year panic silence: %v", err)
	}
	_, err = e.m.AddSilenceAs(Silence{Reason: "drill", Matchers: []Matcher{schoolS1, rule("alarm_panic")}, EndsAt: now.Add(5 * time.Hour)}, police)
	if !errors.As(err, &se) || se.Refusal != RefusedDrillTooLong {
		t.Fatalf("police five-hour panic silence: %v", err)
	}
	if n := len(e.m.Silences(false)); n != 0 {
		t.Fatalf("%d silences stored by refusals", n)
	}
	if n := testutil.ToFloat64(e.m.met.refused[RefusedDrill]) + testutil.ToFloat64(e.m.met.refused[RefusedDrillTooLong]); n != 2 {
		t.Fatalf("refusals counted %v, want 2", n)
	}
	s, err := e.m.AddSilenceAs(Silence{CreatedBy: "mallory", Reason: "drill", Matchers: []Matcher{schoolS1, rule("alarm_panic")}, EndsAt: now.Add(4 * time.Hour)}, police)
	if err != nil || s.CreatedBy != "police" {
		t.Fatalf("police drill: %+v, %v", s, err)
	}

	// Ending: any silencer told of a rule it mutes; no drill needed.
	if err := e.m.ExpireSilenceAs(s.ID, market); !errors.As(err, &se) || se.Refusal != RefusedAudience {
		t.Fatalf("market ends a panic drill: %v", err)
	}
	if err := e.m.ExpireSilenceAs("si-nope", police); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if err := e.m.ExpireSilenceAs(s.ID, education); err != nil {
		t.Fatalf("education ends a panic drill: %v", err)
	}
	// An over-broad silence (stored before the policy) may be ended by
	// anyone whose alerts it mutes.
	broad, err := e.m.AddSilence(Silence{CreatedBy: "legacy", Reason: "x", Matchers: []Matcher{schoolS1}, EndsAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.m.ExpireSilenceAs(broad.ID, market); err != nil {
		t.Fatalf("market ends a whole-school silence: %v", err)
	}
	got := map[string]string{}
	for _, si := range e.m.Silences(false) {
		got[si.ID] = si.ExpiredBy
	}
	if got[s.ID] != "education" || got[broad.ID] != "market" {
		t.Fatalf("expired by %v", got)
	}
}

// TestStoredSilencesCapped: silences stored before the limits (the
// ten-year panic silence of the issue) are shortened at start-up to the
// limit from now, and the store is told.
func TestStoredSilencesCapped(t *testing.T) {
	store := NewMemStore()
	long := t0.AddDate(10, 0, 0)
	for _, s := range []Silence{
		{ID: "si-panic", CreatedBy: "edu-county", Reason: "x", Matchers: []Matcher{{Name: "region", Value: "130802"}, rule("alarm_panic")}, StartsAt: t0.Add(-time.Hour), EndsAt: long},
		{ID: "si-unacked", CreatedBy: "edu-county", Reason: "x", Matchers: []Matcher{{Name: "region", Value: "130802"}, rule("alarm_unacked")}, StartsAt: t0.Add(-time.Hour), EndsAt: long},
		{ID: "si-gate", CreatedBy: "ops", Reason: "x", Matchers: []Matcher{schoolS1, rule("gate_forced")}, StartsAt: t0.Add(-time.Hour), EndsAt: long},
		{ID: "si-later", CreatedBy: "ops", Reason: "x", Matchers: []Matcher{schoolS1, rule("gate_forced")}, StartsAt: t0.Add(time.Hour), EndsAt: long},
		{ID: "si-short", CreatedBy: "ops", Reason: "x", Matchers: []Matcher{schoolS1, rule("alarm_panic")}, StartsAt: t0, EndsAt: t0.Add(time.Hour)},
	} {
		if err := store.PutSilence(s); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t, func(o *Options) { o.Store = store })
	want := map[string]time.Time{
		"si-panic":   t0.Add(4 * time.Hour),
		"si-unacked": t0.Add(4 * time.Hour),
		"si-gate":    t0.Add(7 * 24 * time.Hour),
		"si-later":   t0.Add(time.Hour + 7*24*time.Hour),
		"si-short":   t0.Add(time.Hour),
	}
	check := func(where string, ss []Silence) {
		t.Helper()
		if len(ss) != len(want) {
			t.Fatalf("%s: %d silences", where, len(ss))
		}
		for _, s := range ss {
			if !s.EndsAt.Equal(want[s.ID]) {
				t.Errorf("%s: %s ends %s, want %s", where, s.ID, s.EndsAt, want[s.ID])
			}
		}
	}
	check("manager", e.m.Silences(false))
	_, stored, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	check("store", stored)
	if n := testutil.ToFloat64(e.m.met.silencesCapped); n != 4 {
		t.Fatalf("capped %v, want 4", n)
	}
}
