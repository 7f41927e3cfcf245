package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestAuditLogins(t *testing.T) {
	h := newHarness(t)
	h.loginJSON("police-sq", "wrong-password", "192.0.2.7")
	b := h.login("police-sq", policePassword)
	r := b.request(http.MethodPost, "/logout", "")
	r.Header.Set(CSRFHeader, b.csrf)
	h.do(r)
	at := h.clock.Now()
	want := []AuditEvent{
		{Time: at, Actor: "police-sq", Action: ActionLoginFailed, RemoteIP: "192.0.2.7"},
		{Time: at, Actor: "police-sq", Role: "police", Action: ActionLogin, RemoteIP: "192.0.2.1"},
		{Time: at, Actor: "police-sq", Role: "police", Action: ActionLogout, RemoteIP: "192.0.2.1"},
	}
	got := h.audit.Events()
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestAuditActions(t *testing.T) {
	for _, tc := range []struct {
		name         string
		method, path string
		body         string
		status       int // the handler's answer
		want         *AuditEvent
	}{
		{"ack 200", "POST", "/api/v1/alerts/al-1/ack", `{"note":"已派警"}`, 200,
			&AuditEvent{Action: ActionAck, Target: "al-1", Detail: "已派警"}},
		{"ack 404 is not recorded", "POST", "/api/v1/alerts/al-404/ack", `{}`, 404, nil},
		{"ack 409 is not recorded", "POST", "/api/v1/alerts/al-1/ack", ``, 409, nil},
		{"resolve 200 is a close", "POST", "/api/v1/alerts/al-1/resolve", `{"note":"误触，已核实"}`, 200,
			&AuditEvent{Action: ActionClose, Target: "al-1", Detail: "误触，已核实"}},
		{"close 200", "POST", "/api/v1/alerts/al-1/close", `{"note":"复核通过"}`, 200,
			&AuditEvent{Action: ActionClose, Target: "al-1", Detail: "复核通过"}},
		{"report 200", "POST", "/api/v1/alerts/al-1/report", `{"note":"已整改","evidence":"https://pics.example.cn/a.jpg"}`, 200,
			&AuditEvent{Action: ActionReport, Target: "al-1", Detail: "已整改 https://pics.example.cn/a.jpg"}},
		{"return 200", "POST", "/api/v1/alerts/al-1/return", `{"note":"请补充照片"}`, 200,
			&AuditEvent{Action: ActionReturn, Target: "al-1", Detail: "请补充照片"}},
		{"close 403 is recorded as refused", "POST", "/api/v1/alerts/al-1/close", `{"note":"门已关"}`, 403,
			&AuditEvent{Action: ActionHandlingRefused, Target: "al-1", Detail: "403 close: 门已关"}},
		{"report 400 is not recorded", "POST", "/api/v1/alerts/al-1/report", `{}`, 400, nil},
		{"silence created", "POST", "/api/v1/silences",
			`{"matchers":[{"name":"school","value":"sq-primary-1"},{"name":"rule","value":"alarm_.*","regex":true}],"duration":"2h","reason":"演练 drill"}`, 201,
			&AuditEvent{Action: ActionSilenceCreate, Target: "si-1", Detail: "演练 drill school=sq-primary-1 rule=~alarm_.* for 2h"}},
		{"silence expired", "DELETE", "/api/v1/silences/si-9", "", 204,
			&AuditEvent{Action: ActionSilenceExpire, Target: "si-9"}},
		{"silence expire refused", "DELETE", "/api/v1/silences/si-9", "", 403,
			&AuditEvent{Action: ActionSilenceRefused, Target: "si-9", Detail: "403 silence_expire: "}},
		{"silence create refused", "POST", "/api/v1/silences",
			`{"matchers":[{"name":"school","value":"sq-primary-1"},{"name":"rule","value":"alarm_panic"}],"duration":"3650d","reason":"演练 drill"}`, 400,
			&AuditEvent{Action: ActionSilenceRefused, Detail: "400 silence_create: 演练 drill school=sq-primary-1 rule=alarm_panic for 3650d"}},
		{"silence expire of an unknown id is not recorded", "DELETE", "/api/v1/silences/si-404", "", 404, nil},
		{"alarm test registered", "POST", "/api/v1/alarm-tests",
			`{"school":"sq-primary-1","start":"2026-12-15T09:00:00+08:00","end":"2026-12-15T09:30:00+08:00","note":"月度测试"}`, 201,
			&AuditEvent{Action: ActionAlarmTestCreate, Target: "at-1", Detail: "sq-primary-1 2026-12-15T09:00:00+08:00/2026-12-15T09:30:00+08:00 月度测试"}},
		{"alarm test refused is not recorded", "POST", "/api/v1/alarm-tests", `{"school":"x"}`, 400, nil},
		{"alarm test cancelled", "DELETE", "/api/v1/alarm-tests/at-9", "", 200,
			&AuditEvent{Action: ActionAlarmTestCancel, Target: "at-9"}},
		{"export", "GET", "/api/v1/compliance/export.csv", "", 200,
			&AuditEvent{Action: ActionExport, Target: "/api/v1/compliance/export.csv"}},
		{"a read is not recorded", "GET", "/api/v1/alerts/al-1", "", 200, nil},
		{"ack of a list is no ack", "POST", "/api/v1/alerts/ack", "", 200, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			b := h.login("police-sq", policePassword)
			before := len(h.audit.Events())
			h.setStatus(tc.status)
			r := b.request(tc.method, tc.path, tc.body)
			r.Header.Set(CSRFHeader, b.csrf)
			r.RemoteAddr = "198.51.100.4:5555"
			w := h.do(r)
			if tc.status != 201 && w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			got := h.audit.Events()[before:]
			if tc.want == nil {
				if len(got) != 0 {
					t.Fatalf("recorded %+v", got)
				}
				return
			}
			want := *tc.want
			want.Time, want.Actor, want.Role, want.RemoteIP = h.clock.Now(), "police-sq", "police", "198.51.100.4"
			if len(got) != 1 || got[0] != want {
				t.Fatalf("events %+v, want %+v", got, want)
			}
		})
	}
}

