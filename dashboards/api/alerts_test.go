package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

func TestListFilters(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	e.clock.Add(time.Minute)
	if _, err := e.m.Ack(s.forcedC.ID, actorOf("someone"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Close(s.repeatC.ID, actorOf("someone"), "fixed"); err != nil {
		t.Fatal(err)
	}
	// Now: t0+41m. updated_at: panic t0, kitchen +10m, unlicensed +30m,
	// forced and repeat +41m.
	since := t0.Add(25 * time.Minute).Format(time.RFC3339)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"all", "", []string{"alarm_panic", "gate_forced", "guard_unlicensed", "kitchen_repeat", "kitchen_violation"}},
		{"state firing", "state=firing", []string{"alarm_panic", "guard_unlicensed", "kitchen_violation"}},
		{"state repeated", "state=acknowledged&state=resolved", []string{"gate_forced", "kitchen_repeat"}},
		{"state comma", "state=acknowledged,resolved", []string{"gate_forced", "kitchen_repeat"}},
		{"state open", "state=open", []string{"alarm_panic", "gate_forced", "guard_unlicensed", "kitchen_violation"}},
		{"region", "region=" + regionSL, []string{"gate_forced", "kitchen_repeat"}},
		{"school", "school=" + schoolA, []string{"alarm_panic", "kitchen_violation"}},
		{"schools", "school=" + schoolA + "," + schoolB, []string{"alarm_panic", "guard_unlicensed", "kitchen_violation"}},
		{"rule", "rule=gate_forced&rule=alarm_panic", []string{"alarm_panic", "gate_forced"}},
		{"severity", "severity=P2", []string{"guard_unlicensed", "kitchen_repeat", "kitchen_violation"}},
		{"severities", "severity=P0,P1", []string{"alarm_panic", "gate_forced"}},
		{"audience", "audience=market", []string{"kitchen_repeat", "kitchen_violation"}},
		{"since rfc3339", "since=" + url.QueryEscape(since), []string{"gate_forced", "guard_unlicensed", "kitchen_repeat"}},
		{"since rfc3339 unescaped", "since=" + since, []string{"gate_forced", "guard_unlicensed", "kitchen_repeat"}},
		{"since utc", "since=" + t0.Add(25*time.Minute).UTC().Format(time.RFC3339), []string{"gate_forced", "guard_unlicensed", "kitchen_repeat"}},
		{"since duration", "since=15m", []string{"gate_forced", "guard_unlicensed", "kitchen_repeat"}},
		{"since days", "since=1d", []string{"alarm_panic", "gate_forced", "guard_unlicensed", "kitchen_repeat", "kitchen_violation"}},
		{"combined", "state=firing&audience=education&region=" + regionSQ, []string{"alarm_panic", "guard_unlicensed"}},
		{"none", "school=" + schoolB + "&rule=alarm_panic", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decode[alertList](t, e.do("GET", "/api/v1/alerts?"+tt.query, "admin", ""), http.StatusOK)
			if r := rulesOfViews(got.Alerts); !slices.Equal(r, tt.want) {
				t.Errorf("rules %q, want %q", r, tt.want)
			}
			if got.Count != len(got.Alerts) {
				t.Errorf("count %d, %d alerts", got.Count, len(got.Alerts))
			}
		})
	}
}

