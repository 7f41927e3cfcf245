package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// alertMsg is the JSON on campus/alerts/{region}/{school}.
type alertMsg struct {
	ID        string   `json:"id"`
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	State     string   `json:"state"`
	Region    string   `json:"region"`
	School    string   `json:"school"`
	Device    string   `json:"device"`
	Audience  []string `json:"audience"`
	StartedAt string   `json:"started_at"`
	UpdatedAt string   `json:"updated_at"`
	MessageZH string   `json:"message_zh"`
	MessageEN string   `json:"message_en"`
	AckedBy   string   `json:"acked_by"`
	Note      string   `json:"note"`
	Count     int      `json:"count"`
	Event     string   `json:"event"`
}

// subscribeAlerts subscribes to every alert topic and returns the channel
// the alerts arrive on.
func subscribeAlerts(t testing.TB, brokerURL, id string) <-chan alertMsg {
	t.Helper()
	ch := make(chan alertMsg, 10000)
	o := paho.NewClientOptions().AddBroker(brokerURL).SetClientID(id).SetCleanSession(true)
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("alert subscriber: %v", tok.Error())
	}
	tok := c.Subscribe("campus/alerts/#", 1, func(_ paho.Client, m paho.Message) {
		var a alertMsg
		if err := json.Unmarshal(m.Payload(), &a); err == nil {
			ch <- a
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("alert subscribe: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return ch
}

// waitAlert returns the first alert on ch matching ok.
func waitAlert(t testing.TB, ch <-chan alertMsg, within time.Duration, what string, ok func(alertMsg) bool) alertMsg {
	t.Helper()
	within = max(within, time.Minute) // a loaded machine; ends as soon as ok holds
	deadline := time.After(within)
	for {
		select {
		case a := <-ch:
			if ok(a) {
				return a
			}
		case <-deadline:
			t.Fatalf("no %s on the alert topic within %s", what, within)
		}
	}
}

func panicPayload(id string, ts time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"ts":%q,"type":"alarm.panic"}`, id, ts.Format(time.RFC3339Nano)))
}

// TestPanicToAlertTopicAndBack: a panic press published through real
// Mosquitto comes out as a P0 alert on campus/alerts/{region}/{school};
// acknowledging and resolving it through the HTTP API publishes those
// changes too (the closed loop).
func TestPanicToAlertTopicAndBack(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	a := startApp(t, baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket()))
	alerts := subscribeAlerts(t, mq.URL(), "police-platform")

	var alarm *devices.Device
	for i := range reg.Schools[0].Devices {
		if d := &reg.Schools[0].Devices[i]; d.Kind == devices.KindAlarm {
			alarm = d
			break
		}
	}
	s := alarm.School()
	pub := newPublisher(t, mq.URL(), "panic-pub")
	pub.publishAll(t, []sample{{topic: topicOf(alarm, devices.ChannelEvent), payload: panicPayload("press-1", time.Now())}})

	got := waitAlert(t, alerts, 30*time.Second, "panic alert", func(m alertMsg) bool { return m.Rule == "alarm_panic" })
	if got.Severity != "P0" || got.State != "firing" || got.Event != "fired" || got.Region != s.Region || got.School != s.ID ||
		got.Device != alarm.ID || got.MessageZH == "" || got.MessageEN == "" || len(got.Audience) != 3 {
		t.Fatalf("panic alert = %+v", got)
	}

	base := "http://" + a.http.Addr() + "/api/v1/alerts/" + got.ID
	post := func(path, body string) int {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/ack", `{"note":"民警已出警 / officers dispatched"}`); code != http.StatusOK {
		t.Fatalf("ack: HTTP %d", code)
	}
	ack := waitAlert(t, alerts, 30*time.Second, "acknowledgement", func(m alertMsg) bool { return m.ID == got.ID && m.Event == "acknowledged" })
	if ack.State != "acknowledged" || ack.AckedBy != "admin" {
		t.Errorf("acknowledged alert = %+v", ack)
	}
	// A second press while acknowledged: on the topic as "repeated", firing
	// again. Its redelivery (same event id) is not a press: the next change
	// of the alert on the topic is the second acknowledgement.
	press2 := panicPayload("press-2", time.Now())
	pub.publishAll(t, []sample{{topic: topicOf(alarm, devices.ChannelEvent), payload: press2}})
	rep := waitAlert(t, alerts, 30*time.Second, "repeated press", func(m alertMsg) bool { return m.ID == got.ID })
	if rep.Event != "repeated" || rep.State != "firing" || rep.Count != 2 {
		t.Fatalf("second press on the topic = %+v, want repeated, firing, count 2", rep)
	}
	// Then a redelivery of press 2 and a third press, in order on one
	// topic: only the third counts, so after it (count 3) the next change
	// is the acknowledgement, not another repeat (count 4).
	pub.publishAll(t, []sample{{topic: topicOf(alarm, devices.ChannelEvent), payload: press2},
		{topic: topicOf(alarm, devices.ChannelEvent), payload: panicPayload("press-3", time.Now())}})
	rep = waitAlert(t, alerts, 30*time.Second, "third press", func(m alertMsg) bool { return m.ID == got.ID })
	if rep.Event != "repeated" || rep.Count != 3 {
		t.Fatalf("third press on the topic = %+v, want repeated, count 3", rep)
	}
	if code := post("/ack", `{"note":"再次出警 / dispatched again"}`); code != http.StatusOK {
		t.Fatalf("second ack: HTTP %d", code)
	}
	ack2 := waitAlert(t, alerts, 30*time.Second, "second acknowledgement", func(m alertMsg) bool { return m.ID == got.ID })
	if ack2.Event != "acknowledged" || ack2.Count != 3 {
		t.Fatalf("after the presses = %+v, want acknowledged with count 3 (a redelivery counted?)", ack2)
	}
	if code := post("/resolve", `{}`); code != http.StatusBadRequest {
		t.Errorf("resolve without a note: HTTP %d, want 400", code)
	}
	if code := post("/resolve", `{"note":"误触，已核实 / pressed by mistake, checked on site"}`); code != http.StatusOK {
		t.Fatalf("resolve: HTTP %d", code)
	}
	res := waitAlert(t, alerts, 30*time.Second, "resolution", func(m alertMsg) bool { return m.ID == got.ID && m.Event == "resolved" })
	if res.State != "resolved" || res.Note == "" {
		t.Errorf("resolved alert = %+v", res)
	}
	// The history is in InfluxDB's alert measurement.
	eventually(t, 30*time.Second, "alert history in InfluxDB", func() (bool, string) {
		n := db.Count(t, "alert")
		return n >= 3, fmt.Sprintf("%d alert points", n)
	})
}
