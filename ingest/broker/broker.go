// Package broker owns the embedded MQTT broker that `campusguard run` starts
// when no external broker is configured, so one machine runs the whole
// system (devices, or the simulator, connect to it; campusguard's own
// subscriber connects to it over loopback like to any broker). Production
// points campusguard at Mosquitto or EMQX instead; see deploy/mosquitto.conf.
//
// The embedded broker keeps sessions in memory: a persistent session
// survives a subscriber reconnect but not a restart of the process. Devices
// keep their own unacknowledged QoS 1 messages and resend them after
// reconnecting, so a restart loses nothing a device still holds; what the
// broker had accepted but not delivered is lost with the process. Use an
// external broker with persistence where that matters.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/rs/zerolog"
)

// Options configure the embedded broker.
type Options struct {
	Addr   string // listen address, e.g. ":1883" or "127.0.0.1:0"
	Logger zerolog.Logger
}

// Broker is an embedded MQTT 3.1.1/5 broker.
type Broker struct {
	opts Options
	srv  atomic.Pointer[mochi.Server]
	ln   net.Listener
	log  zerolog.Logger
}

// New returns a Broker; it does not listen yet.
func New(opts Options) (*Broker, error) {
	if opts.Addr == "" {
		return nil, errors.New("broker: addr is required")
	}
	return &Broker{opts: opts, log: opts.Logger.With().Str("component", "ingest.broker").Logger()}, nil
}

// Listen binds the address so Addr is known before Run (useful with port 0).
func (b *Broker) Listen() error {
	ln, err := net.Listen("tcp", b.opts.Addr)
	if err != nil {
		return fmt.Errorf("broker: listen %s: %w", b.opts.Addr, err)
	}
	b.ln = ln
	return nil
}

// Addr returns the bound address (after Listen).
func (b *Broker) Addr() string {
	if b.ln == nil {
		return b.opts.Addr
	}
	return b.ln.Addr().String()
}

// URL returns a tcp:// URL for clients on this machine.
func (b *Broker) URL() string {
	_, port, _ := net.SplitHostPort(b.Addr())
	return "tcp://127.0.0.1:" + port
}

// Run serves until ctx ends.
func (b *Broker) Run(ctx context.Context) error {
	if b.ln == nil {
		if err := b.Listen(); err != nil {
			return err
		}
	}
	caps := mochi.NewDefaultServerCapabilities()
	// campusguard acknowledges after fsync; let many QoS 1 messages be in
	// flight and queued for a subscriber that is briefly behind.
	caps.MaximumInflight = 65535
	caps.ReceiveMaximum = 65535
	// The write queue is allocated in full (8 bytes a slot) for every
	// connection, devices included: 1<<20 slots cost 8 MiB per device. A
	// QoS 1 message enters it only after taking an inflight slot, so more
	// slots than MaximumInflight are never used by QoS 1 traffic.
	caps.MaximumClientWritesPending = 1 << 16
	srv := mochi.New(&mochi.Options{
		Capabilities: caps,
		Logger:       slog.New(slog.NewTextHandler(zerologWriter{b.log}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if err := srv.AddListener(listeners.NewNet("tcp", b.ln)); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	b.srv.Store(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	b.log.Info().Str("addr", b.Addr()).Msg("embedded mqtt broker listening")
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("broker: serve: %w", err)
		}
		<-ctx.Done()
	case <-ctx.Done():
	}
	return srv.Close()
}

// ClientConnected reports whether a client with id has a live connection
// (tests use it to know the broker has seen a disconnect).
func (b *Broker) ClientConnected(id string) bool {
	srv := b.srv.Load()
	if srv == nil {
		return false
	}
	cl, ok := srv.Clients.Get(id)
	return ok && !cl.Closed()
}

// Queued returns how many QoS 1/2 messages the broker holds for client id
// (in flight or waiting while the client is away).
func (b *Broker) Queued(id string) int {
	srv := b.srv.Load()
	if srv == nil {
		return 0
	}
	cl, ok := srv.Clients.Get(id)
	if !ok {
		return 0
	}
	return cl.State.Inflight.Len()
}

// zerologWriter adapts the broker's slog output to our structured log.
type zerologWriter struct{ log zerolog.Logger }

func (w zerologWriter) Write(p []byte) (int, error) {
	w.log.Warn().Str("broker_log", string(p)).Msg("embedded broker")
	return len(p), nil
}
