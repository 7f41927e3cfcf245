package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// silenceBody renders a POST /api/v1/silences body with a duration.
func silenceBody(matchers string) string {
	return `{"matchers":` + matchers + `,"duration":"2h","reason":"消防演练 / fire drill"}`
}

func TestSilenceLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	got := decode[lifecycle.Silence](t, e.do("POST", "/api/v1/silences", "police-sq",
		silenceBody(`[{"name":"school","value":"`+schoolA+`"},{"name":"rule","value":"alarm_panic"}]`)), http.StatusCreated)
	if got.ID == "" || got.CreatedBy != "police-sq" || !got.StartsAt.Equal(e.clock.Now()) ||
		!got.EndsAt.Equal(e.clock.Now().Add(2*time.Hour)) || got.Reason != "消防演练 / fire drill" {
		t.Fatalf("created %+v", got)
	}
	// It mutes the alert at once.
	if a, _ := e.m.Get(s.panicA.ID); !a.Silenced {
		t.Fatalf("not silenced: %+v", a)
	}
	list := decode[silenceList](t, e.do("GET", "/api/v1/silences?active=true", "police-sq", ""), http.StatusOK)
	if list.Count != 1 || list.Silences[0].ID != got.ID {
		t.Fatalf("list %+v", list)
	}
	// ends_at instead of duration, starting later: pending, not active.
	start := e.clock.Now().Add(time.Hour).Format(time.RFC3339)
	end := e.clock.Now().Add(3 * time.Hour).Format(time.RFC3339)
	pending := decode[lifecycle.Silence](t, e.do("POST", "/api/v1/silences", "admin",
		`{"matchers":[{"name":"region","value":"130803"},{"name":"rule","value":"alarm_offline"}],"starts_at":"`+start+`","ends_at":"`+end+`","reason":"维护"}`), http.StatusCreated)
	if n := decode[silenceList](t, e.do("GET", "/api/v1/silences?active=true", "admin", ""), http.StatusOK).Count; n != 1 {
		t.Fatalf("active silences %d, want 1", n)
	}
	if n := decode[silenceList](t, e.do("GET", "/api/v1/silences", "admin", ""), http.StatusOK).Count; n != 2 {
		t.Fatalf("silences %d, want 2", n)
	}

	rec := e.do("DELETE", "/api/v1/silences/"+got.ID, "police-sq", "")
	if rec.Code != http.StatusNoContent {
		t.Fatalf("expire: %d %s", rec.Code, rec.Body)
	}
	if a, _ := e.m.Get(s.panicA.ID); a.Silenced {
		t.Fatalf("still silenced: %+v", a)
	}
	all := decode[silenceList](t, e.do("GET", "/api/v1/silences", "admin", ""), http.StatusOK)
	for _, si := range all.Silences {
		if si.ID == got.ID && si.ExpiredBy != "police-sq" {
			t.Fatalf("expired %+v", si)
		}
	}
	errorOf(t, e.do("DELETE", "/api/v1/silences/"+got.ID, "police-sq", ""), http.StatusConflict, codeSilenceExpired)
	errorOf(t, e.do("DELETE", "/api/v1/silences/si-nope", "admin", ""), http.StatusNotFound, codeNotFound)
	if rec := e.do("DELETE", "/api/v1/silences/"+pending.ID, "admin", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("expire pending: %d %s", rec.Code, rec.Body)
	}
	errorOf(t, e.do("GET", "/api/v1/silences?active=maybe", "admin", ""), http.StatusBadRequest, codeBadParameter)
	errorOf(t, e.do("GET", "/api/v1/silences?all=1", "admin", ""), http.StatusBadRequest, codeUnknownParameter)
}

func TestSilenceValidation(t *testing.T) {
	e := newEnv(t, nil)
	past := e.clock.Now().Add(-time.Hour).Format(time.RFC3339)
	school := `[{"name":"school","value":"` + schoolA + `"}]`
	tests := []struct {
		name, body, code, param string
	}{
		{"no body", "", codeBadBody, ""},
		{"no reason", `{"matchers":` + school + `,"duration":"1h"}`, codeBadParameter, "reason"},
		{"no matchers", `{"matchers":[],"duration":"1h","reason":"x"}`, codeBadParameter, "matchers"},
		{"bad matcher name", silenceBody(`[{"name":"person","value":"p1"}]`), codeBadParameter, "matchers[0]"},
		{"bad regex", silenceBody(`[{"name":"device","value":"(","regex":true}]`), codeBadParameter, "matchers[0]"},
		{"empty literal", silenceBody(`[{"name":"device","value":""}]`), codeBadParameter, "matchers[0]"},
		{"unknown rule", silenceBody(school[:len(school)-1] + `,{"name":"rule","value":"alarm_panik"}]`), codeBadParameter, "matchers[1]"},
		{"unknown school", silenceBody(`[{"name":"school","value":"no-such"}]`), codeBadParameter, "matchers[0]"},
		{"unknown region", silenceBody(`[{"name":"region","value":"999999"}]`), codeBadParameter, "matchers[0]"},
		{"bad severity", silenceBody(`[{"name":"severity","value":"P9"}]`), codeBadParameter, "matchers[0]"},
		{"matches everything", silenceBody(`[{"name":"device","value":".*","regex":true}]`), codeBadParameter, "matchers"},
		{"no end", `{"matchers":` + school + `,"reason":"x"}`, codeBadParameter, "ends_at"},
		{"end and duration", `{"matchers":` + school + `,"reason":"x","duration":"1h","ends_at":"2030-01-01T00:00:00Z"}`, codeBadParameter, "ends_at"},
		{"bad duration", `{"matchers":` + school + `,"reason":"x","duration":"soon"}`, codeBadParameter, "duration"},
		{"ends in the past", `{"matchers":` + school + `,"reason":"x","ends_at":"` + past + `"}`, codeBadParameter, "ends_at"},
		{"created_by is the viewer's", `{"matchers":` + school + `,"reason":"x","duration":"1h","created_by":"mallory"}`, codeBadBody, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errorOf(t, e.do("POST", "/api/v1/silences", "admin", tt.body), http.StatusBadRequest, tt.code)
			if got.Param != tt.param {
				t.Fatalf("param %q, want %q", got.Param, tt.param)
			}
		})
	}
	if n := len(e.m.Silences(false)); n != 0 {
		t.Fatalf("%d silences made by refused requests", n)
	}
}

