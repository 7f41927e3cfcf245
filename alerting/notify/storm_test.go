package notify

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// fakeWeCom is a WeCom group robot that, like the real one, accepts 20
// messages in any minute (on the test's clock) and answers errcode 45009
// beyond that.
type fakeWeCom struct {
	clk      *fakeClock
	mu       sync.Mutex
	accepted []robotMessage
	refused  int
}

type robotMessage struct {
	at      time.Time
	content string
}

func newFakeWeCom(t *testing.T, clk *fakeClock) (*fakeWeCom, *httptest.Server) {
	f := &fakeWeCom{clk: clk}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg weComMessage
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &msg); err != nil || msg.MsgType != "markdown" {
			_, _ = io.WriteString(w, `{"errcode":40008,"errmsg":"invalid message type"}`)
			return
		}
		now := clk.Now()
		f.mu.Lock()
		defer f.mu.Unlock()
		inMinute := 0
		for _, m := range f.accepted {
			if now.Sub(m.at) < time.Minute {
				inMinute++
			}
		}
		if inMinute >= 20 {
			f.refused++
			_, _ = io.WriteString(w, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
			return
		}
		f.accepted = append(f.accepted, robotMessage{at: now, content: msg.Markdown.Content})
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeWeCom) messages() ([]robotMessage, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]robotMessage(nil), f.accepted...), f.refused
}

// offline is school i's school_offline alert: P1 in school hours, P2 after.
func offline(i int, region string) Notification {
	started := t0.Add(-5 * time.Minute)
	s := alerting.P1
	if i%3 == 0 {
		s = alerting.P2
	}
	school := fmt.Sprintf("cd-%04d", i)
	return Notification{Event: EventFired, Alert: alerting.Alert{
		ID: "al-off-" + school, Rule: alerting.SchoolOffline, Severity: s, State: alerting.Firing,
		Region: region, School: school, Subject: school,
		Audience:  []alerting.Audience{alerting.Police, alerting.Education, alerting.SchoolAud},
		StartedAt: started, UpdatedAt: started, MessageZH: "学校设备全部离线", MessageEN: "All devices offline", Count: 1,
	}}
}

var listedSchool = regexp.MustCompile(`(?m)^\d+\. (cd-\d{4})`)

// TestStormPanicFirstAndDigests is issue 7's acceptance: 150 schools go
// offline at once and then a panic is pressed. The education bureau's
// WeCom robot (the notifications file's defaults: group by rule and
// region, 20 messages a minute) gets the panic within 5 s of the press on
// the test clock, never hears 45009, and gets the storm as a few digests
// that name every school. The old FIFO sent 150 messages ahead of the
// panic, one by one, into the robot's limit.
func TestStormPanicFirstAndDigests(t *testing.T) {
	tests := []struct {
		name       string
		regions    int // the schools are spread over this many counties
		panicAfter int // messages the robot has accepted when the panic is pressed
		maxDigests int
	}{
		{"one county, panic behind the storm", 1, 0, 4}, // 150 / max_alerts 40
		{"30 counties, panic mid-drain", 30, 15, 30},    // pacing holds the 30 digests; the panic overtakes them
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock(t0)
			robot, srv := newFakeWeCom(t, clk)
			c, err := ParseConfig([]byte(`
receivers:
  - name: education-bureau
    webhook: {url_env: WECOM_URL, format: wecom}
routes:
  - receiver: education-bureau
`))
			if err != nil {
				t.Fatal(err)
			}
			routes, err := c.Build(BuildOptions{LookupEnv: lookupIn(map[string]string{"WECOM_URL": srv.URL + "/cgi-bin/webhook/send?key=k"})})
			if err != nil {
				t.Fatal(err)
			}
			d, err := NewDispatcher(Options{Clock: clk}, routes)
			if err != nil {
				t.Fatal(err)
			}
			delivered := map[string]int{}
			var mu sync.Mutex
			d.settled = func(_ string, n *Notification, result string) {
				mu.Lock()
				delivered[result]++
				mu.Unlock()
			}
			parked := make(chan time.Time)
			stop := make(chan struct{})
			d.parked = func(_ string, until time.Time) {
				select {
				case parked <- until:
				case <-stop:
				}
			}
			// The test acts only on the dispatcher's waits, one action per
			// wait: it sends (the push wakes the dispatcher) or moves the
			// clock to the time the dispatcher asked for. The storm is
			// queued before Run, so every wait has seen it.
			for i := range 150 {
				d.Send(offline(i, fmt.Sprintf("1308%02d", 1+i%tc.regions)))
			}
			var pressed time.Time
			if tc.panicAfter == 0 {
				pressed = clk.Now()
				d.Send(Notification{Alert: panicAlert(), Event: EventFired})
			}
			start(t, d)
			t.Cleanup(func() { close(stop) })
			for step := 0; ; step++ {
				if step > 10000 {
					t.Fatal("the dispatcher never settled")
				}
				until := recv(t, parked, "the dispatcher to wait")
				mu.Lock()
				ok := delivered[resultOK]
				mu.Unlock()
				if ok == 151 && until.IsZero() {
					break
				}
				if msgs, _ := robot.messages(); pressed.IsZero() && len(msgs) >= tc.panicAfter {
					pressed = clk.Now()
					d.Send(Notification{Alert: panicAlert(), Event: EventFired})
					continue
				}
				if !until.IsZero() {
					clk.Set(until)
				} // else it waits for a push: Send already woke it (or recv times out)
			}

			msgs, refused := robot.messages()
			panicAt, digests, overtaken, schools := time.Time{}, 0, 0, map[string]bool{}
			for _, m := range msgs {
				if regexp.MustCompile(`Alert ID: ` + panicAlert().ID).MatchString(m.content) {
					panicAt = m.at
					continue
				}
				digests++
				if !panicAt.IsZero() {
					overtaken++
				}
				for _, s := range listedSchool.FindAllStringSubmatch(m.content, -1) {
					schools[s[1]] = true
				}
			}
			if panicAt.IsZero() {
				t.Fatal("the panic never reached the robot")
			}
			lat := panicAt.Sub(pressed)
			t.Logf("panic delivered %s after the press (test clock), ahead of %d waiting digests; storm as %d digests; %d messages in all; robot refused %d",
				lat, overtaken, digests, len(msgs), refused)
			if lat > 5*time.Second {
				t.Errorf("panic reached the robot %s after the press, want within 5s", lat)
			}
			if digests > tc.maxDigests {
				t.Errorf("storm sent as %d messages, want at most %d digests", digests, tc.maxDigests)
			}
			for i := range 150 {
				if s := fmt.Sprintf("cd-%04d", i); !schools[s] {
					t.Errorf("school %s is in no digest", s)
				}
			}
			if tc.panicAfter > 0 && overtaken == 0 {
				t.Errorf("no digest was still waiting when the panic went: the case tests nothing")
			}
			if refused > 0 {
				t.Errorf("the robot answered 45009 %d times: the dispatcher did not pace under its limit", refused)
			}
		})
	}
}
