package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 10 * time.Second

func TestMosquittoPublishSubscribe(t *testing.T) {
	t.Parallel()
	broker := Mosquitto(t)
	if !strings.HasPrefix(broker.URL(), "tcp://127.0.0.1:") || broker.URL() != "tcp://"+broker.Addr() {
		t.Fatalf("URL() = %q, Addr() = %q", broker.URL(), broker.Addr())
	}

	got := make(chan mqtt.Message, 1)
	sub := connect(t, broker, "testenv-sub", true)
	subscribe(t, sub, "campus/+/+/+/+/+", func(_ mqtt.Client, m mqtt.Message) { got <- m })

	pub := connect(t, broker, "testenv-pub", true)
	const topic = "campus/130802/school-1/alarm/dev-1/event"
	publish(t, pub, topic, `{"id":"evt-1","type":"alarm.test"}`)

	select {
	case m := <-got:
		if m.Topic() != topic || string(m.Payload()) != `{"id":"evt-1","type":"alarm.test"}` || m.Qos() != 1 {
			t.Fatalf("got %s %q qos %d", m.Topic(), m.Payload(), m.Qos())
		}
	case <-time.After(waitTimeout):
		t.Fatal("no message within", waitTimeout)
	}
}

func TestMosquittoRestartKeepsPersistentSession(t *testing.T) {
	t.Parallel()
	broker := MosquittoWith(t, MosquittoOptions{Persistence: true})

	// A persistent subscriber goes away; a QoS 1 message is queued for it; the broker restarts.
	sub := connect(t, broker, "testenv-durable", false)
	subscribe(t, sub, "campus/#", func(mqtt.Client, mqtt.Message) {})
	sub.Disconnect(250)
	pub := connect(t, broker, "testenv-pub", true)
	publish(t, pub, "campus/130802/school-1/guard/dev-2/event", "queued")
	pub.Disconnect(250)

	broker.Stop(t)
	if err := dialable(broker.Addr())(); err == nil {
		t.Fatal("broker still accepts connections after Stop")
	}
	broker.Start(t)

	// The session and its queued message survived: they arrive without subscribing again.
	got := make(chan mqtt.Message, 1)
	opts := clientOptions(broker, "testenv-durable", false)
	opts.SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) { got <- m })
	connectWith(t, opts)
	select {
	case m := <-got:
		if string(m.Payload()) != "queued" {
			t.Fatalf("got %q, want %q", m.Payload(), "queued")
		}
	case <-time.After(waitTimeout):
		t.Fatal("queued message not delivered after restart within", waitTimeout)
	}
}

func TestInfluxWriteQueryCount(t *testing.T) {
	t.Parallel()
	db := Influx(t)
	if db.Database() != DefaultDatabase || db.Bucket() != "campusguard/autogen" {
		t.Fatalf("Database() = %q, Bucket() = %q", db.Database(), db.Bucket())
	}
	if db.Count(t, "heartbeat") != 0 {
		t.Fatal("a new database has points")
	}

	db.Write(t, "heartbeat,region=130802,school=school-1,kind=alarm,device=dev-1 battery=97i,linked=true 1764288723000000000\n"+
		"heartbeat,region=130802,school=school-1,kind=alarm,device=dev-2 linked=false 1764288724000000000\n")
	if n := db.Count(t, "heartbeat"); n != 2 {
		t.Fatalf("Count = %d, want 2", n)
	}
	if n := db.CountField(t, "heartbeat", "battery"); n != 1 {
		t.Fatalf("CountField(battery) = %d, want 1", n)
	}

	series := db.Query(t, `SELECT "battery" FROM "heartbeat" WHERE "device" = 'dev-1'`)
	if len(series) != 1 || len(series[0].Values) != 1 {
		t.Fatalf("Query = %+v, want one row", series)
	}
	row := series[0].Values[0]
	if row[0] != "2025-11-28T00:12:03Z" || row[1] != json.Number("97") {
		t.Fatalf("row = %v", row)
	}

	// campusguard writes through the v2 API with bucket "db/rp"; 1.8 must accept that...
	v2 := db.URL() + "/api/v2/write?" + url.Values{"bucket": {db.Bucket()}, "precision": {"ns"}}.Encode()
	resp, body := post(t, v2, "text/plain", "heartbeat,device=dev-3 linked=true 1764288725000000000")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("v2 write: %s: %s", resp.Status, body)
	}
	db.WaitCount(t, "heartbeat", 3, waitTimeout)

	// ...and Flux queries (/api/v2/query) need flux-enabled = true.
	flux := `from(bucket: "campusguard/autogen") |> range(start: 0) |> filter(fn: (r) => r._measurement == "heartbeat" and r._field == "linked") |> count()`
	resp, body = post(t, db.URL()+"/api/v2/query", "application/vnd.flux", flux)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "_value") {
		t.Fatalf("flux query: %s: %s", resp.Status, body)
	}
}

func TestInfluxQueryError(t *testing.T) {
	t.Parallel()
	db := InfluxWith(t, InfluxOptions{Database: "other", DisableFlux: true})
	if db.Bucket() != "other/autogen" {
		t.Fatalf("Bucket() = %q", db.Bucket())
	}
	if _, err := db.query("SELECT FROM nowhere"); err == nil {
		t.Fatal("a malformed query did not fail")
	}
}