func TestSilenceJurisdiction(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name, viewer, matchers string
		ok                     bool
	}{
		{"city-wide viewer, any matcher", "admin", `[{"name":"rule","value":"alarm_test_overdue"}]`, true},
		{"region viewer, own region", "police-sq", `[{"name":"region","value":"130802"},{"name":"rule","value":"gate_forced"}]`, true},
		{"region viewer, own school", "police-sq", `[{"name":"school","value":"` + schoolB + `"},{"name":"rule","value":"gate_forced"}]`, true},
		{"region viewer, other region", "police-sq", `[{"name":"region","value":"130803"}]`, false},
		{"region viewer, other school", "police-sq", `[{"name":"school","value":"` + schoolC + `"}]`, false},
		{"region viewer, no place", "police-sq", `[{"name":"rule","value":"alarm_panic"}]`, false},
		{"region viewer, regex region", "police-sq", `[{"name":"region","value":"13080.","regex":true}]`, false},
		{"region viewer, own region narrowed by regex", "police-sq", `[{"name":"region","value":"130802"},{"name":"school","value":"sq-.*","regex":true},{"name":"rule","value":"gate_forced"}]`, true},
		{"school viewer, own school: schools may not silence their own lapses", "school-a", `[{"name":"school","value":"` + schoolA + `"},{"name":"rule","value":"gate_held_open"}]`, false},
		{"school viewer, own region", "school-a", `[{"name":"region","value":"130802"}]`, false},
		{"school viewer, other school", "school-a", `[{"name":"school","value":"` + schoolB + `"}]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do("POST", "/api/v1/silences", tt.viewer, silenceBody(tt.matchers))
			if tt.ok {
				decode[lifecycle.Silence](t, rec, http.StatusCreated)
			} else {
				code := codeOutside
				if strings.HasPrefix(tt.viewer, "school") {
					code = codeRoleForbidden // schools may not silence at all
				}
				errorOf(t, rec, http.StatusForbidden, code)
			}
		})
	}
}

func TestSilenceVisibility(t *testing.T) {
	e := newEnv(t, nil)
	add := func(matchers ...lifecycle.Matcher) string {
		t.Helper()
		s, err := e.m.AddSilence(lifecycle.Silence{CreatedBy: "admin", Reason: "test", Matchers: matchers, EndsAt: e.clock.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	cityRule := add(lifecycle.Matcher{Name: "rule", Value: "alarm_test_overdue"})
	inSQ := add(lifecycle.Matcher{Name: "region", Value: regionSQ})
	inSL := add(lifecycle.Matcher{Name: "school", Value: schoolC})
	regexSQ := add(lifecycle.Matcher{Name: "school", Value: "sq-.*", Regex: true})
	schoolOnlyB := add(lifecycle.Matcher{Name: "school", Value: schoolB})

	tests := []struct {
		viewer string
		want   []string
	}{
		{"admin", []string{cityRule, inSQ, inSL, regexSQ, schoolOnlyB}},
		{"police-sq", []string{cityRule, inSQ, regexSQ, schoolOnlyB}},
		{"police-sl", []string{cityRule, inSL}},
		{"school-a", []string{cityRule, inSQ, regexSQ}},
	}
	for _, tt := range tests {
		t.Run(tt.viewer, func(t *testing.T) {
			list := decode[silenceList](t, e.do("GET", "/api/v1/silences", tt.viewer, ""), http.StatusOK)
			var ids []string
			for _, s := range list.Silences {
				ids = append(ids, s.ID)
			}
			slices.Sort(ids)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(ids, want) {
				t.Fatalf("silences %q, want %q", ids, want)
			}
		})
	}
	// Visible but wider than the viewer: 403; invisible: 404.
	errorOf(t, e.do("DELETE", "/api/v1/silences/"+cityRule, "police-sq", ""), http.StatusForbidden, codeOutside)
	errorOf(t, e.do("DELETE", "/api/v1/silences/"+regexSQ, "police-sq", ""), http.StatusForbidden, codeOutside)
	errorOf(t, e.do("DELETE", "/api/v1/silences/"+inSL, "police-sq", ""), http.StatusNotFound, codeNotFound)
	errorOf(t, e.do("DELETE", "/api/v1/silences/"+inSQ, "school-a", ""), http.StatusForbidden, codeRoleForbidden)
	if rec := e.do("DELETE", "/api/v1/silences/"+schoolOnlyB, "police-sq", ""); rec.Code != http.StatusNoContent {
		t.Fatalf("expire own: %d %s", rec.Code, rec.Body)
	}
}
