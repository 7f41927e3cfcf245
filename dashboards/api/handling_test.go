package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// TestHandlingMatrixHTTP (issue 8 acceptance): for every catalogue rule,
// every role and every step of the handling loop, the API answers what
// alerting.Permit says (200 or 403 forbidden), 404 to a viewer who does
// not see the alert, and a school never closes an agency's alert.
func TestHandlingMatrixHTTP(t *testing.T) {
	roles := []string{"admin", "police", "edu-sq", "market", "school-a"}
	acts := []alerting.Action{alerting.ActAck, alerting.ActReport, alerting.ActClose, alerting.ActReturn}
	counts := map[int]int{}
	for _, info := range alerting.Catalogue {
		for _, role := range roles {
			for _, act := range acts {
				t.Run(fmt.Sprintf("%s/%s/%s", info.ID, role, act), func(t *testing.T) {
					e := newEnv(t, nil)
					al := e.fire(info.ID, schoolA, "x")
					if act == alerting.ActReturn { // a report to send back (admin: some rules have no school audience)
						if _, err := e.m.Report(al.ID, actorOf("admin"), "已整改", ""); err != nil {
							t.Fatal(err)
						}
						al, _ = e.m.Get(al.ID)
					}
					v := viewers[role]
					permit := alerting.Permit(&al, v.Actor(), act)
					if role == "school-a" && act == alerting.ActClose && permit {
						t.Fatal("the matrix lets a school close an agency's alert")
					}
					want := http.StatusForbidden
					switch {
					case !v.SeesAlert(&al):
						want = http.StatusNotFound
					case permit:
						want = http.StatusOK
					}
					rec := e.do("POST", "/api/v1/alerts/"+al.ID+"/"+string(act), role, `{"note":"处置说明 / note"}`)
					counts[rec.Code]++
					if rec.Code != want {
						t.Fatalf("status %d, want %d (permit %v): %s", rec.Code, want, permit, rec.Body)
					}
					if want == http.StatusForbidden {
						errorOf(t, rec, http.StatusForbidden, codeForbidden)
						if now, _ := e.m.Get(al.ID); now.UpdatedAt != al.UpdatedAt || now.State != al.State {
							t.Fatalf("a refused step changed the alert: %+v", now)
						}
					}
					if role == "school-a" && act == alerting.ActClose && rec.Code == http.StatusOK {
						t.Fatal("a school closed an alert")
					}
					if want == http.StatusNotFound {
						return
					}
					// GET offers the step exactly when the matrix allows it.
					got := decode[alertView](t, e.do("GET", "/api/v1/alerts/"+al.ID, role, ""), http.StatusOK)
					if want == http.StatusForbidden && slices.Contains(got.Can, act) {
						t.Fatalf("can %v offers a forbidden %s", got.Can, act)
					}
				})
			}
		}
	}
	t.Logf("statuses over %d rules × %d roles × %d steps: %v", len(alerting.Catalogue), len(roles), len(acts), counts)
}

// TestSchoolAckDoesNotStopEscalationHTTP (issue 8): a school's ack of its
// panic answers 200 as a receipt, but alarm_unacked still fires after 60 s
// (fake clock); the police ack ends it.
func TestSchoolAckDoesNotStopEscalationHTTP(t *testing.T) {
	e := newEnv(t, nil)
	p := e.fire(alerting.AlarmPanic, schoolA, "alarm-a1")
	e.clock.Add(5 * time.Second)
	got := decode[alertView](t, e.do("POST", "/api/v1/alerts/"+p.ID+"/ack", "school-a", `{"note":"收到"}`), http.StatusOK)
	if got.State != alerting.Firing || got.ReceivedBy != "school-a" || got.AckedBy != "" ||
		!slices.Equal(got.Can, []alerting.Action{alerting.ActReport}) {
		t.Fatalf("school ack: %+v", got)
	}
	errorOf(t, e.do("POST", "/api/v1/alerts/"+p.ID+"/ack", "school-a", ""), http.StatusConflict, codeAlreadyAcked)
	errorOf(t, e.do("POST", "/api/v1/alerts/"+p.ID+"/ack", "edu-sq", ""), http.StatusForbidden, codeForbidden)
	e.clock.Add(55 * time.Second)
	e.m.Tick(e.clock.Now())
	unacked := e.m.List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.AlarmUnacked}, States: []alerting.State{alerting.Firing}})
	if len(unacked) != 1 {
		t.Fatalf("alarm_unacked after 60 s: %d, want 1", len(unacked))
	}
	got = decode[alertView](t, e.do("POST", "/api/v1/alerts/"+p.ID+"/ack", "police-sq", `{"note":"已派警"}`), http.StatusOK)
	if got.State != alerting.Acknowledged || got.AckedBy != "police-sq" {
		t.Fatalf("police ack: %+v", got)
	}
	if u, _ := e.m.Get(unacked[0].ID); u.State != alerting.Resolved {
		t.Fatalf("alarm_unacked after the police ack: %+v", u)
	}
}

