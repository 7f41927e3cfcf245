package mqtt

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// topic is a device event topic that DeviceTopic matches.
const topic = "campus/130802/sq-no1-primary/access/gate-01/event"

// ackAll is a handler that records and acknowledges every message.
func ackAll(r *received) Handler {
	return func(m Message) {
		r.add(m)
		m.Ack()
	}
}

func TestSubscriberReceivesAndAcknowledges(t *testing.T) {
	t.Parallel()
	broker := testenv.MosquittoWith(t, testenv.MosquittoOptions{Config: []string{"log_type debug"}})
	o := testOptions(t, broker.URL(), "cg-test-ack")
	got := newReceived()
	sub := start(t, o, ackAll(got))

	msgs := payloads("m", 1000)
	newPublisher(t, broker.URL(), "pub-ack").publish(t, topic, msgs...)
	waitFor(t, "all 1,000 messages received", func() (bool, string) { return got.has(msgs...) })
	for _, p := range msgs {
		if n := got.Count(p); n != 1 {
			t.Fatalf("%s received %d times", p, n)
		}
	}
	// paho writes acknowledgements on its own schedule and a disconnect may
	// overtake the last ones (a shutdown's redelivery is deduplicated in
	// production); wait until the broker has every PUBACK, so what follows
	// tests that an acknowledgement releases the broker's copy.
	waitFor(t, "the broker got 1,000 PUBACKs", func() (bool, string) {
		n := strings.Count(broker.Log(t), "Received PUBACK from cg-test-ack")
		return n >= len(msgs), fmt.Sprintf("%d PUBACKs", n)
	})
	sub.stop(t)

	// Every message was acknowledged: the persistent session has nothing
	// to redeliver, so a message published now is the first to arrive.
	got2 := newReceived()
	start(t, o, ackAll(got2))
	newPublisher(t, broker.URL(), "pub-ack-2").publish(t, topic, "marker")
	waitFor(t, "marker received", func() (bool, string) { return got2.has("marker") })
	if before := got2.Before("marker"); len(before) != 0 {
		t.Fatalf("%d acknowledged messages redelivered, e.g. %q", len(before), before[0])
	}
}

func TestSubscriberPersistentSessionRedeliversUnacked(t *testing.T) {
	t.Parallel()
	broker := testenv.Mosquitto(t)
	o := testOptions(t, broker.URL(), "cg-test-session")
	pub := newPublisher(t, broker.URL(), "pub-session")

	msgs := payloads("u", 100)
	var acked, unacked []string
	hold := map[string]bool{}
	for i, p := range msgs {
		if i%2 == 1 {
			unacked = append(unacked, p)
			hold[p] = true
		} else {
			acked = append(acked, p)
		}
	}
	got1 := newReceived()
	first := start(t, o, func(m Message) {
		got1.add(m)
		if !hold[string(m.Payload())] {
			m.Ack()
		}
	})
	pub.publish(t, topic, msgs...)
	waitFor(t, "first subscriber received all", func() (bool, string) { return got1.has(msgs...) })
	first.stop(t)

	// Published while no one is subscribed: the session queues them.
	queued := payloads("q", 20)
	pub.publish(t, topic, queued...)

	got2 := newReceived()
	start(t, o, ackAll(got2))
	want := append(append([]string(nil), unacked...), queued...)
	waitFor(t, "unacknowledged and queued messages delivered to the new subscriber", func() (bool, string) {
		return got2.has(want...)
	})
	for _, p := range unacked {
		if !got2.Dup(p) {
			t.Errorf("redelivered %s without the DUP flag", p)
		}
	}
	pub.publish(t, topic, "marker")
	waitFor(t, "marker received", func() (bool, string) { return got2.has("marker") })
	for _, p := range acked {
		if n := got2.Count(p); n != 0 {
			t.Errorf("acknowledged %s redelivered %d times", p, n)
		}
	}
	for _, p := range want {
		if n := got2.Count(p); n != 1 {
			t.Errorf("%s delivered %d times to the new subscriber, want 1", p, n)
		}
	}
}

