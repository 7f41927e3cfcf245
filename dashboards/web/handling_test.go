package web

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
)

// matrixCase is one question to alerting.Permit and its answer, as
// testdata/handling_test.js reads it.
type matrixCase struct {
	Alert  matrixAlert `json:"alert"`
	Who    matrixActor `json:"who"`
	Act    string      `json:"act"`
	Permit bool        `json:"permit"`
	Stops  bool        `json:"stops"` // alerting.AckStopsEscalation
}

type matrixAlert struct {
	ID       string              `json:"id"`
	Rule     alerting.RuleID     `json:"rule"`
	Severity alerting.Severity   `json:"severity"`
	State    alerting.State      `json:"state"`
	Audience []alerting.Audience `json:"audience"`
	Owner    alerting.Audience   `json:"owner"`
	Handling alerting.Handling   `json:"handling"`
}

type matrixActor struct {
	Agency alerting.Audience `json:"agency"`
	Admin  bool              `json:"admin"`
}

// permitMatrix asks alerting.Permit (and AckStopsEscalation) every action for every rule of the
// catalogue, every severity and handling state, and every kind of viewer
// (an administrator, each agency, a school, and a viewer of no agency).
func permitMatrix() []matrixCase {
	actors := []alerting.Actor{{Admin: true}, {Agency: ""}}
	for _, a := range alerting.Audiences {
		actors = append(actors, alerting.Actor{Agency: a})
	}
	var out []matrixCase
	for _, r := range alerting.Catalogue {
		for _, sev := range []alerting.Severity{alerting.P0, alerting.P1, alerting.P2, alerting.P3} {
			for _, h := range []alerting.Handling{"", alerting.Reported, alerting.Returned} {
				a := alerting.Alert{ID: string(r.ID) + "/" + string(sev) + "/" + string(h), Rule: r.ID, Severity: sev,
					State: alerting.Firing, Audience: r.Audience, Owner: r.Owner, Handling: h}
				for _, who := range actors {
					for _, act := range []alerting.Action{alerting.ActAck, alerting.ActReport, alerting.ActClose, alerting.ActReturn} {
						out = append(out, matrixCase{
							Alert: matrixAlert{ID: a.ID, Rule: a.Rule, Severity: a.Severity, State: a.State,
								Audience: a.Audience, Owner: a.Owner, Handling: a.Handling},
							Who:    matrixActor{Agency: who.Agency, Admin: who.Admin},
							Act:    string(act),
							Permit: alerting.Permit(&a, who, act),
							Stops:  alerting.AckStopsEscalation(&a, who),
						})
					}
				}
			}
		}
	}
	return out
}

// TestHandlingJS: the steps the pages offer when an alert carries no
// "can" are alerting.Permit's, case by case over the whole catalogue (so
// that the page and the API cannot disagree on who closes what), and the
// to-do list, the verification queue, the evidence link and the
// refusals behave (testdata/handling_test.js drives handling.js in node).
func TestHandlingJS(t *testing.T) {
	node := nodePath(t)
	dir := t.TempDir()
	js := filepath.Join(dir, "handling.js")
	if err := os.WriteFile(js, []byte(embedded(t)["assets/static/js/handling.js"]), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := permitMatrix()
	var permitted, refused int
	for _, c := range cases {
		if c.Permit {
			permitted++
		} else {
			refused++
		}
	}
	if permitted == 0 || refused == 0 {
		t.Fatalf("a matrix of %d permitted and %d refused proves nothing", permitted, refused)
	}
	b, err := json.Marshal(map[string]any{"cases": cases, "rules": ruleMetas})
	if err != nil {
		t.Fatal(err)
	}
	matrix := filepath.Join(dir, "matrix.json")
	if err := os.WriteFile(matrix, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("testdata", "handling_test.js"), js, matrix).CombinedOutput()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(out)), "ok") {
		t.Fatalf("handling_test.js: %v\n%s", err, out)
	}
	t.Logf("%s (Permit: %d permitted, %d refused)", strings.TrimSpace(string(out)), permitted, refused)
}

// The boards load handling.js before alerts.js, and carry the catalogue's
// owner of every rule (#rules-data) for alerts that do not name theirs.
func TestPagesCarryRuleOwners(t *testing.T) {
	w := newWeb(t)
	for _, p := range []string{"/board/police", "/board/education", "/board/market", "/board/school"} {
		body := get(t, w.Handler(), p, "admin").Body.String()
		if h, a := strings.Index(body, "/static/js/handling.js?v="), strings.Index(body, "/static/js/alerts.js?v="); h < 0 || a < 0 || h > a {
			t.Errorf("%s: handling.js must load before alerts.js (at %d, %d)", p, h, a)
		}
		i := strings.Index(body, `<script type="application/json" id="rules-data">`)
		if i < 0 {
			t.Fatalf("%s: no #rules-data", p)
		}
		rest := body[i:]
		rest = rest[strings.Index(rest, ">")+1 : strings.Index(rest, "</script>")]
		var got map[alerting.RuleID]ruleMeta
		if err := json.Unmarshal([]byte(rest), &got); err != nil {
			t.Fatalf("%s: #rules-data does not parse: %v", p, err)
		}
		for _, r := range alerting.Catalogue {
			if m := got[r.ID]; m.Owner != r.Owner || m.NeedsClose != r.NeedsClose || m.Owner == "" {
				t.Errorf("%s: rule %s: %+v, the catalogue says owner %q needs_close %v", p, r.ID, m, r.Owner, r.NeedsClose)
			}
		}
	}
}
