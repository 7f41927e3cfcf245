package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// subscribe connects a subscriber to url for filter and returns a channel
// receiving every message.
func subscribe(t *testing.T, url, filter string, buffer int) <-chan mqtt.Message {
	t.Helper()
	got := make(chan mqtt.Message, buffer)
	o := mqtt.NewClientOptions().AddBroker(url).SetClientID("sim-test-sub-" + strconv.Itoa(int(time.Now().UnixNano()%1e6))).
		SetCleanSession(true).SetAutoReconnect(false)
	c := mqtt.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscriber connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	if tok := c.Subscribe(filter, 1, func(_ mqtt.Client, m mqtt.Message) { got <- m }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	return got
}

// receive reads n messages or fails after timeout.
func receive(t *testing.T, got <-chan mqtt.Message, n int, timeout time.Duration) []mqtt.Message {
	t.Helper()
	out := make([]mqtt.Message, 0, n)
	deadline := time.After(timeout)
	for len(out) < n {
		select {
		case m := <-got:
			out = append(out, m)
		case <-deadline:
			t.Fatalf("received %d of %d messages in %s", len(out), n, timeout)
		}
	}
	return out
}

func TestMQTTPublisher(t *testing.T) {
	broker := testenv.Mosquitto(t)
	const n, topics = 20000, 100
	got := subscribe(t, broker.URL(), "campus/#", n+1)

	pub, err := NewMQTTPublisher(broker.URL(), 4, 1, WithInFlight(256), WithClientID("sim-test-pub"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pub.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range n {
		topic := fmt.Sprintf("campus/130802/cd-%04d/access/cd-%04d-gate-1/event", i%topics, i%topics)
		if err := pub.Publish(ctx, topic, 1, false, []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := pub.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if st := pub.Stats(); st.Acked != n || st.Failed != 0 || st.InFlight != 0 {
		t.Fatalf("stats %+v, want %d acked", st, n)
	}
	t.Logf("%d QoS 1 messages confirmed in %s (%.0f msg/s)", n, elapsed, n/elapsed.Seconds())

	// Every message arrives once, and each topic's messages in order (a
	// topic always goes over the same connection).
	last := map[string]int{}
	for _, m := range receive(t, got, n, 30*time.Second) {
		v, _ := strconv.Atoi(string(m.Payload()))
		if prev, ok := last[m.Topic()]; ok && v <= prev {
			t.Fatalf("%s: %d after %d", m.Topic(), v, prev)
		}
		last[m.Topic()] = v
	}
	if len(last) != topics {
		t.Fatalf("%d topics, want %d", len(last), topics)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(ctx, "campus/x", 1, false, nil); !errors.Is(err, ErrPublisherClosed) {
		t.Fatalf("publish after close: %v", err)
	}
}

// TestRunPublishesToMosquitto drives a Simulator through the MQTT publisher
// on a fake clock: everything it counts arrives, retained status included.
func TestRunPublishesToMosquitto(t *testing.T) {
	broker := testenv.Mosquitto(t)
	pub, err := NewMQTTPublisher(broker.URL(), 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := pub.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	got := subscribe(t, broker.URL(), "campus/#", 100000)

	clock := newFakeClock(time.Now())
	s, err := New(Options{Registry: testRegistry(t), Start: at(monday, 7, 30), Speed: 60, Clock: clock, Seed: 1}, pub)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	for range 300 { // 3 wall seconds, 3 virtual minutes of the morning peak
		<-clock.waiting
		clock.Advance(runTick)
	}
	<-clock.waiting
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	flushCtx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := pub.Flush(flushCtx); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Errors != 0 || st.Published == 0 {
		t.Fatalf("stats %+v", st)
	}
	msgs := receive(t, got, int(st.Published), 30*time.Second)
	retained := 0
	for _, m := range msgs {
		if strings.HasSuffix(m.Topic(), "/status") {
			retained++
		}
	}
	if retained != testRegistry(t).DeviceCount() {
		t.Errorf("%d status messages, want one per device", retained)
	}
	// A late subscriber still gets every device's retained status.
	late := subscribe(t, broker.URL(), "campus/+/+/+/+/status", 100)
	for _, m := range receive(t, late, retained, 10*time.Second) {
		if !m.Retained() || !strings.Contains(string(m.Payload()), `"status":"online"`) {
			t.Fatalf("late status %s: retained %v %s", m.Topic(), m.Retained(), m.Payload())
		}
	}
}

func TestMQTTPublisherReconnects(t *testing.T) {
	broker := testenv.Mosquitto(t)
	pub, err := NewMQTTPublisher(broker.URL(), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pub.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	broker.Stop(t)
	broker.Start(t)
	// Published while paho reconnects, or after: confirmed once it is back.
	for i := range 100 {
		err := pub.Publish(ctx, "campus/130802/cd-0001/alarm/cd-0001-alarm-1/heartbeat", 1, false, []byte(strconv.Itoa(i)))
		if err != nil && !errors.Is(err, mqtt.ErrNotConnected) {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := pub.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// Messages taken while paho reconnects wait in its store and go out
	// once it is back.
	if st := pub.Stats(); st.Acked == 0 || st.Acked+st.Failed != 100 || st.InFlight != 0 {
		t.Fatalf("after the restart: %+v, want the 100 messages settled, most confirmed", st)
	}
}

func TestMQTTPublisherConnectFails(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	pub, err := NewMQTTPublisher("tcp://"+addr, 2, 1, WithLogger(zerologNop()))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pub.Connect(ctx); err == nil {
		t.Fatal("connect to a closed port succeeded")
	}
	err = pub.Publish(ctx, "campus/x", 1, false, []byte("{}"))
	if !errors.Is(err, mqtt.ErrNotConnected) {
		t.Fatalf("publish while not connected: %v, want ErrNotConnected", err)
	}
	if st := pub.Stats(); st.Failed != 1 || st.InFlight != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNewMQTTPublisherValidates(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		clients int
		qos     byte
		opts    []MQTTOption
		want    string
	}{
		{"no scheme", "localhost:1883", 1, 1, nil, "want scheme://host:port"},
		{"bad scheme", "http://localhost:1883", 1, 1, nil, `unsupported scheme "http"`},
		{"no clients", "tcp://localhost:1883", 0, 1, nil, "clients must be at least 1: 0"},
		{"qos 3", "tcp://localhost:1883", 1, 3, nil, "qos value must be 0, 1, or 2: 3"},
		{"in-flight 0", "tcp://localhost:1883", 1, 1, []MQTTOption{WithInFlight(0)}, "in-flight must be between 1 and 65535: 0"},
		{"empty client id", "tcp://localhost:1883", 1, 1, []MQTTOption{WithClientID("")}, "client id prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMQTTPublisher(tt.url, tt.clients, tt.qos, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewMQTTPublisher: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// BenchmarkMQTTPublisher measures QoS 1 throughput into a real Mosquitto
// with nobody subscribed: pre-rendered simulator payloads over 1 and 4
// connections.
func BenchmarkMQTTPublisher(b *testing.B) {
	broker := testenv.Mosquitto(b)
	s, err := New(Options{Registry: testRegistry(b), Start: at(monday, 7, 0), Rate: 1e6, Seed: 1}, nil)
	if err != nil {
		b.Fatal(err)
	}
	type rendered struct {
		topic    string
		retained bool
		payload  []byte
	}
	var msgs []rendered
	s.Step(at(monday, 7, 0).Add(100*time.Millisecond), func(topic string, retained bool, payload []byte) {
		msgs = append(msgs, rendered{topic, retained, append([]byte(nil), payload...)})
	})
	for _, clients := range []int{1, 4} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			pub, err := NewMQTTPublisher(broker.URL(), clients, 1)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if err := pub.Connect(ctx); err != nil {
				b.Fatal(err)
			}
			defer pub.Close()
			b.ResetTimer()
			for i := range b.N {
				m := msgs[i%len(msgs)]
				if err := pub.Publish(ctx, m.topic, 1, m.retained, m.payload); err != nil {
					b.Fatal(err)
				}
			}
			if err := pub.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			if st := pub.Stats(); st.Failed != 0 {
				b.Fatalf("stats %+v", st)
			}
		})
	}
}
