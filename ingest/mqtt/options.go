package mqtt

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// DeviceTopic is the default subscription: every device message of every
// region. A regional instance narrows it, e.g. "campus/130802/+/+/+/+".
const DeviceTopic = "campus/+/+/+/+/+"

// Secret is a credential that never prints.
type Secret string

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[REDACTED]"
}

// GoString keeps the secret out of %#v (fmt does not use String there).
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// MarshalText keeps secrets out of JSON and YAML dumps.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Options configure a Subscriber. The zero value is not valid: Broker is
// required; see Defaults for the rest.
type Options struct {
	Broker   string // tcp://host:1883, ssl://host:8883, ws://host/mqtt
	ClientID string // fixed, so the broker keeps the persistent session
	Username string
	Password Secret
	Topics   []string
	QoS      byte
	// Session names this subscription in logs and in the session label of
	// its metrics: "main", or "alarm" for the alarm lane. Default "main".
	Session string

	// TLS (for ssl:// and wss:// brokers).
	CAFile             string
	CertFile           string
	KeyFile            string
	InsecureSkipVerify bool

	KeepAlive      time.Duration
	ConnectTimeout time.Duration
	MaxReconnect   time.Duration // longest wait between reconnect attempts

	Logger     zerolog.Logger
	Registerer prometheus.Registerer

	// plainConn leaves the dialled connection unbuffered (conn.go): the
	// benchmark's baseline. wrapConn, when set, wraps the dialled
	// connection under the buffering (tests count its calls).
	plainConn bool
	wrapConn  func(net.Conn) net.Conn
}

// Defaults returns Options with every default filled in except Broker.
func Defaults() Options {
	return Options{
		ClientID:       "campusguard-ingest",
		Topics:         []string{DeviceTopic},
		QoS:            1,
		Session:        "main",
		KeepAlive:      30 * time.Second,
		ConnectTimeout: 10 * time.Second,
		MaxReconnect:   30 * time.Second,
		Logger:         zerolog.Nop(),
	}
}

// Validate reports the first invalid option, naming it.
func (o *Options) Validate() error {
	if o.Broker == "" {
		return errors.New("mqtt: broker is required (e.g. tcp://127.0.0.1:1883)")
	}
	u, err := url.Parse(o.Broker)
	if err != nil {
		return fmt.Errorf("mqtt: broker %q: %w", o.Broker, err)
	}
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss":
	default:
		return fmt.Errorf("mqtt: broker scheme must be tcp, ssl, ws or wss: %q", o.Broker)
	}
	if u.Host == "" {
		return fmt.Errorf("mqtt: broker has no host (e.g. tcp://127.0.0.1:1883): %q", o.Broker)
	}
	if o.ClientID == "" || len(o.ClientID) > 128 {
		return fmt.Errorf("mqtt: client_id must be 1..128 characters: %q", o.ClientID)
	}
	if o.Session == "" {
		o.Session = "main"
	}
	if len(o.Topics) == 0 {
		return errors.New("mqtt: topics must not be empty")
	}
	for _, t := range o.Topics {
		if err := checkFilter(t); err != nil {
			return fmt.Errorf("mqtt: topics: %q: %w", t, err)
		}
	}
	if o.QoS != 1 {
		return fmt.Errorf("mqtt: qos must be 1 (at-least-once with manual acknowledgement): %d", o.QoS)
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return errors.New("mqtt: cert_file and key_file go together")
	}
	if o.KeepAlive < time.Second {
		return fmt.Errorf("mqtt: keep_alive must be at least 1s: %s", o.KeepAlive)
	}
	if o.ConnectTimeout <= 0 || o.MaxReconnect <= 0 {
		return errors.New("mqtt: connect_timeout and max_reconnect must be > 0")
	}
	return nil
}

// checkFilter reports why f is not a valid MQTT topic filter. A bad filter
// would otherwise fail every SUBSCRIBE, and the subscriber would reconnect
// forever instead of refusing to start.
func checkFilter(f string) error {
	if f == "" {
		return errors.New("empty topic filter")
	}
	if len(f) > 65535 || strings.ContainsRune(f, 0) || !utf8.ValidString(f) {
		return errors.New("topic filter must be valid UTF-8 without NUL, at most 65535 bytes")
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return errors.New("# must be the last level")
		case l != "#" && strings.Contains(l, "#"):
			return errors.New("# must be a whole level")
		case l != "+" && strings.Contains(l, "+"):
			return errors.New("+ must be a whole level")
		}
	}
	return nil
}
