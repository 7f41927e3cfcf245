package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// writeTokens writes a users file with two API tokens, a city-wide admin
// and a city-wide police account, and returns its path and their secrets.
func writeTokens(t *testing.T, dir string) (path, admin, police string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("users: []\ntokens:\n")
	for _, u := range []struct {
		name   string
		secret *string
	}{{"admin", &admin}, {"police", &police}} {
		secret, hash := auth.NewToken()
		*u.secret = secret
		fmt.Fprintf(&b, "  - name: %s-platform\n    role: %s\n    token_hash: %q\n", u.name, u.name, hash)
	}
	path = filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, admin, police
}

// apiAlerts lists the alerts through the HTTP API, with the API token, as
// comparable lines.
func apiAlerts(t *testing.T, addr, token string) []string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/alerts", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(raw["alerts"], &list); err != nil {
		t.Fatalf("alerts list: %v (%s)", err, raw)
	}
	var out []string
	for _, a := range list {
		out = append(out, fmt.Sprintf("%v %v %v %v %v acked_by=%v silenced=%v", a["id"], a["rule"], a["school"], a["subject"], a["state"], a["acked_by"], a["silenced"]))
	}
	sort.Strings(out)
	return out
}

func apiPost(t *testing.T, url, token, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: HTTP %d %v", url, resp.StatusCode, out)
	}
	return out
}

// TestRestartKeepsAlerts: with firing, acknowledged and silenced alerts
// (and a storm of offline alerts from devices that never spoke), campusguard
// is killed with SIGKILL and started again on the same state: the same
// alerts come back in the same states, and the alert topic sees no new
// "fired" notification (no duplicates, no offline storm).
func TestRestartKeepsAlerts(t *testing.T) {
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	dir := t.TempDir()
	reg := devices.Generate(devices.GenerateOptions{Schools: 6, Seed: 5})
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			reg.Schools[i].Devices[j].Heartbeat = devices.Duration(time.Second)
		}
	}
	reg.Index()
	regPath := filepath.Join(dir, "registry.yaml")
	if err := writeRegistry(reg, regPath, nil); err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules.yaml")
	// A short grace period so the offline storm happens inside the test; no
	// escalation or reminder inside it.
	rules := "defaults:\n  grace_period: 6s\n  escalate_after: {P0: 10m, P1: 30m}\n  remind_every: {P0: 30m, P1: 1h, P2: 4h}\n"
	if err := os.WriteFile(rulesPath, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	httpAddr := freeAddr(t)
	// A panic drill is a police matter: the silence needs a police account.
	usersPath, adminToken, policeToken := writeTokens(t, dir)
	args := []string{"run", "--registry", regPath, "--rules", rulesPath, "--broker", mq.URL(), "--influx-url", db.URL(),
		"--influx-bucket", db.Bucket(), "--spool-dir", filepath.Join(dir, "spool"), "--state-dir", filepath.Join(dir, "state"),
		"--http", httpAddr, "--users", usersPath, "--log-format", "json", "--log-level", "warn"}
	alerts := subscribeAlerts(t, mq.URL(), "restart-watch")

	first := startProcess(t, bin, args...)
	waitReady(t, httpAddr)
	alarmOf := func(i int) *devices.Device {
		for j := range reg.Schools[i].Devices {
			if d := &reg.Schools[i].Devices[j]; d.Kind == devices.KindAlarm {
				return d
			}
		}
		t.Fatal("no alarm terminal")
		return nil
	}
	// School 2 is in a drill: its panic alarm is silenced, by the police.
	apiPost(t, "http://"+httpAddr+"/api/v1/silences", policeToken, fmt.Sprintf(
		`{"matchers":[{"name":"school","value":%q},{"name":"rule","value":"alarm_panic"}],"duration":"1h","reason":"消防演练 / fire drill"}`, reg.Schools[2].ID))
	pub := newPublisher(t, mq.URL(), "restart-pub")
	for i := 0; i < 3; i++ {
		pub.publishAll(t, []sample{{topic: topicOf(alarmOf(i), devices.ChannelEvent), payload: panicPayload(fmt.Sprintf("p-%d", i), time.Now())}})
	}
	fired := map[string]bool{}
	for i := 0; i < 2; i++ { // school 2's panic is silenced: not on the topic
		m := waitAlert(t, alerts, 30*time.Second, "panic", func(m alertMsg) bool { return m.Rule == "alarm_panic" && m.Event == "fired" })
		fired[m.School] = true
		if m.School == reg.Schools[1].ID {
			apiPost(t, "http://"+httpAddr+"/api/v1/alerts/"+m.ID+"/ack", adminToken, `{"note":"已出警"}`)
		}
	}
	// The devices never send heartbeats: after the grace period the
	// offline alerts (school_offline, the per-device ones inhibited) fire.
	eventually(t, 60*time.Second, "offline alerts after the grace period", func() (bool, string) {
		n := 0
		for _, l := range apiAlerts(t, httpAddr, adminToken) {
			if strings.Contains(l, "school_offline") {
				n++
			}
		}
		return n == len(reg.Schools), fmt.Sprintf("%d school_offline", n)
	})
	// Let the first process settle: nothing changes for a few seconds.
	before := apiAlerts(t, httpAddr, adminToken)
	if len(before) < 3+len(reg.Schools) {
		t.Fatalf("only %d alerts before the kill:\n%s", len(before), strings.Join(before, "\n"))
	}
	t.Logf("%d alerts before the kill:\n  %s", len(before), strings.Join(before, "\n  "))
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	// Drain what the first process published.
	for drained := false; !drained; {
		select {
		case <-alerts:
		default:
			drained = true
		}
	}

	startProcess(t, bin, args...)
	waitReady(t, httpAddr)
	after := apiAlerts(t, httpAddr, adminToken)
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("alerts after restart differ:\n before:\n  %s\n after:\n  %s", strings.Join(before, "\n  "), strings.Join(after, "\n  "))
	}
	// Past the new grace period the offline conditions hold again; they
	// update the open alerts instead of firing new ones.
	quiet := time.After(12 * time.Second)
	for done := false; !done; {
		select {
		case m := <-alerts:
			if m.Event == "fired" {
				t.Errorf("notification after restart: %s %s %s", m.Event, m.Rule, m.School)
			}
		case <-quiet:
			done = true
		}
	}
	if final := apiAlerts(t, httpAddr, adminToken); strings.Join(final, "\n") != strings.Join(before, "\n") {
		t.Errorf("alerts after the new grace period differ:\n before:\n  %s\n now:\n  %s", strings.Join(before, "\n  "), strings.Join(final, "\n  "))
	}
}
