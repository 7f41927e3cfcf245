package notify

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/ingest/testenv"
)

func TestMQTTOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*MQTTOptions)
		want string
	}{
		{"no broker", func(o *MQTTOptions) { o.Broker = "" }, "broker is required"},
		{"bad scheme", func(o *MQTTOptions) { o.Broker = "http://h:1883" }, "broker scheme"},
		{"no host", func(o *MQTTOptions) { o.Broker = "tcp://" }, "no host"},
		{"no client id", func(o *MQTTOptions) { o.ClientID = "" }, "client_id"},
		{"cert without key", func(o *MQTTOptions) { o.CertFile = "c.pem" }, "cert_file and key_file"},
		{"keep alive", func(o *MQTTOptions) { o.KeepAlive = time.Millisecond }, "keep_alive"},
		{"publish timeout", func(o *MQTTOptions) { o.PublishTimeout = 0 }, "publish_timeout"},
		{"missing ca file", func(o *MQTTOptions) { o.CAFile = "/nonexistent/ca.pem" }, "ca_file"},
	} {
		o := MQTTDefaults()
		o.Broker = "ssl://broker.example:8883"
		tc.edit(&o)
		if _, err := NewMQTTNotifier(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.want)
		}
	}
}

// TestMQTTNotConnected: before Connect (or while the broker is away) a
// notification is retryable, and a bad topic level is not.
func TestMQTTNotConnected(t *testing.T) {
	o := MQTTDefaults()
	o.Broker = "tcp://127.0.0.1:1"
	m, err := NewMQTTNotifier(o)
	if err != nil {
		t.Fatal(err)
	}
	retry, err := m.Notify(context.Background(), Notification{Alert: panicAlert(), Event: EventFired})
	if !retry || !errors.Is(err, ErrNotConnected) {
		t.Errorf("Notify = %v, %v; want retry with ErrNotConnected", retry, err)
	}
	bad := panicAlert()
	bad.School = "a/b"
	if retry, err := m.Notify(context.Background(), Notification{Alert: bad}); retry || !errors.Is(err, ErrInvalid) {
		t.Errorf("bad topic: Notify = %v, %v; want no retry with ErrInvalid", retry, err)
	}
	m.Close() // before Connect: a no-op
}

// subscriber is a test client on campus/alerts/#; it subscribes again on
// every connection and reports each SUBACK on subscribed.
type subscriber struct {
	client     paho.Client
	msgs       chan paho.Message
	subscribed chan struct{}
}

// A persistent subscriber keeps its session (and the QoS 1 messages queued
// for it) across a broker restart.
func subscribe(t *testing.T, broker string, persistent bool) *subscriber {
	t.Helper()
	s := &subscriber{msgs: make(chan paho.Message, 100), subscribed: make(chan struct{}, 10)}
	o := paho.NewClientOptions().AddBroker(broker).SetClientID("test-police-platform").SetCleanSession(!persistent).
		SetAutoReconnect(true).SetMaxReconnectInterval(200 * time.Millisecond).SetConnectRetry(true).SetConnectRetryInterval(100 * time.Millisecond)
	o.SetOnConnectHandler(func(c paho.Client) {
		tok := c.Subscribe(TopicPrefix+"/#", 1, func(_ paho.Client, m paho.Message) { s.msgs <- m })
		go func() {
			if tok.WaitTimeout(waitTimeout) && tok.Error() == nil {
				s.subscribed <- struct{}{}
			}
		}()
	})
	s.client = paho.NewClient(o)
	s.client.Connect()
	t.Cleanup(func() { s.client.Disconnect(100) })
	recv(t, s.subscribed, "the test subscriber's SUBACK")
	return s
}