// TestForcedGateClearedStaysOpenHTTP (issue 8): a forced gate whose
// condition ends is cleared and stays open; the school cannot close it,
// the police close it with a note.
func TestForcedGateClearedStaysOpenHTTP(t *testing.T) {
	e := newEnv(t, nil)
	g := e.fire(alerting.GateForced, schoolA, "gate-a1")
	e.clock.Add(30 * time.Minute)
	e.m.Apply(alerting.Condition{Rule: alerting.GateForced, School: schoolA, Subject: "gate-a1"})
	got := decode[alertView](t, e.do("GET", "/api/v1/alerts/"+g.ID, "police-sq", ""), http.StatusOK)
	if got.State != alerting.Firing || got.ClearedAt == nil || got.Owner != alerting.Police ||
		!slices.Equal(got.Can, []alerting.Action{alerting.ActAck, alerting.ActClose}) {
		t.Fatalf("cleared forced gate: %+v", got)
	}
	open := decode[alertList](t, e.do("GET", "/api/v1/alerts?state=open", "police-sq", ""), http.StatusOK)
	if r := rulesOfViews(open.Alerts); !slices.Equal(r, []string{"gate_forced"}) {
		t.Fatalf("open alerts %q", r)
	}
	for _, path := range []string{"/close", "/resolve"} {
		b := errorOf(t, e.do("POST", "/api/v1/alerts/"+g.ID+path, "school-a", `{"note":"门已关"}`), http.StatusForbidden, codeForbidden)
		if !strings.Contains(b.MessageZH, "公安") || !strings.Contains(b.MessageEN, "police") {
			t.Fatalf("403 does not name the owner: %+v", b)
		}
	}
	errorOf(t, e.do("POST", "/api/v1/alerts/"+g.ID+"/close", "police-sq", `{"note":" "}`), http.StatusBadRequest, codeNoteRequired)
	got = decode[alertView](t, e.do("POST", "/api/v1/alerts/"+g.ID+"/close", "police-sq", `{"note":"现场核查，门锁已修复"}`), http.StatusOK)
	if got.State != alerting.Resolved || got.Resolution != "manual" || got.ClosedBy != "police-sq" || len(got.Can) != 0 {
		t.Fatalf("closed: %+v", got)
	}
}

