package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestReloadOnSIGHUP: campusguard runs on three schools of a registry
// file; the file then gains a fourth school and loses one alarm terminal
// (offline, its alert firing), and the process gets SIGHUP. The new
// school's panic comes out on the alert topic, and the removed terminal's
// offline alert is resolved.
func TestReloadOnSIGHUP(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	dir := t.TempDir()
	full := devices.Generate(devices.GenerateOptions{Schools: 4, Seed: 7})
	for i := range full.Schools {
		for j := range full.Schools[i].Devices {
			full.Schools[i].Devices[j].Heartbeat = devices.Duration(time.Hour)
		}
	}
	full.Index()
	gone := firstDevice(&full.Schools[0], devices.KindAlarm)
	gone.Heartbeat = devices.Duration(time.Second) // offline 3 s after start
	goneID := gone.ID
	added := &full.Schools[3]
	addedAlarm := *firstDevice(added, devices.KindAlarm)
	addedTopic := topicOf(&addedAlarm, devices.ChannelEvent)

	before := *full
	before.Schools = slices.Clone(full.Schools[:3])
	before.Index()
	regPath := filepath.Join(dir, "registry.yaml")
	if err := writeRegistry(&before, regPath, nil); err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rulesPath, []byte("defaults:\n  grace_period: 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.Rules = rulesPath
	alerts := subscribeAlerts(t, mq.URL(), "reload-watch")
	// campusguard handles SIGHUP; this keeps a stray one from killing the
	// test binary should it arrive before campusguard listens.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	a := startApp(t, cfg)

	off := waitAlert(t, alerts, 60*time.Second, "offline alert of the terminal to remove", func(m alertMsg) bool {
		return m.Rule == "alarm_offline" && m.Device == goneID && m.Event == "fired"
	})

	after := *full
	after.Schools = slices.Clone(full.Schools)
	after.Schools[0].Devices = slices.DeleteFunc(slices.Clone(after.Schools[0].Devices),
		func(d devices.Device) bool { return d.ID == goneID })
	after.Index()
	if err := writeRegistry(&after, regPath+".new", nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(regPath+".new", regPath); err != nil {
		t.Fatal(err)
	}
	// SIGHUP until the decoder's registry has the new school (a reload is
	// idempotent; the resend covers a handler not yet listening).
	// eventually polls every 100 ms: resend on every 50th poll.
	polls := 0
	eventually(t, 60*time.Second, "registry reloaded", func() (bool, string) {
		if _, ok := a.reg.Load().School(added.ID); ok {
			return true, ""
		}
		if polls%50 == 0 {
			if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
		polls++
		return false, "old registry"
	})

	newPublisher(t, mq.URL(), "reload-pub").publishAll(t, []sample{{topic: addedTopic, payload: panicPayload("press-new", time.Now())}})
	// The resolution (at the reload) and the panic, in whatever order.
	var p, r *alertMsg
	deadline := time.After(60 * time.Second)
	for p == nil || r == nil {
		select {
		case m := <-alerts:
			switch {
			case m.Rule == "alarm_panic" && m.School == added.ID:
				p = &m
			case m.ID == off.ID && m.Event == "resolved":
				r = &m
			}
		case <-deadline:
			t.Fatalf("within 60 s: panic of the added school %v, resolution of the removed terminal's offline alert %v", p != nil, r != nil)
		}
	}
	if p.Severity != "P0" || p.Event != "fired" || !strings.Contains(p.MessageZH, added.Name) {
		t.Errorf("panic alert of the added school = %+v", *p)
	}
	if r.State != "resolved" {
		t.Errorf("removed terminal's alert = %+v", *r)
	}
}

// TestStreamSendsEachChangeOnce: on the live stream (SSE), a panic's
// "fired" arrives once before its "acknowledged" (api.Publish was
// registered twice, so every event went out twice).
func TestStreamSendsEachChangeOnce(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 3)
	a := startApp(t, baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket()))
	base := "http://" + a.http.Addr()

	resp, err := http.Get(base + "/api/v1/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	type ev struct {
		name string
		data string
	}
	events := make(chan ev, 100)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var cur ev
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				cur.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				cur.data = strings.TrimPrefix(line, "data: ")
			case line == "" && cur.name != "":
				events <- cur
				cur = ev{}
			}
		}
	}()
	next := func(what string) ev {
		t.Helper()
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("stream closed waiting for %s", what)
			}
			return e
		case <-time.After(60 * time.Second):
			t.Fatalf("no %s on the stream", what)
		}
		return ev{}
	}
	if e := next("snapshot"); e.name != "snapshot" {
		t.Fatalf("first stream event %q, want snapshot", e.name)
	}

	alarm := firstDevice(&reg.Schools[0], devices.KindAlarm)
	newPublisher(t, mq.URL(), "sse-pub").publishAll(t, []sample{{topic: topicOf(alarm, devices.ChannelEvent), payload: panicPayload("press-sse", time.Now())}})
	type alertEvent struct {
		Event string `json:"event"`
		Alert struct {
			ID   string `json:"id"`
			Rule string `json:"rule"`
		} `json:"alert"`
	}
	var panicID string
	var seen []string // events of the panic alert, in order
	for {
		e := next("panic events")
		if e.name != "alert" {
			continue
		}
		var ae alertEvent
		if err := json.Unmarshal([]byte(e.data), &ae); err != nil {
			t.Fatalf("alert event %q: %v", e.data, err)
		}
		if ae.Alert.Rule != "alarm_panic" {
			continue
		}
		if panicID == "" {
			panicID = ae.Alert.ID
			// Acknowledge: its event marks the end of what the press sent.
			apiPost(t, base+"/api/v1/alerts/"+panicID+"/ack", "", `{"note":"已出警"}`)
		}
		seen = append(seen, ae.Event)
		if ae.Event == "acknowledged" {
			break
		}
	}
	if want := []string{"fired", "acknowledged"}; !slices.Equal(seen, want) {
		t.Errorf("stream events of the panic: %v, want %v (each change once)", seen, want)
	}
}