func TestInfluxStopStartKeepsData(t *testing.T) {
	t.Parallel()
	db := InfluxWith(t, InfluxOptions{DisableFlux: true})
	db.Write(t, "alarm,device=dev-1 panic=true 1764288723000000000")
	url := db.URL()

	db.Stop(t)
	if _, err := http.Get(url + "/ping"); err == nil {
		t.Fatal("influxd still answers after Stop")
	}
	db.Stop(t) // stopping twice is harmless

	db.Start(t)
	if db.URL() != url {
		t.Fatalf("URL changed across restart: %s -> %s", url, db.URL())
	}
	if n := db.Count(t, "alarm"); n != 1 {
		t.Fatalf("after restart Count = %d, want 1", n)
	}
	db.Write(t, "alarm,device=dev-1 panic=true 1764288724000000000")
	if n := db.Count(t, "alarm"); n != 2 {
		t.Fatalf("Count = %d, want 2", n)
	}
}

func TestMissingBinary(t *testing.T) {
	for _, tc := range []struct {
		name        string
		require     string
		wantSkipped bool
		wantFailed  bool
	}{
		{name: "skips by default", require: "", wantSkipped: true},
		{name: "fails when required", require: "1", wantFailed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvMosquitto, "/nonexistent/mosquitto")
			t.Setenv(EnvInfluxd, "/nonexistent/influxd")
			t.Setenv(EnvRequireServers, tc.require)
			for _, start := range []func(testing.TB){
				func(tb testing.TB) { Mosquitto(tb) },
				func(tb testing.TB) { Influx(tb) },
			} {
				rec := &recordingTB{TB: t}
				done := make(chan struct{})
				go func() {
					defer close(done)
					start(rec)
				}()
				<-done
				if rec.skipped != tc.wantSkipped || rec.failed != tc.wantFailed {
					t.Fatalf("skipped=%v failed=%v (%s), want skipped=%v failed=%v",
						rec.skipped, rec.failed, rec.msg, tc.wantSkipped, tc.wantFailed)
				}
				if !strings.Contains(rec.msg, "/nonexistent/") {
					t.Errorf("message %q does not name the missing binary", rec.msg)
				}
			}
		})
	}
}

func TestConfigs(t *testing.T) {
	mq := mosquittoConfig("T", 1234, "/tmp/x", MosquittoOptions{Persistence: true, Config: []string{"max_queued_messages 1000"}})
	for _, want := range []string{"listener 1234 127.0.0.1\n", "persistence true\n", "persistence_location /tmp/x/\n",
		"max_inflight_messages 1000\n", "allow_anonymous true\n"} {
		if !strings.Contains(mq, want) {
			t.Errorf("mosquitto config lacks %q:\n%s", want, mq)
		}
	}
	if !strings.HasSuffix(mq, "max_queued_messages 1000\n") {
		t.Errorf("extra lines must come last, to override:\n%s", mq)
	}
	ix := influxConfig("T", 1, 2, "/tmp/y", true, false, false)
	for _, want := range []string{`bind-address = "127.0.0.1:2"`, `bind-address = "127.0.0.1:1"`, "flux-enabled = true",
		"reporting-disabled = true", `wal-dir = "/tmp/y/wal"`} {
		if !strings.Contains(ix, want) {
			t.Errorf("influxd config lacks %q:\n%s", want, ix)
		}
	}
	if strings.Contains(ix, "max-values-per-tag") || strings.Contains(ix, "index-version") {
		t.Errorf("influxd's default limits or index changed without NoSeriesLimits or TSI:\n%s", ix)
	}
	if tsi := influxConfig("T", 1, 2, "/tmp/y", true, false, true); !strings.Contains(tsi, "[data]\n  dir = \"/tmp/y/data\"") ||
		!strings.Contains(tsi, "  index-version = \"tsi1\"\n") {
		t.Errorf("TSI: no tsi1 index in [data]:\n%s", tsi)
	}
	if big := influxConfig("T", 1, 2, "/tmp/y", true, true, false); !strings.Contains(big, "[data]\n  dir = \"/tmp/y/data\"") ||
		!strings.Contains(big, "  max-series-per-database = 0\n  max-values-per-tag = 0\n") {
		t.Errorf("NoSeriesLimits: no limits lifted in [data]:\n%s", big)
	}
}

// recordingTB records Skip and Fatal instead of ending the real test.
type recordingTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func clientOptions(broker *MosquittoServer, id string, clean bool) *mqtt.ClientOptions {
	return mqtt.NewClientOptions().
		AddBroker(broker.URL()).
		SetClientID(id).
		SetCleanSession(clean).
		SetAutoReconnect(false).
		SetConnectTimeout(waitTimeout)
}

func connect(t *testing.T, broker *MosquittoServer, id string, clean bool) mqtt.Client {
	t.Helper()
	return connectWith(t, clientOptions(broker, id, clean))
}

func connectWith(t *testing.T, opts *mqtt.ClientOptions) mqtt.Client {
	t.Helper()
	c := mqtt.NewClient(opts)
	wait(t, "connect", c.Connect())
	t.Cleanup(func() { c.Disconnect(250) })
	return c
}

func subscribe(t *testing.T, c mqtt.Client, filter string, h mqtt.MessageHandler) {
	t.Helper()
	wait(t, "subscribe", c.Subscribe(filter, 1, h))
}

func publish(t *testing.T, c mqtt.Client, topic, payload string) {
	t.Helper()
	wait(t, "publish", c.Publish(topic, 1, false, payload))
}

func wait(t *testing.T, what string, tok mqtt.Token) {
	t.Helper()
	if !tok.WaitTimeout(waitTimeout) {
		t.Fatalf("mqtt %s: no answer within %v", what, waitTimeout)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("mqtt %s: %v", what, err)
	}
}

func post(t *testing.T, url, contentType, body string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
