package mqtt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Message is what a Handler gets: paho's message satisfies it, and tests
// pass their own. Ack releases the broker's copy; call it once the message
// is safe (or rejected for good), from any goroutine.
type Message interface {
	Topic() string
	Payload() []byte
	Retained() bool
	Duplicate() bool
	Ack()
}

// Handler receives every message in arrival order, on one goroutine. It
// must not block for long: keep-alives are answered on the same path.
type Handler func(Message)

// Subscriber is a persistent-session QoS 1 MQTT subscription.
type Subscriber struct {
	opts    Options
	handle  Handler
	log     zerolog.Logger
	up      atomic.Bool
	metrics *metrics
}

// New checks opts and returns a Subscriber; it does not connect.
func New(opts Options, h Handler) (*Subscriber, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errors.New("mqtt: handler is required")
	}
	return &Subscriber{
		opts:    opts,
		handle:  h,
		log:     opts.Logger.With().Str("component", "ingest.mqtt").Str("session", opts.Session).Logger(),
		metrics: newMetrics(opts.Registerer, opts.Session),
	}, nil
}

// Connected reports whether the subscription is up (for /readyz).
func (s *Subscriber) Connected() bool { return s.up.Load() }

// Run connects, subscribes on every (re)connection and blocks until ctx
// ends; then it disconnects. Connection failures are retried with backoff
// for as long as ctx lives.
func (s *Subscriber) Run(ctx context.Context) error {
	po, err := s.pahoOptions(ctx)
	if err != nil {
		return err
	}
	c := paho.NewClient(po)
	tok := c.Connect()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return fmt.Errorf("mqtt: connect %s: %w", s.opts.Broker, err)
		}
	case <-ctx.Done():
	}
	<-ctx.Done()
	c.Disconnect(250)
	s.up.Store(false)
	s.metrics.connected.Set(0)
	return nil
}

func (s *Subscriber) pahoOptions(ctx context.Context) (*paho.ClientOptions, error) {
	o := paho.NewClientOptions().
		AddBroker(s.opts.Broker).
		SetClientID(s.opts.ClientID).
		SetCleanSession(false).
		SetAutoAckDisabled(true).
		SetOrderMatters(true).
		SetKeepAlive(s.opts.KeepAlive).
		SetConnectTimeout(s.opts.ConnectTimeout).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetAutoReconnect(true).
		SetMaxReconnectInterval(s.opts.MaxReconnect).
		SetUsername(s.opts.Username).
		SetPassword(string(s.opts.Password))
	// With a persistent session the broker may deliver queued messages
	// before our SUBSCRIBE is answered: route them to the same handler.
	o.SetDefaultPublishHandler(s.onMessage)
	o.SetCustomOpenConnectionFn(s.openConn)
	o.SetOnConnectHandler(func(c paho.Client) { s.onConnect(ctx, c) })
	o.SetConnectionLostHandler(func(_ paho.Client, err error) {
		s.up.Store(false)
		s.metrics.connected.Set(0)
		s.metrics.lost.Inc()
		s.log.Warn().Err(err).Str("broker", s.opts.Broker).Msg("connection lost, reconnecting")
	})
	o.SetReconnectingHandler(func(paho.Client, *paho.ClientOptions) {
		s.metrics.reconnects.Inc()
	})
	if s.opts.CAFile != "" || s.opts.CertFile != "" || s.opts.InsecureSkipVerify {
		cfg, err := s.tlsConfig()
		if err != nil {
			return nil, err
		}
		o.SetTLSConfig(cfg)
	}
	return o, nil
}

func (s *Subscriber) onMessage(_ paho.Client, m paho.Message) { s.handle(m) }