// TestMQTTIntegration: Send → a police platform subscribed to
// campus/alerts/# receives the alert JSON with every field of docs/alerts.md,
// on campus/alerts/{region}/{school}, QoS 1, not retained; and an alert for
// the market audience only reaches the topic too.
func TestMQTTIntegration(t *testing.T) {
	broker := testenv.Mosquitto(t)
	sub := subscribe(t, broker.URL(), false)

	o := MQTTDefaults()
	o.Broker, o.ClientID = broker.URL(), "test-campusguard-alerts"
	mq, err := NewMQTTNotifier(o)
	if err != nil {
		t.Fatal(err)
	}
	police := newFake(nil)
	d, err := NewDispatcher(Options{}, []Route{
		{Name: "alert-topic", Notifier: mq},
		{Name: "police", Audiences: []alerting.Audience{alerting.Police}, Notifier: police},
	})
	if err != nil {
		t.Fatal(err)
	}
	start(t, d)

	resolved := resolvedAlert()
	d.Send(Notification{Alert: resolved, Event: EventResolved})
	m := recv(t, sub.msgs, "the alert on the topic")
	if m.Topic() != "campus/alerts/130802/cd-shuangqiao-no1" || m.Qos() != 1 || m.Retained() {
		t.Errorf("topic %s qos %d retained %v; want campus/alerts/130802/cd-shuangqiao-no1, QoS 1, not retained", m.Topic(), m.Qos(), m.Retained())
	}
	want, _ := Marshal(Notification{Alert: resolved, Event: EventResolved})
	if string(m.Payload()) != string(want) {
		t.Errorf("payload\n%s\nwant\n%s", m.Payload(), want)
	}
	var got map[string]any
	if err := json.Unmarshal(m.Payload(), &got); err != nil {
		t.Fatal(err)
	}
	rfc := func(tm time.Time) string { return tm.Format(time.RFC3339Nano) }
	fields := map[string]any{ // docs/alerts.md "Alerts out"
		"id": resolved.ID, "rule": "gate_forced", "severity": "P1", "state": "resolved",
		"region": "130802", "school": "cd-shuangqiao-no1", "device": "gate-east",
		"audience":   []any{"police", "school"},
		"started_at": rfc(resolved.StartedAt), "updated_at": rfc(resolved.UpdatedAt), "resolved_at": rfc(*resolved.ResolvedAt),
		"message_zh": "东门被强行打开", "message_en": "East gate forced open",
		"acked_by": "police-130802-duty", "note": resolved.Note,
		"event": "resolved",
	}
	for k, v := range fields {
		gv, ok := got[k]
		if !ok {
			t.Errorf("field %s missing", k)
			continue
		}
		gj, _ := json.Marshal(gv)
		wj, _ := json.Marshal(v)
		if string(gj) != string(wj) {
			t.Errorf("%s = %s, want %s", k, gj, wj)
		}
	}
	recv(t, police.delivered, "the police webhook")

	kitchen := alertWith("kitchen-1", alerting.P2, "130881", alerting.Market)
	kitchen.School = "pq-no3"
	d.Send(Notification{Alert: kitchen, Event: EventFired})
	if m := recv(t, sub.msgs, "the market-only alert"); m.Topic() != "campus/alerts/130881/pq-no3" {
		t.Errorf("market-only alert on %s", m.Topic())
	}
}

// TestMQTTBrokerOutage: while the broker is down a delivery fails as
// retryable; the Dispatcher keeps retrying and delivers once it is back.
func TestMQTTBrokerOutage(t *testing.T) {
	broker := testenv.MosquittoWith(t, testenv.MosquittoOptions{Persistence: true})
	sub := subscribe(t, broker.URL(), true)
	o := MQTTDefaults()
	o.Broker, o.ClientID = broker.URL(), "test-campusguard-alerts"
	o.MaxReconnect, o.PublishTimeout = 200*time.Millisecond, 500*time.Millisecond
	mq, err := NewMQTTNotifier(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := mq.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer mq.Close()

	broker.Stop(t)
	direct := panicAlert()
	direct.ID = "direct"
	retry, err := mq.Notify(ctx, Notification{Alert: direct, Event: EventFired})
	if !retry || err == nil {
		t.Fatalf("Notify with the broker down = %v, %v; want a retryable error", retry, err)
	}

	d, fw := newTestDispatcher(t, Options{MaxAttempts: 1 << 20}, []Route{{Name: "alert-topic", Notifier: mq}})
	d.wait = func(ctx context.Context, _ time.Duration) error { // short real waits while paho reconnects
		_ = fw.wait(ctx, 0)
		return sleep(ctx, 20*time.Millisecond)
	}
	start(t, d)
	d.Send(Notification{Alert: panicAlert(), Event: EventFired})
	broker.Start(t)
	for {
		m := recv(t, sub.msgs, "the alert after the outage")
		var a alerting.Alert
		if err := json.Unmarshal(m.Payload(), &a); err == nil && a.ID == panicAlert().ID {
			break // paho may also resend the "direct" publish after reconnecting: at-least-once
		}
	}
	if len(fw.get()) == 0 {
		t.Error("delivered without a retry while the broker was down")
	}
}
