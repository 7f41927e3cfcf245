package broker

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 30 * time.Second

const topic = "campus/130802/sq-no1-primary/access/gate-01/event"

// running is an embedded broker whose Run goroutine the test owns.
type running struct {
	*Broker
	cancel context.CancelFunc
	errc   chan error
	once   sync.Once
}

// startBroker listens on a free loopback port and runs the broker until
// stop or the end of the test.
func startBroker(t *testing.T) *running {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("broker log:\n%s", logs)
		}
	})
	b, err := New(Options{Addr: "127.0.0.1:0", Logger: zerolog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Broker: b, cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- b.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels Run and waits for it to return.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return within %s of cancel", waitTimeout)
		}
	})
}

// logBuffer collects the broker's log and shows it when the test fails.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// counter counts deliveries by payload.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func newCounter() *counter { return &counter{n: map[string]int{}} }

func (c *counter) handle(_ paho.Client, m paho.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[string(m.Payload())]++
}

// missing returns how many of payloads never arrived, and the first one.
func (c *counter) missing(payloads []string) (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, first := 0, ""
	for _, p := range payloads {
		if c.n[p] == 0 {
			if n == 0 {
				first = p
			}
			n++
		}
	}
	return n, first
}

func (c *counter) count(p string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[p]
}

// connect connects a paho client (auto-ack, no auto-reconnect) and
// disconnects it when the test ends.
func connect(t *testing.T, url, id string, clean bool, h paho.MessageHandler) paho.Client {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(url).SetClientID(id).SetCleanSession(clean).
		SetAutoReconnect(false).SetConnectTimeout(waitTimeout).SetOrderMatters(false)
	if h != nil {
		o.SetDefaultPublishHandler(h)
	}
	c := paho.NewClient(o)
	wait(t, "connect "+id, c.Connect())
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

func wait(t *testing.T, what string, tok paho.Token) {
	t.Helper()
	if !tok.WaitTimeout(waitTimeout) {
		t.Fatalf("%s: no answer within %s", what, waitTimeout)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// publishAll publishes payloads with QoS 1, at most window unacknowledged,
// and returns once the broker has acknowledged all of them.
func publishAll(t *testing.T, c paho.Client, payloads []string) {
	t.Helper()
	const window = 500
	toks := make([]paho.Token, 0, window)
	for i, p := range payloads {
		toks = append(toks, c.Publish(topic, 1, false, p))
		if len(toks) == window || i == len(payloads)-1 {
			for _, tok := range toks {
				wait(t, "publish", tok)
			}
			toks = toks[:0]
		}
	}
}

func payloads(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s (last: %s)", what, waitTimeout, state)
		}
		<-tick.C
	}
}

func allArrived(c *counter, want []string) func() (bool, string) {
	return func() (bool, string) {
		n, first := c.missing(want)
		return n == 0, fmt.Sprintf("%d of %d missing, first %q", n, len(want), first)
	}
}

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		addr    string
		wantErr string
	}{
		{"loopback, free port", "127.0.0.1:0", ""},
		{"all interfaces", ":1883", ""},
		{"no address", "", "addr is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := New(Options{Addr: tc.addr})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New: err = %v, want %q", err, tc.wantErr)
			case err == nil && b.Addr() != tc.addr:
				t.Errorf("Addr() before Listen = %q, want %q", b.Addr(), tc.addr)
			}
		})
	}
}

func TestListenReportsAddress(t *testing.T) {
	b, err := New(Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.ln.Close() })
	host, port, err := net.SplitHostPort(b.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q after Listen, want 127.0.0.1 and the bound port", b.Addr())
	}
	if want := "tcp://127.0.0.1:" + port; b.URL() != want {
		t.Errorf("URL() = %q, want %q", b.URL(), want)
	}

	// The port is taken now: a second broker cannot listen on it or run.
	other, err := New(Options{Addr: b.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Listen(); err == nil || !strings.Contains(err.Error(), "broker: listen") {
		t.Errorf("Listen on a taken port: err = %v", err)
	}
	if err := other.Run(context.Background()); err == nil {
		t.Error("Run on a taken port succeeded")
	}
}

// TestRunListensItself checks Run binds the address when Listen was not
// called.
func TestRunListensItself(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	// Connecting retries until Run has bound the address.
	o := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID("probe").
		SetConnectRetry(true).SetConnectRetryInterval(10 * time.Millisecond).SetConnectTimeout(waitTimeout)
	c := paho.NewClient(o)
	wait(t, "connect", c.Connect())
	c.Disconnect(100)
}

// TestExchangeQoS1 passes 10,000 QoS 1 messages from a publisher to a
// persistent-session subscriber, then stops the broker with its context.
func TestExchangeQoS1(t *testing.T) {
	const n = 10_000
	b := startBroker(t)
	got := newCounter()
	sub := connect(t, b.URL(), "cg-sub", false, got.handle)
	wait(t, "subscribe", sub.Subscribe("campus/+/+/+/+/+", 1, got.handle))
	pub := connect(t, b.URL(), "cg-pub", true, nil)

	msgs := payloads("x", n)
	publishAll(t, pub, msgs)
	waitFor(t, "all messages delivered", allArrived(got, msgs))

	b.stop(t)
	// Run has returned: the listener is closed and clients were dropped.
	waitFor(t, "subscriber dropped by the stopped broker", func() (bool, string) {
		return !sub.IsConnectionOpen(), "subscriber still connected"
	})
	if c, err := net.DialTimeout("tcp", b.Addr(), time.Second); err == nil {
		_ = c.Close()
		t.Error("stopped broker still accepts connections")
	}
}

// TestPersistentSessionQueuesWhileAway checks a clean-session-false
// subscriber that disconnects gets, on reconnecting to the same broker
// process, what was published while it was away, without subscribing
// again.
func TestPersistentSessionQueuesWhileAway(t *testing.T) {
	b := startBroker(t)
	first := newCounter()
	sub := connect(t, b.URL(), "cg-durable", false, first.handle)
	wait(t, "subscribe", sub.Subscribe("campus/#", 1, first.handle))
	pub := connect(t, b.URL(), "cg-pub", true, nil)
	publishAll(t, pub, []string{"present"})
	waitFor(t, "message while connected", allArrived(first, []string{"present"}))
	sub.Disconnect(250)
	// Publish only once the broker has seen the disconnect: a message
	// routed to the closing connection is that connection's, not the
	// session queue's.
	waitFor(t, "broker sees the disconnect", func() (bool, string) {
		return !b.ClientConnected("cg-durable"), "still connected"
	})

	away := payloads("away", 500)
	publishAll(t, pub, away)

	// The broker acknowledges a publish before it has queued the message
	// for every subscriber; a reconnect inside that window loses it
	// (mochi v2.7.9; see docs/ingest.md). Reconnect once all are queued.
	waitFor(t, "all queued for the absent subscriber", func() (bool, string) {
		n := b.Queued("cg-durable")
		return n == len(away), fmt.Sprintf("%d queued", n)
	})
	again := newCounter()
	connect(t, b.URL(), "cg-durable", false, again.handle) // no Subscribe
	waitFor(t, "messages queued while away", allArrived(again, away))
	if n := again.count("present"); n != 0 {
		t.Errorf("message acknowledged before the disconnect redelivered %d times", n)
	}

}
