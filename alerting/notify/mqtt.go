package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/rs/zerolog"
)

// MQTTOptions configure an MQTTNotifier. Broker is required; see
// MQTTDefaults for the rest.
type MQTTOptions struct {
	Broker   string // tcp://host:1883, ssl://host:8883, ws://host/mqtt
	ClientID string // must differ from ingest's client id
	Username string
	Password Secret

	// TLS (for ssl:// and wss:// brokers).
	CAFile             string
	CertFile           string
	KeyFile            string
	InsecureSkipVerify bool

	KeepAlive      time.Duration
	ConnectTimeout time.Duration
	MaxReconnect   time.Duration // longest wait between reconnect attempts
	// PublishTimeout bounds the wait for PUBACK; on timeout the Dispatcher
	// retries (the broker may then see the alert twice: QoS 1 is
	// at-least-once, subscribers dedupe by id, updated_at and event).
	PublishTimeout time.Duration

	Logger zerolog.Logger
}

// MQTTDefaults returns MQTTOptions with every default filled in except Broker.
func MQTTDefaults() MQTTOptions {
	return MQTTOptions{
		ClientID:       "campusguard-alerts",
		KeepAlive:      30 * time.Second,
		ConnectTimeout: 10 * time.Second,
		MaxReconnect:   30 * time.Second,
		PublishTimeout: 10 * time.Second,
		Logger:         zerolog.Nop(),
	}
}

// Validate reports the first invalid option, naming it.
func (o *MQTTOptions) Validate() error {
	if o.Broker == "" {
		return errors.New("notify: mqtt: broker is required (e.g. tcp://127.0.0.1:1883)")
	}
	u, err := url.Parse(o.Broker)
	if err != nil {
		return fmt.Errorf("notify: mqtt: broker %q: %w", o.Broker, err)
	}
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss":
	default:
		return fmt.Errorf("notify: mqtt: broker scheme must be tcp, ssl, ws or wss: %q", o.Broker)
	}
	if u.Host == "" {
		return fmt.Errorf("notify: mqtt: broker has no host (e.g. tcp://127.0.0.1:1883): %q", o.Broker)
	}
	if o.ClientID == "" || len(o.ClientID) > 128 {
		return fmt.Errorf("notify: mqtt: client_id must be 1..128 characters: %q", o.ClientID)
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return errors.New("notify: mqtt: cert_file and key_file go together")
	}
	if o.KeepAlive < time.Second {
		return fmt.Errorf("notify: mqtt: keep_alive must be at least 1s: %s", o.KeepAlive)
	}
	if o.ConnectTimeout <= 0 || o.MaxReconnect <= 0 || o.PublishTimeout <= 0 {
		return errors.New("notify: mqtt: connect_timeout, max_reconnect and publish_timeout must be > 0")
	}
	return nil
}

// MQTTNotifier publishes the alert JSON to campus/alerts/{region}/{school}
// with QoS 1, not retained, and waits for the broker's PUBACK. It sends
// every notification it is given: route it with no audience or severity
// filter, since police platforms subscribe to the topic by region.
type MQTTNotifier struct {
	opts MQTTOptions
	tls  *tls.Config
	log  zerolog.Logger

	mu      sync.Mutex
	client  paho.Client
	connTok paho.Token // the first connection of client
}

// NewMQTTNotifier checks opts and loads the TLS files; it does not connect.
func NewMQTTNotifier(opts MQTTOptions) (*MQTTNotifier, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	m := &MQTTNotifier{opts: opts, log: opts.Logger.With().Str("component", "alerting.notify").Str("receiver_kind", "mqtt").Logger()}
	if opts.CAFile != "" || opts.CertFile != "" || opts.InsecureSkipVerify {
		cfg, err := mqttTLS(opts)
		if err != nil {
			return nil, err
		}
		m.tls = cfg
	}
	return m, nil
}

