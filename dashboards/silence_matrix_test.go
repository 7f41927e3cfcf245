package dashboards_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/campusguard/campusguard/dashboards/auth"
)

// silenceRules are the rule audiences of the matrix: a rule matcher each,
// or none ("every rule").
var silenceRules = []struct{ name, rule string }{
	{"police+school", "gate_forced"},
	{"education only", "guard_unlicensed"},
	{"market only", "kitchen_repeat"},
	{"panic", "alarm_panic"},
	{"unacked (police only)", "alarm_unacked"},
	{"every rule", ""},
}

// silenceDurations: short, over the drill maximum (4h, the panic rules'
// limit), over the maximum of every silence (7d), and the ten years.
var silenceDurations = []struct {
	text string
	d    time.Duration
}{
	{"1h", time.Hour}, {"5h", 5 * time.Hour}, {"8d", 8 * 24 * time.Hour}, {"3650d", 3650 * 24 * time.Hour},
}

// TestSilenceMatrix (issue 7, "silences are governed"): every role × rule
// audience × jurisdiction × duration → 201, or 403/400 with a bilingual
// reason, through the whole HTTP surface (auth middleware, API,
// lifecycle); every attempt, allowed or refused, is in the audit log.
// Before the policy an education account silenced alarm_panic and the
// police-only alarm_unacked for ten years, and police silenced kitchen
// rules told only to market regulation.
func TestSilenceMatrix(t *testing.T) {
	w := newWorld(t)
	w.audit.take()
	// What each role may silence, by rule matcher ("" every rule: nobody,
	// as it includes the panic rules and other agencies' rules). The
	// admin is a technical role: a panic drill is a police matter.
	may := map[string][]string{
		"admin":       {"gate_forced", "guard_unlicensed", "kitchen_repeat"},
		"police":      {"gate_forced", "alarm_panic", "alarm_unacked"},
		"police-a":    {"gate_forced", "alarm_panic", "alarm_unacked"},
		"education":   {"guard_unlicensed"},
		"education-a": {"guard_unlicensed"},
		"market":      {"kitchen_repeat"},
		"market-a":    {"kitchen_repeat"},
		"school-a":    nil,
	}
	cityWide := map[string]bool{"admin": true, "police": true, "education": true, "market": true}
	places := []struct{ name, school string }{{"own", w.schoolA.ID}, {"foreign", w.schoolB.ID}}

	counts := map[int]int{}
	for _, role := range []string{"admin", "police", "police-a", "education", "education-a", "market", "market-a", "school-a"} {
		for _, r := range silenceRules {
			for _, p := range places {
				for _, d := range silenceDurations {
					// The expected answer, in the order the API checks.
					code, errCode := 201, ""
					drill := r.rule == "alarm_panic" || r.rule == "alarm_unacked"
					switch {
					case strings.HasPrefix(role, "school"):
						code, errCode = 403, "role_forbidden"
					case p.name == "foreign" && !cityWide[role]:
						code, errCode = 403, "outside_jurisdiction"
					case !slices.Contains(may[role], r.rule):
						code, errCode = 403, "silence_forbidden"
					case d.d > 7*24*time.Hour:
						code, errCode = 400, "silence_too_long"
					case drill && d.d > 4*time.Hour:
						code, errCode = 400, "silence_too_long"
					}
					counts[code]++
					name := fmt.Sprintf("%s/%s/%s/%s", role, r.name, p.name, d.text)
					t.Run(name, func(t *testing.T) {
						matchers := fmt.Sprintf(`{"name":"school","value":%q}`, p.school)
						if r.rule != "" {
							matchers += fmt.Sprintf(`,{"name":"rule","value":%q}`, r.rule)
						}
						body := fmt.Sprintf(`{"matchers":[%s],"duration":%q,"reason":"演练 drill"}`, matchers, d.text)
						got, resp := w.do(t, role, "POST", "/api/v1/silences", body)
						if got != code {
							t.Fatalf("HTTP %d, want %d: %s", got, code, resp)
						}
						events := w.audit.take()
						if code != 201 {
							e := errorBody(t, resp)
							if e.Code != errCode || !hasHan(e.MessageZH) || e.MessageEN == "" {
								t.Fatalf("error %+v, want code %s with a Chinese and an English message", e, errCode)
							}
							if len(events) != 1 || events[0].Action != auth.ActionSilenceRefused || events[0].Actor != role ||
								!strings.Contains(events[0].Detail, "school="+p.school) {
								t.Fatalf("audit %+v, want one silence_refused", events)
							}
							return
						}
						var s struct {
							ID        string    `json:"id"`
							CreatedBy string    `json:"created_by"`
							StartsAt  time.Time `json:"starts_at"`
							EndsAt    time.Time `json:"ends_at"`
						}
						if err := json.Unmarshal([]byte(resp), &s); err != nil || s.ID == "" || s.CreatedBy != role ||
							s.EndsAt.Sub(s.StartsAt) != d.d {
							t.Fatalf("created %s (%v)", resp, err)
						}
						if len(events) != 1 || events[0].Action != auth.ActionSilenceCreate || events[0].Target != s.ID || events[0].Actor != role {
							t.Fatalf("audit %+v, want one silence_create of %s", events, s.ID)
						}
						// The author ends it again (and the next case starts clean).
						if got, resp := w.do(t, role, "DELETE", "/api/v1/silences/"+s.ID, ""); got != 204 {
							t.Fatalf("expire: HTTP %d %s", got, resp)
						}
						if events := w.audit.take(); len(events) != 1 || events[0].Action != auth.ActionSilenceExpire || events[0].Target != s.ID {
							t.Fatalf("audit %+v, want one silence_expire of %s", events, s.ID)
						}
					})
				}
			}
		}
	}
	t.Logf("silence matrix: %d allowed, %d refused 403, %d refused 400", counts[201], counts[403], counts[400])
}

