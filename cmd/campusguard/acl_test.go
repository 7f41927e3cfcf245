package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// aclWorld is a small generated registry written to a file, with the
// devices and regions the broker tests use.
type aclWorld struct {
	regPath    string
	devA, devB *devices.Device // two devices; A is the attacker
	r1, r2     string          // A's region and another one
}

func newACLWorld(t *testing.T) aclWorld {
	t.Helper()
	reg := devices.Generate(devices.GenerateOptions{Schools: 40, Seed: 7})
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	reg.Index()
	w := aclWorld{regPath: filepath.Join(t.TempDir(), "registry.yaml")}
	var buf bytes.Buffer
	if err := reg.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.regPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range reg.Schools {
		s := &reg.Schools[i]
		for j := range s.Devices {
			d := &s.Devices[j]
			switch {
			case w.devA == nil && d.Kind == devices.KindAlarm:
				w.devA, w.r1 = d, s.Region
			case w.devA != nil && w.devB == nil && d.Kind == devices.KindAccess:
				w.devB = d
			}
		}
	}
	for _, s := range reg.Schools {
		if w.r1 != "" && s.Region != w.r1 {
			w.r2 = s.Region
			break
		}
	}
	if w.devA == nil || w.devB == nil || w.r2 == "" {
		t.Fatalf("generated registry lacks an alarm, an access device or a second region")
	}
	return w
}

func deviceTopic(d *devices.Device, ch devices.Channel) string {
	s := d.School()
	return "campus/" + s.Region + "/" + s.ID + "/" + string(d.Kind) + "/" + d.ID + "/" + string(ch)
}

type seenMsg struct {
	topic, payload string
	retained       bool
}

// aclClient is a connected MQTT client and everything it received.
type aclClient struct {
	c  paho.Client
	ch chan seenMsg
}

func aclConnect(t *testing.T, url, user, pass string) (*aclClient, error) {
	t.Helper()
	ac := &aclClient{ch: make(chan seenMsg, 1000)}
	o := paho.NewClientOptions().AddBroker(url).SetClientID(user + "-" + fmt.Sprint(time.Now().UnixNano())).
		SetUsername(user).SetPassword(pass).SetCleanSession(true).SetAutoReconnect(false).
		SetConnectTimeout(30 * time.Second).SetOrderMatters(true)
	ac.c = paho.NewClient(o)
	tok := ac.c.Connect()
	if !tok.WaitTimeout(30 * time.Second) {
		return nil, fmt.Errorf("connect %s: timed out", user)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("connect %s: %w", user, err)
	}
	t.Cleanup(func() { ac.c.Disconnect(100) })
	return ac, nil
}

func mustConnect(t *testing.T, url, user, pass string) *aclClient {
	t.Helper()
	ac, err := aclConnect(t, url, user, pass)
	if err != nil {
		t.Fatal(err)
	}
	return ac
}

func (ac *aclClient) subscribe(t *testing.T, filter string) {
	t.Helper()
	tok := ac.c.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) {
		ac.ch <- seenMsg{m.Topic(), string(m.Payload()), m.Retained()}
	})
	if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe %s: %v", filter, tok.Error())
	}
}

func (ac *aclClient) publish(t *testing.T, topic, payload string, retained bool) {
	t.Helper()
	tok := ac.c.Publish(topic, 1, retained, payload)
	if !tok.WaitTimeout(30 * time.Second) {
		t.Fatalf("publish %s: no PUBACK", topic)
	}
	// A publish the ACL denies is still acknowledged (MQTT 3.1.1) and dropped,
	// or the broker closes the connection: either way it must not be delivered.
}

// until returns what arrived before the message with payload sentinel,
// waiting at most 30 s for it (the broker delivers one connection's queue
// in order, so anything published before the sentinel arrives before it).
func (ac *aclClient) until(t *testing.T, sentinel string) []seenMsg {
	t.Helper()
	var before []seenMsg
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-ac.ch:
			if m.payload == sentinel {
				return before
			}
			before = append(before, m)
		case <-deadline:
			t.Fatalf("sentinel %q never arrived (got %v)", sentinel, before)
		}
	}
}

