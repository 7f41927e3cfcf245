package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// request is what a test webhook server saw.
type request struct {
	method, path, contentType string
	query                     map[string][]string
	body                      []byte
}

// webhookServer answers every request with status, header and body, and
// reports what it received.
func webhookServer(t *testing.T, status int, header http.Header, body string) (*httptest.Server, <-chan request) {
	t.Helper()
	got := make(chan request, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"), query: r.URL.Query(), body: b}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// fixedNow is the signing time of the DingTalk golden requests.
var fixedNow = time.UnixMilli(1764285123000)

const dingTalkSecret = "SECexample0123456789abcdef"

// TestWebhookGolden: each format's request body, byte for byte, against
// httptest servers.
func TestWebhookGolden(t *testing.T) {
	ok := `{"errcode":0,"errmsg":"ok"}`
	tests := []struct {
		name   string
		format Format
		secret Secret
		n      Notification
		answer string
	}{
		{"generic-panic", FormatGeneric, "", Notification{Alert: panicAlert(), Event: EventFired}, ""},
		{"generic-resolved", FormatGeneric, "", Notification{Alert: resolvedAlert(), Event: EventResolved}, ""},
		{"wecom-panic", FormatWeCom, "", Notification{Alert: panicAlert(), Event: EventFired}, ok},
		{"wecom-resolved", FormatWeCom, "", Notification{Alert: resolvedAlert(), Event: EventResolved}, ok},
		{"dingtalk-panic", FormatDingTalk, dingTalkSecret, Notification{Alert: panicAlert(), Event: EventEscalated}, ok},
		{"dingtalk-resolved", FormatDingTalk, "", Notification{Alert: resolvedAlert(), Event: EventResolved}, ok},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := webhookServer(t, http.StatusOK, nil, tc.answer)
			w, err := NewWebhookNotifier(WebhookOptions{URL: srv.URL + "/robot/send?access_token=tok123", Format: tc.format, Secret: tc.secret})
			if err != nil {
				t.Fatal(err)
			}
			w.now = func() time.Time { return fixedNow }
			retry, err := w.Notify(context.Background(), tc.n)
			if err != nil || retry {
				t.Fatalf("Notify = %v, %v", retry, err)
			}
			req := recv(t, got, "the request")
			if req.method != http.MethodPost || req.path != "/robot/send" || req.contentType != "application/json; charset=utf-8" {
				t.Errorf("request %s %s (%s)", req.method, req.path, req.contentType)
			}
			if q := req.query["access_token"]; len(q) != 1 || q[0] != "tok123" {
				t.Errorf("access_token = %v", q)
			}
			golden(t, tc.name+".json", req.body)
			checkSignature(t, req, tc.secret)
		})
	}
}

// checkSignature verifies DingTalk's timestamp and sign query parameters
// against a vector computed independently (Python hmac and openssl agree).
func checkSignature(t *testing.T, req request, secret Secret) {
	t.Helper()
	ts, sign := req.query["timestamp"], req.query["sign"]
	if secret == "" {
		if ts != nil || sign != nil {
			t.Errorf("unsigned webhook sent timestamp=%v sign=%v", ts, sign)
		}
		return
	}
	if len(ts) != 1 || ts[0] != "1764285123000" {
		t.Errorf("timestamp = %v, want the signing time in ms", ts)
	}
	// printf '1764285123000\nSECexample0123456789abcdef' | openssl dgst -sha256 -hmac SECexample0123456789abcdef -binary | base64
	if want := "6AlGCDSbKIGjNtQrmeKHPZzOO5Ya3G5e634Vlj0NT64="; len(sign) != 1 || sign[0] != want {
		t.Errorf("sign = %v, want %s", sign, want)
	}
}

func TestSignDingTalkEncodesTheSign(t *testing.T) {
	got := signDingTalk("https://oapi.dingtalk.com/robot/send?access_token=abc", dingTalkSecret, fixedNow)
	want := "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1764285123000&sign=6AlGCDSbKIGjNtQrmeKHPZzOO5Ya3G5e634Vlj0NT64%3D"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := signDingTalk("https://h/robot", "s", fixedNow); !strings.HasPrefix(got, "https://h/robot?timestamp=") {
		t.Errorf("without a query: %s", got)
	}
}

