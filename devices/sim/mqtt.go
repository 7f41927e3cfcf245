package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/rs/zerolog"
)

// ErrPublisherClosed is returned by Publish after Close.
var ErrPublisherClosed = errors.New("sim: mqtt publisher closed")

// errAbandoned settles messages still unconfirmed when Close gives up.
var errAbandoned = errors.New("sim: message unconfirmed at close")

// MQTTPublisher publishes over several paho connections (clean sessions),
// so that one process can load a broker with tens of thousands of messages
// per second. A topic always goes over the same connection (chosen by its
// device prefix), so each device's messages stay in order. Publish does not
// wait for the broker: tokens are waited on by one goroutine per
// connection, with at most InFlight messages unconfirmed per connection;
// when that many are in flight, Publish blocks.
type MQTTPublisher struct {
	qos   byte
	cfg   mqttConfig
	log   zerolog.Logger
	conns []*mqttConn

	mu      sync.RWMutex // Publish holds it shared; Close exclusively
	closed  bool
	started bool
	wg      sync.WaitGroup
	abandon chan struct{} // closed when Close stops waiting for confirmations

	acked, failed atomic.Uint64
	errMu         sync.Mutex
	lastErr       error
	lastLog       time.Time
}

type mqttConn struct {
	client  mqtt.Client
	slots   chan struct{}   // one per unconfirmed message
	pending chan mqtt.Token // to this connection's waiter, in publish order
}

// MQTTOption changes an MQTTPublisher setting.
type MQTTOption func(*mqttConfig)

type mqttConfig struct {
	clientID       string
	inFlight       int
	username       string
	password       string
	logger         zerolog.Logger
	connectTimeout time.Duration
	closeTimeout   time.Duration
}

// WithClientID sets the client id prefix; connection i is "<prefix>-<i>"
// (default "campusguard-sim-<random>").
func WithClientID(prefix string) MQTTOption { return func(c *mqttConfig) { c.clientID = prefix } }

// WithInFlight bounds the unconfirmed messages per connection (default 1000).
func WithInFlight(n int) MQTTOption { return func(c *mqttConfig) { c.inFlight = n } }

// WithCredentials sets the MQTT username and password.
func WithCredentials(username, password string) MQTTOption {
	return func(c *mqttConfig) { c.username, c.password = username, password }
}

// WithLogger sets the parent logger (component=devices.sim.mqtt).
func WithLogger(l zerolog.Logger) MQTTOption { return func(c *mqttConfig) { c.logger = l } }

// WithCloseTimeout bounds how long Close waits for confirmations (default 10s).
func WithCloseTimeout(d time.Duration) MQTTOption { return func(c *mqttConfig) { c.closeTimeout = d } }

// NewMQTTPublisher prepares clients connections to brokerURL
// ("tcp://host:1883", also mqtt://, ssl://, tls://, ws://, wss://). Every
// message goes out at qos, whatever qos Publish is given: that is the load
// generator's knob (the simulator itself asks for QoS 1, the contract's).
// It does not connect: call Connect.
func NewMQTTPublisher(brokerURL string, clients int, qos byte, opts ...MQTTOption) (*MQTTPublisher, error) {
	cfg := mqttConfig{
		clientID:       fmt.Sprintf("campusguard-sim-%06x", rand.Uint32()&0xffffff),
		inFlight:       1000,
		connectTimeout: 10 * time.Second,
		closeTimeout:   10 * time.Second,
		logger:         zerolog.Nop(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	u, err := url.Parse(brokerURL)
	switch {
	case err != nil || u.Host == "":
		return nil, fmt.Errorf("sim: broker url %q: want scheme://host:port", brokerURL)
	case !strings.Contains(" tcp mqtt ssl tls mqtts ws wss ", " "+u.Scheme+" "):
		return nil, fmt.Errorf("sim: broker url %q: unsupported scheme %q", brokerURL, u.Scheme)
	case clients < 1:
		return nil, fmt.Errorf("sim: clients must be at least 1: %d", clients)
	case qos > 2:
		return nil, fmt.Errorf("sim: qos value must be 0, 1, or 2: %d", qos)
	case cfg.inFlight < 1 || cfg.inFlight > 65535:
		return nil, fmt.Errorf("sim: in-flight must be between 1 and 65535: %d", cfg.inFlight)
	case cfg.clientID == "":
		return nil, errors.New("sim: client id prefix must not be empty")
	}
	p := &MQTTPublisher{qos: qos, cfg: cfg, abandon: make(chan struct{}),
		log: cfg.logger.With().Str("component", "devices.sim.mqtt").Logger()}
	for i := 0; i < clients; i++ {
		id := fmt.Sprintf("%s-%d", cfg.clientID, i)
		o := mqtt.NewClientOptions().
			AddBroker(brokerURL).
			SetClientID(id).
			SetCleanSession(true).
			SetAutoReconnect(true).
			SetConnectRetry(false).
			SetMaxResumePubInFlight(cfg.inFlight).
			SetOrderMatters(false).
			SetConnectTimeout(cfg.connectTimeout).
			SetKeepAlive(30 * time.Second).
			SetConnectionLostHandler(func(_ mqtt.Client, err error) {
				p.log.Warn().Err(err).Str("client_id", id).Msg("connection lost; reconnecting")
			})
		if cfg.username != "" {
			o.SetUsername(cfg.username).SetPassword(cfg.password)
		}
		p.conns = append(p.conns, &mqttConn{
			client:  mqtt.NewClient(o),
			slots:   make(chan struct{}, cfg.inFlight),
			pending: make(chan mqtt.Token, cfg.inFlight),
		})
	}
	return p, nil
}

// Connect opens every connection and starts the confirmation waiters. It
// returns the first connection error; call Close either way.
func (p *MQTTPublisher) Connect(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrPublisherClosed
	}
	var errs []error
	for i, c := range p.conns {
		tok := c.client.Connect()
		select {
		case <-tok.Done():
			if err := tok.Error(); err != nil {
				errs = append(errs, fmt.Errorf("sim: mqtt connect %d: %w", i, err))
			}
		case <-ctx.Done():
			return fmt.Errorf("sim: mqtt connect %d: %w", i, ctx.Err())
		}
	}
	if !p.started {
		p.started = true
		for _, c := range p.conns {
			p.wg.Add(1)
			go p.wait(c)
		}
	}
	return errors.Join(errs...)
}

// Publish queues one message and returns once paho has taken it; the
// broker's confirmation is awaited in the background (see Stats). It
// blocks while the connection has InFlight messages unconfirmed, and
// returns an error when ctx ends first, when the message fails at once
// (e.g. not connected) or after Close.
func (p *MQTTPublisher) Publish(ctx context.Context, topic string, _ byte, retained bool, payload []byte) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrPublisherClosed
	}
	c := p.conns[connIndex(topic, len(p.conns))]
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	buf := make([]byte, len(payload)) // paho keeps the payload until it is confirmed
	copy(buf, payload)
	tok := c.client.Publish(topic, p.qos, retained, buf)
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			<-c.slots
			p.settle(err)
			return fmt.Errorf("sim: publish %s: %w", topic, err)
		}
	default:
	}
	if !p.started { // not connected yet: nobody would wait on the token
		<-c.slots
		p.settle(nil)
		return nil
	}
	c.pending <- tok // never blocks: slots bound it
	return nil
}

