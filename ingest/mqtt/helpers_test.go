package mqtt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 20 * time.Second

// logBuffer collects a component's log and shows it when the test fails.
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

// testOptions are Defaults for a test broker, with a short reconnect
// interval and a log shown on failure.
func testOptions(t *testing.T, broker, clientID string) Options {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("subscriber %s log:\n%s", clientID, logs)
		}
	})
	o := Defaults()
	o.Broker, o.ClientID = broker, clientID
	o.ConnectTimeout = 5 * time.Second
	o.MaxReconnect = time.Second
	o.Logger = zerolog.New(logs).With().Timestamp().Logger()
	return o
}

// running is a Subscriber whose Run goroutine the test owns.
type running struct {
	*Subscriber
	cancel context.CancelFunc
	errc   chan error
	once   sync.Once
}

// start runs a Subscriber until stop (or the end of the test) and waits
// until it is subscribed.
func start(t testing.TB, o Options, h Handler) *running {
	t.Helper()
	s, err := New(o, h)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Subscriber: s, cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- s.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	waitFor(t, "subscriber "+o.ClientID+" connected", func() (bool, string) {
		select {
		case err := <-r.errc:
			r.errc <- err
			return false, fmt.Sprintf("Run returned %v", err)
		default:
		}
		return s.Connected(), "not connected"
	})
	return r
}

// stop cancels Run and waits for it to return.
func (r *running) stop(t testing.TB) {
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
		if r.Connected() {
			t.Error("Connected() after Run returned")
		}
	})
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t testing.TB, what string, cond func() (bool, string)) {
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

// publisher is a clean-session paho client that publishes QoS 1 and waits
// for the broker's PUBACK.
type publisher struct{ c paho.Client }

func newPublisher(t testing.TB, broker, id string) *publisher {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(broker).SetClientID(id).SetCleanSession(true).
		SetAutoReconnect(false).SetConnectTimeout(waitTimeout).SetOrderMatters(false)
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(waitTimeout) || tok.Error() != nil {
		t.Fatalf("publisher connect %s: %v", broker, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return &publisher{c: c}
}

// publish sends every payload to topic with QoS 1 and returns once the
// broker has accepted them all.
func (p *publisher) publish(t testing.TB, topic string, payloads ...string) {
	t.Helper()
	toks := make([]paho.Token, 0, len(payloads))
	for _, pl := range payloads {
		toks = append(toks, p.c.Publish(topic, 1, false, pl))
	}
	for i, tok := range toks {
		if !tok.WaitTimeout(waitTimeout) || tok.Error() != nil {
			t.Fatalf("publish %q: %v", payloads[i], errors.Join(errors.New("not acknowledged"), tok.Error()))
		}
	}
}

// received records what a handler got, by payload, and whether the broker
// flagged it as a redelivery.
type received struct {
	mu    sync.Mutex
	count map[string]int
	dup   map[string]bool
	order []string
}

func newReceived() *received { return &received{count: map[string]int{}, dup: map[string]bool{}} }

func (r *received) add(m Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := string(m.Payload())
	r.count[p]++
	r.dup[p] = r.dup[p] || m.Duplicate()
	r.order = append(r.order, p)
}

// has reports whether every payload arrived, and which is missing.
func (r *received) has(payloads ...string) (bool, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	missing := 0
	first := ""
	for _, p := range payloads {
		if r.count[p] == 0 {
			if missing == 0 {
				first = p
			}
			missing++
		}
	}
	if missing > 0 {
		return false, fmt.Sprintf("%d of %d missing, first %q", missing, len(payloads), first)
	}
	return true, ""
}

func (r *received) Count(p string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[p]
}

func (r *received) Dup(p string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dup[p]
}

// Before returns the payloads received before p arrived (all when it did
// not).
func (r *received) Before(p string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, q := range r.order {
		if q == p {
			return append([]string(nil), r.order[:i]...)
		}
	}
	return append([]string(nil), r.order...)
}

// payloads returns n distinct payloads "prefix-0".."prefix-(n-1)".
func payloads(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

// gaugeValue reads a gauge or counter from reg.
func gaugeValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if g := m.GetGauge(); g != nil {
			return g.GetValue()
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}