func TestSubscriberReconnectsAndResubscribes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		persistent bool // the broker keeps sessions and in-flight messages across its restart
	}{
		{"broker with persistence keeps the session", true},
		{"broker without persistence forgets the subscription", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			broker := testenv.MosquittoWith(t, testenv.MosquittoOptions{Persistence: tc.persistent})
			reg := prometheus.NewRegistry()
			o := testOptions(t, broker.URL(), "cg-test-reconnect")
			o.Registerer = reg
			got := newReceived()
			sub := start(t, o, func(m Message) {
				got.add(m)
				// "held" stays unacknowledged on its first delivery.
				if string(m.Payload()) != "held" || got.Count("held") > 1 {
					m.Ack()
				}
			})
			if v := gaugeValue(t, reg, "campusguard_mqtt_connected"); v != 1 {
				t.Errorf("connected gauge = %v while subscribed", v)
			}

			pub := newPublisher(t, broker.URL(), "pub-before")
			pub.publish(t, topic, "before", "held")
			waitFor(t, "messages before the restart", func() (bool, string) { return got.has("before", "held") })

			broker.Stop(t)
			waitFor(t, "Connected() false while the broker is down", func() (bool, string) {
				return !sub.Connected(), "still connected"
			})
			if v := gaugeValue(t, reg, "campusguard_mqtt_connected"); v != 0 {
				t.Errorf("connected gauge = %v while the broker is down", v)
			}
			broker.Start(t)
			waitFor(t, "Connected() true after the broker restarted", func() (bool, string) {
				return sub.Connected(), "not connected"
			})

			newPublisher(t, broker.URL(), "pub-after").publish(t, topic, "after")
			waitFor(t, "message published after the restart", func() (bool, string) { return got.has("after") })
			if tc.persistent {
				waitFor(t, "unacknowledged message redelivered after the broker restart", func() (bool, string) {
					return got.Count("held") == 2, "held delivered once"
				})
			}
			for _, c := range []struct {
				name string
				min  float64
			}{
				{"campusguard_mqtt_connects_total", 2},
				{"campusguard_mqtt_connection_lost_total", 1},
				{"campusguard_mqtt_reconnect_attempts_total", 1},
				{"campusguard_mqtt_connected", 1},
				{"campusguard_mqtt_subscribe_errors_total", 0},
			} {
				if v := gaugeValue(t, reg, c.name); v < c.min {
					t.Errorf("%s = %v, want >= %v", c.name, v, c.min)
				}
			}
		})
	}
}

// TestSubscriberRunStopsWhileConnecting checks Run, retrying an
// unreachable broker, returns once its context ends.
func TestSubscriberRunStopsWhileConnecting(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := New(testOptions(t, "tcp://"+addr, "cg-test-unreachable"), func(Message) {})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return after cancel")
	}
	if s.Connected() {
		t.Error("Connected() true without a broker")
	}
}

// TestSubscriberRunTLSConfigErrors checks Run refuses unusable TLS files,
// naming the option, before it connects anywhere.
func TestSubscriberRunTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"ca_file missing", func(o *Options) { o.CAFile = filepath.Join(dir, "nope.pem") }, "ca_file"},
		{"ca_file without certificates", func(o *Options) { o.CAFile = junk }, "no certificates"},
		{"cert_file and key_file unusable", func(o *Options) { o.CertFile, o.KeyFile = junk, junk }, "cert_file/key_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t, "ssl://127.0.0.1:1", "cg-test-tls")
			tc.edit(&o)
			s, err := New(o, func(Message) {})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			err = s.Run(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// Overlapping filters (a county's wildcard beside the city's) are one
// subscription to the handler: the broker sends a message once per client,
// and the subscriber must hand it over once, not once per matching filter.
func TestSubscriberOverlappingFiltersDeliverOnce(t *testing.T) {
	t.Parallel()
	broker := testenv.Mosquitto(t)
	o := testOptions(t, broker.URL(), "cg-test-overlap")
	o.Topics = []string{"campus/+/+/+/+/+", "campus/130802/#"}
	got := newReceived()
	start(t, o, ackAll(got))

	msgs := payloads("o", 50)
	newPublisher(t, broker.URL(), "pub-overlap").publish(t, topic, msgs...)
	newPublisher(t, broker.URL(), "pub-overlap-marker").publish(t, topic, "marker")
	waitFor(t, "all messages and the marker received", func() (bool, string) { return got.has(append(msgs, "marker")...) })
	for _, p := range append(msgs, "marker") {
		if n := got.Count(p); n != 1 {
			t.Fatalf("%s handed to the handler %d times, want once", p, n)
		}
	}
}