// Connect starts the client and waits until it is connected or ctx ends.
// The client keeps (re)connecting in the background until Close, so when
// ctx ends first Connect returns ctx's error and Notify reports
// ErrNotConnected (retryable) until the connection is up. Connecting an
// already started notifier only waits for the connection.
func (m *MQTTNotifier) Connect(ctx context.Context) error {
	m.mu.Lock()
	if m.client == nil {
		m.client = paho.NewClient(m.pahoOptions())
		m.connTok = m.client.Connect()
	}
	tok := m.connTok
	m.mu.Unlock()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-tok.Done():
			if err := tok.Error(); err != nil {
				return fmt.Errorf("notify: mqtt: connect %s: %w", m.opts.Broker, err)
			}
			return nil
		case <-tick.C:
			m.log.Warn().Str("broker", m.opts.Broker).Msg("still connecting to the broker")
		case <-ctx.Done():
			return fmt.Errorf("notify: mqtt: connect %s: %w", m.opts.Broker, ctx.Err())
		}
	}
}

// Close disconnects and stops reconnecting. Connect may start it again.
func (m *MQTTNotifier) Close() {
	m.mu.Lock()
	c := m.client
	m.client, m.connTok = nil, nil
	m.mu.Unlock()
	if c != nil {
		c.Disconnect(250)
	}
}

// Notify publishes n and waits for PUBACK. Not being connected, a lost
// connection and a PUBACK timeout are retryable; an alert whose region or
// school is not a valid topic level is not.
func (m *MQTTNotifier) Notify(ctx context.Context, n Notification) (bool, error) {
	topic, err := Topic(&n.Alert)
	if err != nil {
		return false, err
	}
	payload, err := Marshal(n)
	if err != nil {
		return false, err
	}
	m.mu.Lock()
	c := m.client
	m.mu.Unlock()
	if c == nil || !c.IsConnectionOpen() {
		return true, fmt.Errorf("%w to %s", ErrNotConnected, m.opts.Broker)
	}
	tok := c.Publish(topic, 1, false, payload)
	t := time.NewTimer(m.opts.PublishTimeout)
	defer t.Stop()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return true, fmt.Errorf("notify: mqtt: publish %s: %w", topic, err)
		}
		return false, nil
	case <-t.C:
		return true, fmt.Errorf("%w: %s after %s", ErrPubackTimeout, topic, m.opts.PublishTimeout)
	case <-ctx.Done():
		return true, fmt.Errorf("%w: %s: %w", ErrPubackTimeout, topic, ctx.Err())
	}
}

func (m *MQTTNotifier) pahoOptions() *paho.ClientOptions {
	o := paho.NewClientOptions().
		AddBroker(m.opts.Broker).
		SetClientID(m.opts.ClientID).
		// The Dispatcher owns retries: no session to resume.
		SetCleanSession(true).
		SetKeepAlive(m.opts.KeepAlive).
		SetConnectTimeout(m.opts.ConnectTimeout).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(m.opts.MaxReconnect).
		SetWriteTimeout(m.opts.PublishTimeout).
		SetUsername(m.opts.Username).
		SetPassword(string(m.opts.Password)).
		// Nothing kept for paho to resend after a reconnect: the Dispatcher
		// retries on a PUBACK timeout. paho 1.5.1's resend also races with
		// the old connection's writer (seen under -race).
		SetStore(noStore{})
	o.SetOnConnectHandler(func(paho.Client) {
		m.log.Info().Str("broker", m.opts.Broker).Str("client_id", m.opts.ClientID).Msg("connected")
	})
	o.SetConnectionLostHandler(func(_ paho.Client, err error) {
		m.log.Warn().Err(err).Str("broker", m.opts.Broker).Msg("connection lost, reconnecting")
	})
	if m.tls != nil {
		o.SetTLSConfig(m.tls)
	}
	return o
}

func mqttTLS(o MQTTOptions) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.InsecureSkipVerify} //nolint:gosec // operator's explicit choice
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("notify: mqtt: ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("notify: mqtt: ca_file %s: no certificates found", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("notify: mqtt: cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// noStore is a paho.Store that keeps nothing.
type noStore struct{}

func (noStore) Open()                             {}
func (noStore) Put(string, packets.ControlPacket) {}
func (noStore) Get(string) packets.ControlPacket  { return nil }
func (noStore) All() []string                     { return nil }
func (noStore) Del(string)                        {}
func (noStore) Close()                            {}
func (noStore) Reset()                            {}