// TestSilenceExpireMatrix: who may end a police drill's silence early.
// Ending only lets notifications out again, so anyone told of a rule it
// mutes may, inside their jurisdiction; not market regulation (never told
// of panics), not a school, not another county.
func TestSilenceExpireMatrix(t *testing.T) {
	w := newWorld(t)
	body := fmt.Sprintf(`{"matchers":[{"name":"school","value":%q},{"name":"rule","value":"alarm_panic"}],"duration":"4h","reason":"一键报警演练 panic drill"}`, w.schoolA.ID)
	for _, tc := range []struct {
		role    string
		code    int
		errCode string
	}{
		{"market-a", 403, "silence_forbidden"},
		{"market", 403, "silence_forbidden"},
		{"school-a", 403, "role_forbidden"},
		{"school-b", 403, "role_forbidden"},
		{"education-a", 204, ""},
		{"education", 204, ""},
		{"admin", 204, ""},
		{"police", 204, ""},
		{"police-a", 204, ""},
	} {
		t.Run(tc.role, func(t *testing.T) {
			code, resp := w.do(t, "police-a", "POST", "/api/v1/silences", body)
			if code != 201 {
				t.Fatalf("police drill: HTTP %d %s", code, resp)
			}
			var s struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(resp), &s); err != nil {
				t.Fatal(err)
			}
			w.audit.take()
			code, resp = w.do(t, tc.role, "DELETE", "/api/v1/silences/"+s.ID, "")
			if code != tc.code {
				t.Fatalf("HTTP %d, want %d: %s", code, tc.code, resp)
			}
			events := w.audit.take()
			if tc.code != 204 {
				if e := errorBody(t, resp); e.Code != tc.errCode {
					t.Fatalf("error %+v, want %s", e, tc.errCode)
				}
				if len(events) != 1 || events[0].Action != auth.ActionSilenceRefused || events[0].Target != s.ID {
					t.Fatalf("audit %+v, want one silence_refused", events)
				}
				// Clean up as the author.
				if code, resp := w.do(t, "police-a", "DELETE", "/api/v1/silences/"+s.ID, ""); code != 204 {
					t.Fatalf("author expires: HTTP %d %s", code, resp)
				}
				return
			}
			if len(events) != 1 || events[0].Action != auth.ActionSilenceExpire || events[0].Actor != tc.role {
				t.Fatalf("audit %+v, want one silence_expire by %s", events, tc.role)
			}
		})
	}
	// Outside the county: the silence is not even shown (404).
	code, resp := w.do(t, "police-a", "POST", "/api/v1/silences", body)
	if code != 201 {
		t.Fatalf("police drill: HTTP %d %s", code, resp)
	}
	var s struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal([]byte(resp), &s)
	w.audit.take()
	otherCounty := fmt.Sprintf(`{"matchers":[{"name":"school","value":%q},{"name":"rule","value":"alarm_panic"}],"duration":"1h","reason":"x"}`, w.schoolB.ID)
	if code, _ := w.do(t, "police-a", "POST", "/api/v1/silences", otherCounty); code != 403 {
		t.Fatalf("police-a silences another county: HTTP %d", code)
	}
}

type apiErr struct {
	Code      string `json:"code"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

func errorBody(t *testing.T, resp string) apiErr {
	t.Helper()
	var b struct {
		Error apiErr `json:"error"`
	}
	if err := json.Unmarshal([]byte(resp), &b); err != nil {
		t.Fatalf("error body %q: %v", resp, err)
	}
	return b.Error
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