// TestReportReturnCloseHTTP walks a kitchen violation through report,
// return, report and verification over HTTP.
func TestReportReturnCloseHTTP(t *testing.T) {
	e := newEnv(t, nil)
	k := e.fire(alerting.KitchenViolation, schoolA, "cam-a1")
	path := "/api/v1/alerts/" + k.ID
	errorOf(t, e.do("POST", path+"/return", "market", `{"note":"x"}`), http.StatusConflict, codeNotReported)
	errorOf(t, e.do("POST", path+"/report", "school-a", `{"evidence":"https://pics.example.cn/a.jpg"}`), http.StatusBadRequest, codeNoteRequired)
	for _, bad := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://" + strings.Repeat("a", 1100) + ".cn"} {
		b := errorOf(t, e.do("POST", path+"/report", "school-a", `{"note":"ok","evidence":"`+bad+`"}`), http.StatusBadRequest, codeBadBody)
		if b.Param != "evidence" {
			t.Fatalf("bad evidence error names %q", b.Param)
		}
	}
	errorOf(t, e.do("POST", path+"/ack", "school-a", `{"evidence":"https://x.cn"}`), http.StatusBadRequest, codeBadBody)
	errorOf(t, e.do("POST", path+"/report", "market", `{"note":"ok"}`), http.StatusForbidden, codeForbidden)

	got := decode[alertView](t, e.do("POST", path+"/report", "school-a", `{"note":"已整改","evidence":"https://pics.example.cn/a.jpg"}`), http.StatusOK)
	if got.Handling != alerting.Reported || got.Evidence != "https://pics.example.cn/a.jpg" || got.ReportedBy != "school-a" {
		t.Fatalf("report: %+v", got)
	}
	errorOf(t, e.do("POST", path+"/return", "school-a", `{"note":"x"}`), http.StatusForbidden, codeForbidden)
	errorOf(t, e.do("POST", path+"/return", "market", ``), http.StatusBadRequest, codeNoteRequired)
	got = decode[alertView](t, e.do("POST", path+"/return", "market", `{"note":"请补充照片"}`), http.StatusOK)
	if got.Handling != alerting.Returned || got.ReviewNote != "请补充照片" || got.ReviewedBy != "market" {
		t.Fatalf("return: %+v", got)
	}
	decode[alertView](t, e.do("POST", path+"/report", "school-a", `{"note":"照片已补充"}`), http.StatusOK)
	got = decode[alertView](t, e.do("POST", path+"/close", "market", `{"note":"复核通过"}`), http.StatusOK)
	if got.State != alerting.Resolved || got.Resolution != "verified" || got.ClosedBy != "market" {
		t.Fatalf("close: %+v", got)
	}
	errorOf(t, e.do("POST", path+"/close", "market", `{"note":"again"}`), http.StatusConflict, codeAlreadyResolved)
}

// TestStreamCarriesCan: the live stream answers each viewer with the
// steps it can take, as GET does: a school and the police see the same
// panic with different buttons.
func TestStreamCarriesCan(t *testing.T) {
	e := newEnv(t, nil)
	tickers := manualTickers(e.api)
	p := e.fire(alerting.AlarmPanic, schoolA, "alarm-a1")
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	connect := func(viewer string) (*bufio.Reader, func()) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/stream", nil)
		req.Header.Set("X-Test-Viewer", viewer)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		<-tickers
		return bufio.NewReader(resp.Body), func() { resp.Body.Close() }
	}
	canOf := func(data string) []alerting.Action {
		var ae struct {
			Alert alertView `json:"alert"`
		}
		if err := json.Unmarshal([]byte(data), &ae); err != nil {
			t.Fatal(err)
		}
		return ae.Alert.Can
	}
	school, closeSchool := connect("school-a")
	defer closeSchool()
	police, closePolice := connect("police-sq")
	defer closePolice()
	for _, tc := range []struct {
		br   *bufio.Reader
		want []alerting.Action
	}{{school, []alerting.Action{alerting.ActAck, alerting.ActReport}}, {police, []alerting.Action{alerting.ActAck, alerting.ActClose}}} {
		ev := readEvent(t, tc.br)
		var snap snapshotEvent
		if err := json.Unmarshal([]byte(ev.data), &snap); err != nil || len(snap.Alerts) != 1 {
			t.Fatalf("snapshot %s: %v", ev.data, err)
		}
		if !slices.Equal(snap.Alerts[0].Can, tc.want) {
			t.Fatalf("snapshot can %v, want %v", snap.Alerts[0].Can, tc.want)
		}
	}
	if _, err := e.m.Report(p.ID, actorOf("school-a"), "误触", ""); err != nil {
		t.Fatal(err)
	}
	if got := canOf(readEvent(t, school).data); !slices.Equal(got, []alerting.Action{alerting.ActAck, alerting.ActReport}) {
		t.Fatalf("school's reported event can %v", got)
	}
	if got := canOf(readEvent(t, police).data); !slices.Equal(got, []alerting.Action{alerting.ActAck, alerting.ActClose, alerting.ActReturn}) {
		t.Fatalf("police's reported event can %v", got)
	}
}
