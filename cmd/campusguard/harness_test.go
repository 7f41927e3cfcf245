package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
)

// testRegistry writes a small generated registry to a temp file.
func testRegistry(t testing.TB, schools int) (*devices.Registry, string) {
	t.Helper()
	reg := devices.Generate(devices.GenerateOptions{Schools: schools, Seed: 7})
	path := filepath.Join(t.TempDir(), "registry.yaml")
	if err := writeRegistry(reg, path, nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := devices.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded, path
}

// startApp runs campusguard in-process until the test ends.
func startApp(t testing.TB, c *runConfig) *app {
	t.Helper()
	a, _ := startStoppable(t, c)
	return a
}

// startStoppable runs campusguard in-process until stop is called (or the
// test ends, whichever comes first; stop may be called more than once).
func startStoppable(t testing.TB, c *runConfig) (*app, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *app, 1)
	done := make(chan error, 1)
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	go func() { done <- run(ctx, c, log, func(a *app) { ready <- a }) }()
	var a *app
	select {
	case a = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("campusguard did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("campusguard did not start within 30s")
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("campusguard run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("campusguard did not stop within 30s")
		}
	}
	t.Cleanup(stop)
	// Messages published before the first subscription have no session to
	// wait in: tests publish only once campusguard is subscribed.
	eventually(t, 30*time.Second, "campusguard subscribed", func() (bool, string) {
		return a.ingest.connected(), "not subscribed"
	})
	return a, stop
}

// baseConfig is a run configuration for tests against the given servers.
func baseConfig(t testing.TB, registry, brokerURL, influxURL, bucket string) *runConfig {
	return &runConfig{
		Registry:      registry,
		Broker:        brokerURL,
		BrokerListen:  "127.0.0.1:0",
		MQTTClientID:  "campusguard-test",
		MQTTTopics:    stringList{"campus/+/+/+/+/+"},
		InfluxURL:     influxURL,
		InfluxOrg:     "campusguard",
		InfluxBucket:  bucket,
		SpoolDir:      filepath.Join(t.TempDir(), "spool"),
		SpoolMaxBytes: 256 << 20,
		DeadLetterDir: filepath.Join(t.TempDir(), "dead"),
		HTTP:          "127.0.0.1:0",
		StateDir:      filepath.Join(t.TempDir(), "state"),
		NoAuth:        true,
		DedupWindow:   10 * time.Minute,
		MaxPayload:    16 << 10,
		MaxFuture:     5 * time.Minute,
		MaxAge:        7 * 24 * time.Hour,
		LogFormat:     "json",
		LogLevel:      "warn",
	}
}

// publisher publishes QoS 1 messages and waits for the broker's PUBACK.
type publisher struct {
	c paho.Client
}

func newPublisher(t testing.TB, brokerURL, id string) *publisher {
	t.Helper()
	o := paho.NewClientOptions().AddBroker(brokerURL).SetClientID(id).SetCleanSession(true).
		SetAutoReconnect(true).SetOrderMatters(false).SetMaxResumePubInFlight(1000)
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return &publisher{c: c}
}

// publishAll publishes every message with QoS 1 and waits for all PUBACKs:
// after it returns, the broker has accepted every message.
func (p *publisher) publishAll(t testing.TB, msgs []sample) {
	t.Helper()
	if err := p.publish(msgs); err != nil {
		t.Fatal(err)
	}
}

// publish is publishAll for any goroutine: it returns the first error.
func (p *publisher) publish(msgs []sample) error {
	const window = 500
	var wg sync.WaitGroup
	sem := make(chan struct{}, window)
	var mu sync.Mutex
	var firstErr error
	for _, m := range msgs {
		sem <- struct{}{}
		tok := p.c.Publish(m.topic, 1, m.retained, m.payload)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = errors.Join(errors.New("publish not acknowledged"), tok.Error())
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s (last: %s)", what, timeout, state)
		}
		<-tick.C
	}
}