func TestListEmptyIsArray(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.do("GET", "/api/v1/alerts", "admin", "")
	if body := strings.TrimSpace(rec.Body.String()); body != `{"alerts":[],"count":0}` {
		t.Fatalf("body %s", body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
}

func TestListBadParams(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct{ query, code, param string }{
		{"state=open,closed", codeBadParameter, "state"},
		{"region=1308", codeBadParameter, "region"},
		{"school=No_Such", codeBadParameter, "school"},
		{"rule=alarm_panik", codeBadParameter, "rule"},
		{"severity=P5", codeBadParameter, "severity"},
		{"audience=mayor", codeBadParameter, "audience"},
		{"since=yesterday", codeBadParameter, "since"},
		{"since=-24h", codeBadParameter, "since"},
		{"since=0d", codeBadParameter, "since"},
		{"since=1h&since=2h", codeBadParameter, "since"},
		{"sevrity=P0", codeUnknownParameter, "sevrity"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := errorOf(t, e.do("GET", "/api/v1/alerts?"+tt.query, "admin", ""), http.StatusBadRequest, tt.code)
			if got.Param != tt.param || !strings.Contains(got.MessageEN, tt.param) || !strings.Contains(got.MessageZH, tt.param) {
				t.Errorf("error %+v does not name %s", got, tt.param)
			}
		})
	}
}

func TestListVisibility(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	tests := []struct {
		viewer string
		want   []string
	}{
		{"admin", []string{"alarm_panic", "gate_forced", "guard_unlicensed", "kitchen_repeat", "kitchen_violation"}},
		{"police", []string{"alarm_panic", "gate_forced"}},          // no kitchen or education-only alerts
		{"police-sq", []string{"alarm_panic"}},                      // region 130802 only
		{"police-sl", []string{"gate_forced"}},                      // region 130803 only
		{"edu-sq", []string{"alarm_panic", "guard_unlicensed"}},     // education in 130802
		{"market", []string{"kitchen_repeat", "kitchen_violation"}}, // no police-only alerts
		{"school-a", []string{"alarm_panic", "kitchen_violation"}},  // their school only
		{"no-audience", []string{}},                                 // a role without audiences sees nothing
	}
	for _, tt := range tests {
		t.Run(tt.viewer, func(t *testing.T) {
			got := decode[alertList](t, e.do("GET", "/api/v1/alerts", tt.viewer, ""), http.StatusOK)
			if r := rulesOfViews(got.Alerts); !slices.Equal(r, tt.want) {
				t.Errorf("rules %q, want %q", r, tt.want)
			}
			// A filter cannot widen the view.
			got = decode[alertList](t, e.do("GET", "/api/v1/alerts?region=130802,130803&audience=police,market,education,school", tt.viewer, ""), http.StatusOK)
			for _, a := range got.Alerts {
				if !slices.Contains(tt.want, string(a.Rule)) {
					t.Errorf("filter widened the view to %s", a.Rule)
				}
			}
		})
	}
}

func TestGetAlert(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	got := decode[alerting.Alert](t, e.do("GET", "/api/v1/alerts/"+s.panicA.ID, "school-a", ""), http.StatusOK)
	if got.ID != s.panicA.ID || got.Rule != alerting.AlarmPanic || got.State != alerting.Firing {
		t.Fatalf("got %+v", got)
	}
	// Invisible and absent answer alike.
	invisible := e.do("GET", "/api/v1/alerts/"+s.forcedC.ID, "school-a", "")
	absent := e.do("GET", "/api/v1/alerts/al-nope", "school-a", "")
	errorOf(t, invisible, http.StatusNotFound, codeNotFound)
	errorOf(t, absent, http.StatusNotFound, codeNotFound)
	if strings.Contains(invisible.Body.String(), string(alerting.GateForced)) {
		t.Fatalf("404 leaks the alert: %s", invisible.Body)
	}
	// The market viewer does not see the police-only rule's alert.
	errorOf(t, e.do("GET", "/api/v1/alerts/"+s.forcedC.ID, "market", ""), http.StatusNotFound, codeNotFound)
}

func TestAck(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	path := "/api/v1/alerts/" + s.panicA.ID + "/ack"

	// Invisible: 404, and nothing happens.
	errorOf(t, e.do("POST", path, "market", `{"note":"x"}`), http.StatusNotFound, codeNotFound)
	if a, _ := e.m.Get(s.panicA.ID); a.State != alerting.Firing {
		t.Fatalf("acked by an outsider: %+v", a)
	}
	// The body is optional.
	got := decode[alerting.Alert](t, e.do("POST", path, "police-sq", ""), http.StatusOK)
	if got.State != alerting.Acknowledged || got.AckedBy != "police-sq" || got.Note != "" {
		t.Fatalf("ack: %+v", got)
	}
	// Again: 409 with the alert as it is.
	conflict := decode[apiError](t, e.do("POST", path, "admin", `{"note":"me too"}`), http.StatusConflict)
	if conflict.Body.Code != codeAlreadyAcked || conflict.Alert == nil || conflict.Alert.AckedBy != "police-sq" {
		t.Fatalf("second ack: %+v", conflict)
	}
	// With a note.
	got = decode[alerting.Alert](t, e.do("POST", "/api/v1/alerts/"+s.kitchenA.ID+"/ack", "school-a", `{"note":"食堂已处理"}`), http.StatusOK)
	if got.AckedBy != "school-a" || got.Note != "食堂已处理" {
		t.Fatalf("ack with note: %+v", got)
	}
	// A resolved alert: 409 already_resolved.
	if _, err := e.m.Close(s.unlicensedB.ID, actorOf("admin"), "done"); err != nil {
		t.Fatal(err)
	}
	errorOf(t, e.do("POST", "/api/v1/alerts/"+s.unlicensedB.ID+"/ack", "admin", ""), http.StatusConflict, codeAlreadyResolved)
	errorOf(t, e.do("POST", "/api/v1/alerts/al-nope/ack", "admin", ""), http.StatusNotFound, codeNotFound)
}

func TestResolve(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	path := "/api/v1/alerts/" + s.forcedC.ID + "/resolve"
	tests := []struct {
		name, viewer, body string
		status             int
		code               string
	}{
		{"no body", "police-sl", "", http.StatusBadRequest, codeNoteRequired},
		{"empty note", "police-sl", `{"note":"  "}`, http.StatusBadRequest, codeNoteRequired},
		{"bad json", "police-sl", `{"note":`, http.StatusBadRequest, codeBadBody},
		{"unknown field", "police-sl", `{"note":"x","user":"mallory"}`, http.StatusBadRequest, codeBadBody},
		{"two objects", "police-sl", `{"note":"x"}{"note":"y"}`, http.StatusBadRequest, codeBadBody},
		{"too long", "police-sl", `{"note":"` + strings.Repeat("长", maxNote+1) + `"}`, http.StatusBadRequest, codeBadBody},
		{"invisible", "police-sq", `{"note":"x"}`, http.StatusNotFound, codeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errorOf(t, e.do("POST", path, tt.viewer, tt.body), tt.status, tt.code)
		})
	}
	if a, _ := e.m.Get(s.forcedC.ID); a.State != alerting.Firing {
		t.Fatalf("changed by a refused request: %+v", a)
	}

	got := decode[alerting.Alert](t, e.do("POST", path, "police-sl", `{"note":"误报，门磁故障"}`), http.StatusOK)
	if got.State != alerting.Resolved || got.Resolution != "manual" || got.AckedBy != "police-sl" || got.Note != "误报，门磁故障" {
		t.Fatalf("resolve: %+v", got)
	}
	conflict := decode[apiError](t, e.do("POST", path, "police-sl", `{"note":"again"}`), http.StatusConflict)
	if conflict.Body.Code != codeAlreadyResolved || conflict.Alert == nil || conflict.Alert.State != alerting.Resolved {
		t.Fatalf("second resolve: %+v", conflict)
	}
}

func TestBodyContentType(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	r := httptest.NewRequest("POST", "/api/v1/alerts/"+s.panicA.ID+"/resolve", strings.NewReader("note=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	errorOf(t, rec, http.StatusUnsupportedMediaType, codeUnsupportedType)
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	body := `{"note":"` + strings.Repeat("x", maxBody) + `"}`
	errorOf(t, e.do("POST", "/api/v1/alerts/"+s.panicA.ID+"/resolve", "admin", body), http.StatusRequestEntityTooLarge, codeBadBody)
}

// failingAlerts is a lifecycle whose actions fail for a reason the API
// does not know.
type failingAlerts struct{ Alerts }

func (failingAlerts) Ack(string, alerting.Actor, string) (alerting.Alert, error) {
	return alerting.Alert{}, errors.New("disk on fire")
}

func TestUnexpectedErrorIs500(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Alerts = failingAlerts{o.Alerts} })
	s := e.seed()
	rec := e.do("POST", "/api/v1/alerts/"+s.panicA.ID+"/ack", "admin", "")
	errorOf(t, rec, http.StatusInternalServerError, codeInternal)
	if strings.Contains(rec.Body.String(), "disk") {
		t.Fatalf("500 leaks the cause: %s", rec.Body)
	}
}