// connIndex picks a connection by the topic's device prefix (the topic
// without its channel), so a device's messages keep their order.
func connIndex(topic string, n int) int {
	if n == 1 {
		return 0
	}
	if i := strings.LastIndexByte(topic, '/'); i > 0 {
		topic = topic[:i]
	}
	return int(hashString(topic) % uint64(n))
}

// wait settles one connection's tokens in order.
func (p *MQTTPublisher) wait(c *mqttConn) {
	defer p.wg.Done()
	for tok := range c.pending {
		select {
		case <-tok.Done():
			p.settle(tok.Error())
		case <-p.abandon:
			p.settle(errAbandoned)
		}
		<-c.slots
	}
}

// settle counts a finished message and logs failures at most once a second.
func (p *MQTTPublisher) settle(err error) {
	if err == nil {
		p.acked.Add(1)
		return
	}
	n := p.failed.Add(1)
	p.errMu.Lock()
	p.lastErr = err
	logNow := time.Since(p.lastLog) >= time.Second
	if logNow {
		p.lastLog = time.Now()
	}
	p.errMu.Unlock()
	if logNow {
		p.log.Warn().Err(err).Uint64("failed", n).Msg("publish failed")
	}
}

// Flush waits until no message is in flight. Call it while nothing
// publishes.
func (p *MQTTPublisher) Flush(ctx context.Context) error {
	for _, c := range p.conns {
		for i := 0; i < cap(c.slots); i++ {
			select {
			case c.slots <- struct{}{}:
			case <-ctx.Done():
				for ; i > 0; i-- {
					<-c.slots
				}
				return ctx.Err()
			}
		}
		for i := 0; i < cap(c.slots); i++ {
			<-c.slots
		}
	}
	return nil
}

// PublisherStats counts what an MQTTPublisher has settled.
type PublisherStats struct {
	Acked    uint64 // confirmed by the broker (written, at QoS 0)
	Failed   uint64 // failed or unconfirmed at close
	InFlight int    // taken but not yet settled
	LastErr  error
}

// Stats returns the counts so far.
func (p *MQTTPublisher) Stats() PublisherStats {
	st := PublisherStats{Acked: p.acked.Load(), Failed: p.failed.Load()}
	for _, c := range p.conns {
		st.InFlight += len(c.slots)
	}
	p.errMu.Lock()
	st.LastErr = p.lastErr
	p.errMu.Unlock()
	return st
}

// Close waits up to the close timeout for confirmations, then disconnects
// every connection. Publish calls after Close fail with ErrPublisherClosed.
// It returns an error when messages were still unconfirmed.
func (p *MQTTPublisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	unconfirmed := 0
	for _, c := range p.conns {
		close(c.pending)
		unconfirmed += len(c.slots)
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	timer := time.NewTimer(p.cfg.closeTimeout)
	defer timer.Stop()
	var err error
	select {
	case <-done:
	case <-timer.C:
		close(p.abandon)
		<-done
		err = fmt.Errorf("sim: mqtt close: gave up on unconfirmed messages (%d in flight at close)", unconfirmed)
	}
	for _, c := range p.conns {
		if c.client.IsConnectionOpen() {
			c.client.Disconnect(250)
		}
	}
	return err
}
