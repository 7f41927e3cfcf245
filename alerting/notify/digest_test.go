package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
)

// offlineDigest is three schools of one county going dark, listed as the
// second part (alerts 41-43) of a digest of 83.
func offlineDigest() *Digest {
	d := &Digest{Total: 83, First: 41}
	for i := 40; i < 43; i++ {
		n := offline(i, "130802")
		n.Alert.StartedAt = time.Date(2026, 11, 28, 7, 10+i-40, 0, 0, shanghai)
		d.Notifications = append(d.Notifications, n)
	}
	return d
}

// TestDigestGolden: the robots' digest bodies, Chinese first, then English,
// then the list of schools, byte for byte.
func TestDigestGolden(t *testing.T) {
	ok := `{"errcode":0,"errmsg":"ok"}`
	whole := offlineDigest()
	whole.Total, whole.First = 3, 1
	for _, tc := range []struct {
		name   string
		format Format
		d      *Digest
	}{
		{"wecom-digest", FormatWeCom, whole},
		{"dingtalk-digest-part", FormatDingTalk, offlineDigest()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := webhookServer(t, http.StatusOK, nil, ok)
			w, err := NewWebhookNotifier(WebhookOptions{URL: srv.URL + "/send?key=k", Format: tc.format})
			if err != nil {
				t.Fatal(err)
			}
			if retry, err := w.NotifyDigest(context.Background(), tc.d); err != nil || retry {
				t.Fatalf("NotifyDigest = %v, %v", retry, err)
			}
			golden(t, tc.name+".json", recv(t, got, "the request").body)
		})
	}
}

// TestDigestFitsTheRobot: a digest of max_alerts long school ids stays
// under WeCom's 4096 bytes and lists every one of them.
func TestDigestFitsTheRobot(t *testing.T) {
	d := &Digest{Total: 150, First: 1}
	for i := range DefaultGroupMaxAlerts {
		n := offline(i, "130802")
		n.Alert.School = "cd-" + strings.Repeat("x", 40) + n.Alert.School
		n.Alert.Device = "alarm-guardroom-1"
		d.Notifications = append(d.Notifications, n)
	}
	md := renderDigest(d, "\n", true)
	if len(md.text) > weComMaxContent || !utf8.ValidString(md.text) {
		t.Fatalf("digest of %d alerts is %d bytes, WeCom takes %d", len(d.Notifications), len(md.text), weComMaxContent)
	}
	if got := len(listedSchool.FindAllString(strings.ReplaceAll(md.text, "cd-"+strings.Repeat("x", 40), ""), -1)); got != DefaultGroupMaxAlerts {
		t.Errorf("lists %d schools, want %d", got, DefaultGroupMaxAlerts)
	}
	zh, en := strings.Index(md.text, "学校设备全部离线"), strings.Index(md.text, "All devices of the school offline")
	if zh < 0 || en < 0 || zh > en {
		t.Errorf("want the Chinese block before the English one:\n%s", md.text)
	}
}

func TestGenericWebhookSendsNoDigest(t *testing.T) {
	w, _ := NewWebhookNotifier(WebhookOptions{URL: "https://example.invalid/x", Format: FormatGeneric})
	if retry, err := w.NotifyDigest(context.Background(), offlineDigest()); retry || !errors.Is(err, ErrInvalid) {
		t.Errorf("NotifyDigest = %v, %v; want ErrInvalid", retry, err)
	}
	_, err := NewDispatcher(Options{}, []Route{{Name: "g", Notifier: w, Group: RobotGroup()}})
	if err == nil || !strings.Contains(err.Error(), "group") {
		t.Errorf("a grouped generic webhook: err = %v", err)
	}
	_, err = NewDispatcher(Options{}, []Route{{Name: "m", Notifier: newFake(nil), Group: RobotGroup()}})
	if err == nil || !strings.Contains(err.Error(), "digests") {
		t.Errorf("a grouped notifier without digests: err = %v", err)
	}
}

// TestRateLimitedHoldsTheReceiver: a robot's "too fast" (WeCom 45009,
// DingTalk 130101) holds a paced receiver at least one slot (per/limit),
// beyond the ordinary backoff.
func TestRateLimitedHoldsTheReceiver(t *testing.T) {
	for _, tc := range []struct {
		format Format
		answer string
	}{
		{FormatWeCom, `{"errcode":45009,"errmsg":"api freq out of limit"}`},
		{FormatDingTalk, `{"errcode":130101,"errmsg":"send too fast"}`},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			srv, _ := webhookServer(t, http.StatusOK, nil, tc.answer)
			w, err := NewWebhookNotifier(WebhookOptions{URL: srv.URL + "/send?key=k", Format: tc.format})
			if err != nil {
				t.Fatal(err)
			}
			d, fw := newTestDispatcher(t, Options{MaxAttempts: 2, RetryMin: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond},
				[]Route{{Name: "robot", Notifier: w, Rate: RobotRate()}})
			d.clock = newFakeClock(t0)
			start(t, d)
			d.Send(Notification{Alert: panicAlert(), Event: EventFired})
			expectOutcomes(t, fw, "robot/"+panicAlert().ID+"/dropped")
			if got := fw.get(); len(got) != 1 || got[0] != RobotRatePer/RobotRateLimit {
				t.Errorf("held the receiver %v, want [%s]", got, RobotRatePer/RobotRateLimit)
			}
		})
	}
}

func TestDigestSeverityIsTheMostSevere(t *testing.T) {
	d := offlineDigest()
	d.Notifications[1].Alert.Severity = alerting.P1
	for i := range d.Notifications {
		if i != 1 {
			d.Notifications[i].Alert.Severity = alerting.P2
		}
	}
	md := renderDigest(d, "\n\n", false)
	if !strings.HasPrefix(md.title, "【P1】") || !strings.Contains(md.text, "P1 紧急") {
		t.Errorf("title %q, want the most severe member's severity", md.title)
	}
}