// TestMarkdownGolden keeps the robots' text readable in review.
func TestMarkdownGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    Notification
	}{
		{"panic", Notification{Alert: panicAlert(), Event: EventFired}},
		{"resolved", Notification{Alert: resolvedAlert(), Event: EventResolved}},
	} {
		md := renderMarkdown(&tc.n, "\n", false)
		golden(t, "markdown-"+tc.name+".md", []byte("title: "+md.title+"\n\n"+md.text+"\n"))
	}
}

func TestMarkdown135OnlyForOpenPanics(t *testing.T) {
	has := func(a alerting.Alert) bool {
		n := Notification{Alert: a, Event: EventUpdated}
		md := renderMarkdown(&n, "\n", false)
		zh, en := strings.Contains(md.text, "5 分钟警力到场"), strings.Contains(md.text, "5 min police on scene")
		if zh != en {
			t.Errorf("1-3-5 in one language only: zh %v en %v", zh, en)
		}
		return zh
	}
	p := panicAlert()
	unacked := panicAlert()
	unacked.Rule = alerting.AlarmUnacked
	resolved := panicAlert()
	resolved.State = alerting.Resolved
	gate := panicAlert()
	gate.Rule = alerting.GateBlacklist
	for _, c := range []struct {
		name string
		a    alerting.Alert
		want bool
	}{{"panic", p, true}, {"unacked escalation", unacked, true}, {"resolved panic", resolved, false}, {"other P0", gate, false}} {
		if got := has(c.a); got != c.want {
			t.Errorf("%s: 1-3-5 shown = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestWeComContentIsTruncated(t *testing.T) {
	a := panicAlert()
	a.MessageZH = strings.Repeat("长", 3000)
	w, _ := NewWebhookNotifier(WebhookOptions{URL: "https://example.invalid/x", Format: FormatWeCom})
	n := &Notification{Alert: a, Event: EventFired}
	b, err := w.body(func(sep string, color bool) markdown { return renderMarkdown(n, sep, color) })
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Markdown struct{ Content string } `json:"markdown"`
	}
	if err := json.Unmarshal(b, &msg); err != nil {
		t.Fatal(err)
	}
	if c := msg.Markdown.Content; len(c) > weComMaxContent || !utf8.ValidString(c) || !strings.HasSuffix(c, "…") {
		t.Errorf("content: %d bytes, valid %v", len(c), utf8.ValidString(c))
	}
}

// TestWebhookAnswers: how each answer is classified.
func TestWebhookAnswers(t *testing.T) {
	tests := []struct {
		name       string
		format     Format
		status     int
		header     http.Header
		body       string
		retry      bool
		sentinel   error // nil: success
		retryAfter time.Duration
	}{
		{"generic 200", FormatGeneric, 200, nil, "", false, nil, 0},
		{"generic 204", FormatGeneric, 204, nil, "", false, nil, 0},
		{"generic 500", FormatGeneric, 500, nil, "boom", true, ErrUnavailable, 0},
		{"generic 503 retry-after", FormatGeneric, 503, http.Header{"Retry-After": {"30"}}, "", true, ErrUnavailable, 30 * time.Second},
		{"generic 429", FormatGeneric, 429, nil, "", true, ErrRateLimited, 0},
		{"generic 429 retry-after seconds", FormatGeneric, 429, http.Header{"Retry-After": {"120"}}, "", true, ErrRateLimited, 2 * time.Minute},
		{"generic 429 retry-after date", FormatGeneric, 429, http.Header{"Retry-After": {fixedNow.Add(45 * time.Second).UTC().Format(http.TimeFormat)}}, "", true, ErrRateLimited, 45 * time.Second},
		{"generic 400", FormatGeneric, 400, nil, `{"error":"bad"}`, false, ErrRejected, 0},
		{"generic 401", FormatGeneric, 401, nil, "", false, ErrRejected, 0},
		{"generic 404", FormatGeneric, 404, nil, "", false, ErrRejected, 0},
		{"generic redirect not followed", FormatGeneric, 302, http.Header{"Location": {"/elsewhere"}}, "", false, ErrRejected, 0},
		{"wecom ok", FormatWeCom, 200, nil, `{"errcode":0,"errmsg":"ok"}`, false, nil, 0},
		{"wecom rate limit 45009", FormatWeCom, 200, nil, `{"errcode":45009,"errmsg":"api freq out of limit"}`, true, ErrRateLimited, 0},
		{"wecom busy -1", FormatWeCom, 200, nil, `{"errcode":-1,"errmsg":"system busy"}`, true, ErrUnavailable, 0},
		{"wecom invalid key 93000", FormatWeCom, 200, nil, `{"errcode":93000,"errmsg":"invalid webhook url"}`, false, ErrRejected, 0},
		{"wecom dingtalk's rate-limit code is not wecom's", FormatWeCom, 200, nil, `{"errcode":130101}`, false, ErrRejected, 0},
		{"wecom no errcode", FormatWeCom, 200, nil, `<html>proxy</html>`, false, ErrRejected, 0},
		{"wecom 502", FormatWeCom, 502, nil, "", true, ErrUnavailable, 0},
		{"dingtalk ok", FormatDingTalk, 200, nil, `{"errcode":0,"errmsg":"ok"}`, false, nil, 0},
		{"dingtalk rate limit 130101", FormatDingTalk, 200, nil, `{"errcode":130101,"errmsg":"send too fast"}`, true, ErrRateLimited, 0},
		{"dingtalk keyword 310000", FormatDingTalk, 200, nil, `{"errcode":310000,"errmsg":"keywords not in content"}`, false, ErrRejected, 0},
		{"dingtalk token 300001", FormatDingTalk, 200, nil, `{"errcode":300001,"errmsg":"token is not exist"}`, false, ErrRejected, 0},
		{"dingtalk 429", FormatDingTalk, 429, http.Header{"Retry-After": {"5"}}, "", true, ErrRateLimited, 5 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := webhookServer(t, tc.status, tc.header, tc.body)
			w, err := NewWebhookNotifier(WebhookOptions{URL: srv.URL + "/hook?key=sekrit-key", Format: tc.format})
			if err != nil {
				t.Fatal(err)
			}
			w.now = func() time.Time { return fixedNow }
			retry, err := w.Notify(context.Background(), Notification{Alert: panicAlert(), Event: EventFired})
			if retry != tc.retry {
				t.Errorf("retry = %v, want %v (err %v)", retry, tc.retry, err)
			}
			switch {
			case tc.sentinel == nil && err != nil:
				t.Errorf("err = %v, want success", err)
			case tc.sentinel != nil && !errors.Is(err, tc.sentinel):
				t.Errorf("err = %v, want %v", err, tc.sentinel)
			}
			if got := retryAfter(err); got != tc.retryAfter {
				t.Errorf("retry after %s, want %s", got, tc.retryAfter)
			}
			if err != nil && strings.Contains(err.Error(), "sekrit") {
				t.Errorf("error reveals the URL's key: %v", err)
			}
		})
	}
}

// TestWebhookNetworkError: an unreachable receiver is retried, and the
// error does not reveal the robot's token.
func TestWebhookNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	w, err := NewWebhookNotifier(WebhookOptions{URL: url + "/robot/send?access_token=sekrit-token", Format: FormatDingTalk, Secret: "sekrit-secret"})
	if err != nil {
		t.Fatal(err)
	}
	retry, err := w.Notify(context.Background(), Notification{Alert: panicAlert(), Event: EventFired})
	if !retry || err == nil {
		t.Fatalf("Notify = %v, %v; want a retryable error", retry, err)
	}
	if strings.Contains(err.Error(), "sekrit") || strings.Contains(err.Error(), "sign=") {
		t.Errorf("error reveals a credential: %v", err)
	}
}

func TestNewWebhookNotifierRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts WebhookOptions
		want string
	}{
		{"no url", WebhookOptions{Format: FormatGeneric}, "url"},
		{"relative url", WebhookOptions{URL: "/hook", Format: FormatGeneric}, "url"},
		{"ftp", WebhookOptions{URL: "ftp://h/x", Format: FormatGeneric}, "url"},
		{"format", WebhookOptions{URL: "https://h/x", Format: "slack"}, "format"},
		{"secret for wecom", WebhookOptions{URL: "https://h/x", Format: FormatWeCom, Secret: "s"}, "secret"},
	} {
		if _, err := NewWebhookNotifier(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"7", 7 * time.Second}, {" 7 ", 7 * time.Second}, {"-3", 0}, {"soon", 0},
		{fixedNow.Add(time.Minute).UTC().Format(http.TimeFormat), time.Minute},
		{fixedNow.Add(-time.Minute).UTC().Format(http.TimeFormat), 0},
	} {
		if got := parseRetryAfter(tc.v, fixedNow); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.v, got, tc.want)
		}
	}
}