// TestRegistryACLOnMosquitto runs a real Mosquitto with the ACL and
// password file `campusguard registry acl` writes (issue 7 item 9): device A
// cannot publish as device B nor under campus/alerts/ (the forged alert
// never reaches a subscriber, retained or live), campusguard's account
// publishes alerts, a county police account reads its own county's alerts
// and not another county's.
func TestRegistryACLOnMosquitto(t *testing.T) {
	w := newACLWorld(t)
	dir := t.TempDir()
	acl, pw, creds, given := filepath.Join(dir, "acl"), filepath.Join(dir, "passwd"), filepath.Join(dir, "creds"), filepath.Join(dir, "given")
	pol1, pol2 := "police-"+w.r1, "police-"+w.r2
	if err := os.WriteFile(given, []byte("campusguard:svc-secret\n"+pol1+":pol1-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := cmdRegistry([]string{"acl", "-registry", w.regPath, "-o", acl, "-passwd", pw, "-credentials", creds, "-given", given}, io.Discard, &stderr); err != nil {
		t.Fatalf("registry acl: %v\n%s", err, stderr.String())
	}
	if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	cred, err := readUserLines(creds, false)
	if err != nil {
		t.Fatal(err)
	}
	if cred[w.devA.ID] == "" || cred[pol2] == "" || cred["campusguard"] != "" || cred[pol1] != "" {
		t.Fatalf("credentials: want generated passwords for devices and %s only, not given ones; got %d entries", pol2, len(cred))
	}

	mq := testenv.MosquittoWith(t, testenv.MosquittoOptions{PasswordFile: pw, ACLFile: acl})
	url := mq.URL()

	if _, err := aclConnect(t, url, w.devA.ID, "wrong-password"); err == nil {
		t.Errorf("device connected with a wrong password")
	}
	svc := mustConnect(t, url, "campusguard", "svc-secret")
	svc.subscribe(t, "campus/+/+/+/+/+")
	police1 := mustConnect(t, url, pol1, "pol1-secret")
	police1.subscribe(t, "campus/alerts/"+w.r1+"/#")
	police1.subscribe(t, "campus/alerts/"+w.r2+"/#") // not its county: must stay silent
	police2 := mustConnect(t, url, pol2, cred[pol2])
	police2.subscribe(t, "campus/alerts/"+w.r2+"/#")
	devA := mustConnect(t, url, w.devA.ID, cred[w.devA.ID])

	// Device A speaks as device B, then as itself.
	devA.publish(t, deviceTopic(w.devB, devices.ChannelEvent), `{"forged":"as-b"}`, false)
	devA.publish(t, deviceTopic(w.devA, devices.ChannelEvent), "own-1", false)
	if got := svc.until(t, "own-1"); len(got) != 0 {
		t.Errorf("device %s published as %s: campusguard received %v", w.devA.ID, w.devB.ID, got)
	}

	// Device A forges a retained P0 for the police: under the old pattern
	// (campus/+/+/+/%u/+) and on the alert topic itself. Then campusguard
	// publishes a real alert, which the county police must receive alone.
	schoolA := w.devA.School().ID
	forged := []string{
		"campus/alerts/" + w.r1 + "/" + schoolA + "/" + w.devA.ID + "/event",
		"campus/alerts/" + w.r1 + "/" + schoolA,
	}
	for _, topic := range forged {
		devA.publish(t, topic, `{"rule":"alarm_panic","severity":"P0","forged":true}`, true)
	}
	svc.publish(t, "campus/alerts/"+w.r1+"/"+schoolA, "real-1", false)
	if got := police1.until(t, "real-1"); len(got) != 0 {
		t.Errorf("forged alerts reached %s: %v", pol1, got)
	}

	// A later subscriber gets no forged retained alert either.
	late := mustConnect(t, url, pol1, "pol1-secret")
	late.subscribe(t, "campus/alerts/"+w.r1+"/#")
	svc.publish(t, "campus/alerts/"+w.r1+"/"+schoolA, "real-2", false)
	if got := late.until(t, "real-2"); len(got) != 0 {
		t.Errorf("a retained forged alert reached a new %s subscriber: %v", pol1, got)
	}
	if got := police1.until(t, "real-2"); len(got) != 0 {
		t.Errorf("%s got unexpected messages: %v", pol1, got)
	}

	// Another county's alert reaches that county's police, not this one.
	svc.publish(t, "campus/alerts/"+w.r2+"/some-school", "other-county", false)
	if got := police2.until(t, "other-county"); len(got) != 0 {
		t.Errorf("%s got unexpected messages: %v", pol2, got)
	}
	svc.publish(t, "campus/alerts/"+w.r1+"/"+schoolA, "real-3", false)
	if got := police1.until(t, "real-3"); len(got) != 0 {
		t.Errorf("%s read another county's alerts: %v", pol1, got)
	}
}

// TestLegacyACLLetsForgedAlertThrough shows the hole the generated ACL
// closes: with the old hand-written deploy/mosquitto.acl (pattern write
// campus/+/+/+/%u/+), a device's forged retained P0 reaches a county police
// account. This is the scenario TestRegistryACLOnMosquitto asserts never
// happens.
func TestLegacyACLLetsForgedAlertThrough(t *testing.T) {
	w := newACLWorld(t)
	dir := t.TempDir()
	pw, creds, given := filepath.Join(dir, "passwd"), filepath.Join(dir, "creds"), filepath.Join(dir, "given")
	pol1 := "police-" + w.r1
	if err := os.WriteFile(given, []byte("campusguard:svc-secret\n"+pol1+":pol1-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cmdRegistry([]string{"acl", "-registry", w.regPath, "-o", filepath.Join(dir, "unused.acl"),
		"-passwd", pw, "-credentials", creds, "-given", given}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cred, err := readUserLines(creds, false)
	if err != nil {
		t.Fatal(err)
	}
	legacy, err := os.ReadFile("testdata/mosquitto-legacy.acl")
	if err != nil {
		t.Fatal(err)
	}
	// The legacy file's own example police block, enabled for region r1.
	acl := filepath.Join(dir, "legacy.acl")
	text := string(legacy) + "\nuser " + pol1 + "\ntopic read campus/alerts/" + w.r1 + "/#\n"
	if err := os.WriteFile(acl, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	mq := testenv.MosquittoWith(t, testenv.MosquittoOptions{PasswordFile: pw, ACLFile: acl})
	police1 := mustConnect(t, mq.URL(), pol1, "pol1-secret")
	police1.subscribe(t, "campus/alerts/"+w.r1+"/#")
	devA := mustConnect(t, mq.URL(), w.devA.ID, cred[w.devA.ID])
	svc := mustConnect(t, mq.URL(), "campusguard", "svc-secret")

	forged := "campus/alerts/" + w.r1 + "/" + w.devA.School().ID + "/" + w.devA.ID + "/event"
	devA.publish(t, forged, `{"rule":"alarm_panic","severity":"P0","forged":true}`, true)
	svc.publish(t, "campus/alerts/"+w.r1+"/x", "real-1", false)
	got := police1.until(t, "real-1")
	if len(got) != 1 || got[0].topic != forged || !strings.Contains(got[0].payload, "forged") {
		t.Fatalf("with the legacy ACL the police got %v; the forged alert on %s was expected to get through", got, forged)
	}
	t.Logf("legacy ACL: forged retained P0 on %s reached %s (the hole)", forged, pol1)
}