// onConnect subscribes on a new connection; paho calls it on a goroutine of
// its own after every (re)connection. A failed SUBSCRIBE is retried on the
// same connection with backoff until it succeeds, the connection drops (the
// next onConnect takes over) or Run ends. It must not call Disconnect to
// retry: in paho that ends the client for good, without reconnecting.
func (s *Subscriber) onConnect(ctx context.Context, c paho.Client) {
	filters := make(map[string]byte, len(s.opts.Topics))
	for _, t := range s.opts.Topics {
		filters[t] = s.opts.QoS
	}
	wait := min(time.Second, s.opts.MaxReconnect)
	for {
		err := s.subscribe(c, filters)
		if err == nil {
			break
		}
		s.metrics.subscribeErrors.Inc()
		s.log.Error().Err(err).Strs("topics", s.opts.Topics).Dur("retry_in", wait).Msg("subscribe failed, retrying")
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if !c.IsConnectionOpen() {
			return
		}
		wait = min(2*wait, s.opts.MaxReconnect)
	}
	if ctx.Err() != nil {
		return // Run is disconnecting
	}
	s.up.Store(true)
	s.metrics.connected.Set(1)
	s.metrics.connects.Inc()
	s.log.Info().Str("broker", s.opts.Broker).Str("client_id", s.opts.ClientID).Strs("topics", s.opts.Topics).Msg("subscribed")
}

// subscribe sends one SUBSCRIBE for filters and checks that the broker
// granted every filter.
func (s *Subscriber) subscribe(c paho.Client, filters map[string]byte) error {
	// No per-filter callback: paho would match every message's topic against
	// each filter (a strings.Split per message and filter) and call the
	// handler once per matching filter; the default handler takes each
	// message once.
	tok := c.SubscribeMultiple(filters, nil)
	if !tok.WaitTimeout(s.opts.ConnectTimeout) {
		return fmt.Errorf("mqtt: no SUBACK within connect_timeout %s", s.opts.ConnectTimeout)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("mqtt: subscribe: %w", err)
	}
	// paho reports a refused filter (SUBACK return code 0x80) only here.
	if st, ok := tok.(*paho.SubscribeToken); ok {
		for f, granted := range st.Result() {
			switch {
			case granted > 2:
				return fmt.Errorf("mqtt: broker refused subscription %q (SUBACK code %#x)", f, granted)
			case granted < filters[f]:
				s.log.Warn().Str("topic", f).Uint8("granted_qos", granted).Uint8("qos", filters[f]).
					Msg("broker granted a lower qos: messages may be lost")
			}
		}
	}
	return nil
}

func (s *Subscriber) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.opts.InsecureSkipVerify} //nolint:gosec // operator's explicit choice
	if s.opts.CAFile != "" {
		pem, err := os.ReadFile(s.opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt: ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt: ca_file %s: no certificates found", s.opts.CAFile)
		}
		cfg.RootCAs = pool
	}
	if s.opts.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.opts.CertFile, s.opts.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt: cert_file/key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

type metrics struct {
	connected       prometheus.Gauge
	connects        prometheus.Counter
	lost            prometheus.Counter
	reconnects      prometheus.Counter
	subscribeErrors prometheus.Counter
}

// newMetrics builds the instruments of one session; session is a constant
// label so that the main and the alarm session register side by side.
func newMetrics(reg prometheus.Registerer, session string) *metrics {
	if reg != nil {
		reg = prometheus.WrapRegistererWith(prometheus.Labels{"session": session}, reg)
	}
	m := &metrics{
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "campusguard", Subsystem: "mqtt", Name: "connected",
			Help: "1 while the MQTT subscription is up."}),
		connects: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "mqtt", Name: "connects_total",
			Help: "Successful MQTT connections (each followed by a subscription)."}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "mqtt", Name: "connection_lost_total",
			Help: "MQTT connections lost."}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "mqtt", Name: "reconnect_attempts_total",
			Help: "MQTT reconnect attempts."}),
		subscribeErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "campusguard", Subsystem: "mqtt", Name: "subscribe_errors_total",
			Help: "Failed SUBSCRIBE requests."}),
	}
	if reg != nil {
		reg.MustRegister(m.connected, m.connects, m.lost, m.reconnects, m.subscribeErrors)
	}
	return m
}
