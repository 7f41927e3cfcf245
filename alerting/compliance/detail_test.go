package compliance

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/campusguard/campusguard/devices"
)

// checkOneLanguage fails when r's reasons mix the languages: each is in
// its own field, the Chinese with no English clause, the English with no
// Chinese character.
func checkOneLanguage(t *testing.T, what string, r Result) {
	t.Helper()
	if (r.DetailZH == "") != (r.DetailEN == "") {
		t.Errorf("%s: a reason in one language only: %+v", what, r)
	}
	if strings.Contains(r.DetailZH, " / ") || strings.Contains(r.DetailZH, "not ") || strings.Contains(r.DetailZH, "judged") {
		t.Errorf("%s: Chinese reason carries English: %q", what, r.DetailZH)
	}
	if strings.IndexFunc(r.DetailEN, func(c rune) bool { return unicode.Is(unicode.Han, c) }) >= 0 {
		t.Errorf("%s: English reason carries Chinese: %q", what, r.DetailEN)
	}
	if r.DetailZH != "" && strings.IndexFunc(r.DetailZH, func(c rune) bool { return unicode.Is(unicode.Han, c) }) < 0 {
		t.Errorf("%s: Chinese reason without Chinese: %q", what, r.DetailZH)
	}
}

// TestDetailNeverMixed: every reason the evaluation gives — not judged
// yet, not met, cannot show it, not applicable — comes in two fields, one
// language each (it used to be one string "门禁离线 / gate offline").
func TestDetailNeverMixed(t *testing.T) {
	seen := 0
	check := func(name string, sd SchoolDay) {
		for _, m := range Measures {
			r := sd.Measures[m]
			if r.DetailZH != "" {
				seen++
			}
			checkOneLanguage(t, name+" "+string(m), r)
		}
	}
	// Live at noon: windows not over.
	r, _ := oneSchool(t, monday)
	r.perfectDay(monday)
	r.run(at(monday, 12, 0))
	check("noon", r.day(monday))
	// A silent day: every measure fails, with its reasons.
	r, _ = oneSchool(t, monday)
	r.run(at(monday.AddDays(1), 0, 0))
	check("silent", r.day(monday))
	// Devices missing: cannot show it.
	r, _ = oneSchool(t, monday, devices.KindAccess, devices.KindGuard)
	r.perfectDay(monday)
	r.run(at(monday.AddDays(1), 0, 0))
	check("missing devices", r.day(monday))
	if seen < 8 {
		t.Errorf("only %d reasons checked", seen)
	}
}

// TestResultJSON: a Result carries detail_zh and detail_en, and reads an
// older writer's single "detail" ("中文 / English") into both.
func TestResultJSON(t *testing.T) {
	b, err := json.Marshal(Result{Status: NotMet, Applicable: true}.withDetail("门禁离线", "gate offline"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, `"detail_zh":"门禁离线"`) || !strings.Contains(s, `"detail_en":"gate offline"`) || strings.Contains(s, `"detail":`) {
		t.Errorf("JSON %s", s)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || back.DetailZH != "门禁离线" || back.DetailEN != "gate offline" || back.Status != NotMet || !back.Applicable {
		t.Errorf("round trip: %+v %v", back, err)
	}
	var old Result
	if err := json.Unmarshal([]byte(`{"status":"not_met","applicable":true,"value":0.5,"detail":"门禁离线 / gate offline"}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.DetailZH != "门禁离线" || old.DetailEN != "gate offline" || old.Value != 0.5 || old.Status != NotMet {
		t.Errorf("legacy detail: %+v", old)
	}
	if got := old.Detail(); got != "门禁离线 / gate offline" {
		t.Errorf("Detail() = %q", got)
	}
	var none Result
	if err := json.Unmarshal([]byte(`{"status":"met","ok":true}`), &none); err != nil || none.Detail() != "" {
		t.Errorf("no detail: %+v %v", none, err)
	}
}
