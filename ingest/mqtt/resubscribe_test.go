package mqtt

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/prometheus/client_golang/prometheus"
)

// flakySubscribeHook makes an in-process broker refuse the first SUBSCRIBEs
// (SUBACK 0x80) or hold the first one back past the subscriber's timeout,
// which Mosquitto cannot be told to do.
type flakySubscribeHook struct {
	mochi.HookBase
	refuse  atomic.Int32  // SUBSCRIBE filters still to refuse
	stall   chan struct{} // when set, the first SUBSCRIBE waits until it is closed
	stalled atomic.Bool
}

func (h *flakySubscribeHook) ID() string { return "flaky-subscribe" }

func (h *flakySubscribeHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mochi.OnConnectAuthenticate, mochi.OnACLCheck, mochi.OnSubscribe}, []byte{b})
}

func (h *flakySubscribeHook) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }

// OnACLCheck refuses reads (subscriptions come first in these tests) while
// refuse lasts.
func (h *flakySubscribeHook) OnACLCheck(_ *mochi.Client, _ string, write bool) bool {
	return write || h.refuse.Add(-1) < 0
}

func (h *flakySubscribeHook) OnSubscribe(_ *mochi.Client, pk packets.Packet) packets.Packet {
	if h.stall != nil && h.stalled.CompareAndSwap(false, true) {
		<-h.stall
	}
	return pk
}

// startFlakyBroker runs an in-process broker with hook until the test ends.
func startFlakyBroker(t *testing.T, hook *flakySubscribeHook) string {
	t.Helper()
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(hook, nil); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddListener(listeners.NewNet("test", ln)); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if hook.stall != nil && !hook.stalled.Load() {
			close(hook.stall)
		}
		_ = srv.Close()
	})
	return "tcp://" + ln.Addr().String()
}

// TestSubscriberRetriesFailedSubscribe checks a SUBSCRIBE the broker refuses
// or does not answer in time is retried on the same connection: the
// subscriber neither reports itself subscribed meanwhile nor gives up.
func TestSubscriberRetriesFailedSubscribe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		refuse     int32
		stall      bool
		wantErrors float64
	}{
		{"refused once", 1, false, 1},
		{"refused twice", 2, false, 2},
		{"SUBACK later than connect_timeout", 0, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hook := &flakySubscribeHook{}
			hook.refuse.Store(tc.refuse)
			if tc.stall {
				hook.stall = make(chan struct{})
			}
			url := startFlakyBroker(t, hook)
			reg := prometheus.NewRegistry()
			o := testOptions(t, url, "cg-test-resubscribe")
			o.ConnectTimeout, o.Registerer = 500*time.Millisecond, reg
			got := newReceived()
			s, err := New(o, ackAll(got))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- s.Run(ctx) }()
			t.Cleanup(func() {
				cancel()
				if err := <-errc; err != nil {
					t.Errorf("Run: %v", err)
				}
			})

			waitFor(t, "a failed subscribe", func() (bool, string) {
				return gaugeValue(t, reg, "campusguard_mqtt_subscribe_errors_total") >= 1, "no subscribe error yet"
			})
			if tc.stall {
				if s.Connected() {
					t.Error("Connected() while the SUBSCRIBE is unanswered")
				}
				close(hook.stall)
			}
			waitFor(t, "subscribed after retrying", func() (bool, string) { return s.Connected(), "not subscribed" })
			if v := gaugeValue(t, reg, "campusguard_mqtt_subscribe_errors_total"); v != tc.wantErrors {
				t.Errorf("subscribe errors = %v, want %v", v, tc.wantErrors)
			}
			if v := gaugeValue(t, reg, "campusguard_mqtt_connects_total"); v != 1 {
				t.Errorf("connects = %v, want 1: retrying must not reconnect", v)
			}

			newPublisher(t, url, "pub-resubscribe").publish(t, topic, "after-retry")
			waitFor(t, "message through the retried subscription", func() (bool, string) { return got.has("after-retry") })
		})
	}
}