func TestAuditExportQueryAndToken(t *testing.T) {
	h := newHarness(t)
	r := httptestRequest(http.MethodGet, "/api/v1/kitchen/report/export.csv?month=2026-11", "")
	r.Header.Set("Authorization", "Bearer "+tokenSecret)
	h.do(r)
	got := h.audit.Events()
	if len(got) != 1 || got[0].Actor != "police-platform" || got[0].Action != ActionExport || got[0].Detail != "month=2026-11" {
		t.Fatalf("events %+v", got)
	}
}

func TestAuditTruncates(t *testing.T) {
	h := newHarness(t)
	h.loginJSON(strings.Repeat("名", 80), "wrong-password", "192.0.2.7")
	b := h.login("admin", adminPassword)
	r := b.request(http.MethodPost, "/api/v1/alerts/al-1/resolve", `{"note":"`+strings.Repeat("长", 1000)+`"}`)
	r.Header.Set(CSRFHeader, b.csrf)
	h.do(r)
	ev := h.audit.Events()
	if n := len([]rune(ev[0].Actor)); n != maxActorName {
		t.Errorf("actor of %d characters", n)
	}
	if n := len([]rune(ev[2].Detail)); n != maxDetail {
		t.Errorf("detail of %d characters", n)
	}
}

func TestLineProtocol(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 40, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		e    AuditEvent
		want string
	}{
		{"ack", AuditEvent{Time: at, Actor: "police-sq", Role: "police", Action: "ack", Target: "al-1", Detail: `note "quoted" \ back`, RemoteIP: "192.0.2.1"},
			`audit,action=ack,role=police actor="police-sq",target="al-1",detail="note \"quoted\" \\ back",ip="192.0.2.1" `},
		{"failed login: no role tag", AuditEvent{Time: at, Actor: "no body,=x", Action: "login_failed", RemoteIP: "::1"},
			`audit,action=login_failed actor="no body,=x",ip="::1" `},
		{"line breaks stay on one line", AuditEvent{Time: at, Actor: "a", Role: "ro le", Action: "resolve", Detail: "line1\nline2\x00"},
			`audit,action=resolve,role=ro\ le actor="a",detail="line1 line2 " `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			LineProtocolAuditor{Append: func(_ context.Context, rec []byte) { got = rec }}.Audit(tc.e)
			s := string(got)
			if !strings.HasPrefix(s, tc.want) || !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
				t.Fatalf("got  %q\nwant %q<ts>\\n", s, tc.want)
			}
			ts := strings.TrimSuffix(s[len(tc.want):], "\n")
			if len(ts) != 19 || !strings.HasPrefix(ts, "1796031600123") {
				t.Errorf("timestamp %s: want the event's millisecond in ns", ts)
			}
		})
	}
	// Two events in one millisecond do not overwrite each other.
	a := AppendLineProtocol(nil, AuditEvent{Time: at, Actor: "a", Action: "ack", Target: "al-1"})
	b := AppendLineProtocol(nil, AuditEvent{Time: at, Actor: "a", Action: "ack", Target: "al-2"})
	if bytes.Equal(a[bytes.LastIndexByte(a, ' '):], b[bytes.LastIndexByte(b, ' '):]) {
		t.Errorf("same timestamp:\n%s%s", a, b)
	}
}

func TestLogAuditor(t *testing.T) {
	var buf bytes.Buffer
	var rec recordingAuditor
	Auditors{LogAuditor{Logger: zerolog.New(&buf)}, &rec}.Audit(AuditEvent{
		Time: time.Date(2026, 11, 30, 9, 40, 0, 0, time.UTC), Actor: "admin", Role: "admin", Action: "silence_expire", Target: "si-1", RemoteIP: "192.0.2.1"})
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%s: %v", buf.Bytes(), err)
	}
	for k, v := range map[string]any{"message": "audit", "level": "info", "component": "dashboards.auth", "action": "silence_expire",
		"actor": "admin", "role": "admin", "target": "si-1", "ip": "192.0.2.1"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (%s)", k, got[k], v, buf.Bytes())
		}
	}
	if _, ok := got["detail"]; ok {
		t.Error("empty detail logged")
	}
	if len(rec.Events()) != 1 {
		t.Error("Auditors skipped one")
	}
}

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"peer", "192.0.2.1:1234", "", nil, "192.0.2.1"},
		{"untrusted peer's header is ignored", "192.0.2.1:1234", "203.0.113.9", proxies, "192.0.2.1"},
		{"trusted proxy", "10.0.0.2:1234", "203.0.113.9", proxies, "203.0.113.9"},
		{"client spoofs the left of the chain", "10.0.0.2:1234", "1.2.3.4, 203.0.113.9", proxies, "203.0.113.9"},
		{"two proxies", "10.0.0.2:1234", "203.0.113.9, 10.0.0.3", proxies, "203.0.113.9"},
		{"garbled chain", "10.0.0.2:1234", "junk", proxies, "10.0.0.2"},
		{"ipv6 loopback proxy", "[::1]:1234", "2001:db8::5", proxies, "2001:db8::5"},
		{"v4-mapped peer", "[::ffff:192.0.2.1]:1234", "", nil, "192.0.2.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptestRequest(http.MethodGet, "/", "")
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := clientIP(r, tc.trusted); got != tc.want {
				t.Fatalf("%s, want %s", got, tc.want)
			}
		})
	}
}
