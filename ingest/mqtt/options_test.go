package mqtt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func validOptions() Options {
	o := Defaults()
	o.Broker = "tcp://127.0.0.1:1883"
	return o
}

func TestDefaultsNeedOnlyABroker(t *testing.T) {
	o := Defaults()
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "broker") {
		t.Fatalf("Defaults without a broker: err = %v, want one naming broker", err)
	}
	o.Broker = "tcp://127.0.0.1:1883"
	if err := o.Validate(); err != nil {
		t.Fatalf("Defaults with a broker: %v", err)
	}
	if o.QoS != 1 || o.ClientID == "" || len(o.Topics) != 1 || o.Topics[0] != DeviceTopic {
		t.Errorf("Defaults = %+v", o)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string // substring of the error naming the option; "" means valid
	}{
		{"valid tcp", func(*Options) {}, ""},
		{"valid ssl with client cert", func(o *Options) {
			o.Broker, o.CertFile, o.KeyFile = "ssl://broker.example:8883", "c.pem", "k.pem"
		}, ""},
		{"valid mqtts", func(o *Options) { o.Broker = "mqtts://broker.example:8883" }, ""},
		{"valid websocket", func(o *Options) { o.Broker = "wss://broker.example/mqtt" }, ""},
		{"valid regional filter", func(o *Options) { o.Topics = []string{"campus/130802/+/+/+/+", "campus/130803/#"} }, ""},
		{"valid 128-char client id", func(o *Options) { o.ClientID = strings.Repeat("c", 128) }, ""},

		{"broker missing", func(o *Options) { o.Broker = "" }, "broker is required"},
		{"broker not a URL", func(o *Options) { o.Broker = "tcp://[::1" }, "broker"},
		{"broker without scheme", func(o *Options) { o.Broker = "127.0.0.1:1883" }, "broker"},
		{"broker scheme http", func(o *Options) { o.Broker = "http://127.0.0.1:1883" }, "broker scheme"},
		{"broker without host", func(o *Options) { o.Broker = "tcp:/127.0.0.1:1883" }, "broker has no host"},
		{"client_id empty", func(o *Options) { o.ClientID = "" }, "client_id"},
		{"client_id too long", func(o *Options) { o.ClientID = strings.Repeat("c", 129) }, "client_id"},
		{"topics empty", func(o *Options) { o.Topics = nil }, "topics"},
		{"topics with empty filter", func(o *Options) { o.Topics = []string{DeviceTopic, ""} }, "topics"},
		{"topics with # not last", func(o *Options) { o.Topics = []string{"campus/#/event"} }, "topics"},
		{"topics with # inside a level", func(o *Options) { o.Topics = []string{"campus/130802#"} }, "topics"},
		{"topics with + inside a level", func(o *Options) { o.Topics = []string{"campus/13080+/+"} }, "topics"},
		{"topics with NUL", func(o *Options) { o.Topics = []string{"campus/\x00"} }, "topics"},
		{"qos 0", func(o *Options) { o.QoS = 0 }, "qos"},
		{"qos 2", func(o *Options) { o.QoS = 2 }, "qos"},
		{"cert_file without key_file", func(o *Options) { o.CertFile = "c.pem" }, "cert_file and key_file"},
		{"key_file without cert_file", func(o *Options) { o.KeyFile = "k.pem" }, "cert_file and key_file"},
		{"keep_alive too short", func(o *Options) { o.KeepAlive = 500 * time.Millisecond }, "keep_alive"},
		{"connect_timeout zero", func(o *Options) { o.ConnectTimeout = 0 }, "connect_timeout"},
		{"max_reconnect negative", func(o *Options) { o.MaxReconnect = -time.Second }, "max_reconnect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.edit(&o)
			err := o.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Validate accepted %+v", o)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate: %q does not name %q", err, tc.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "mqtt: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			// New refuses what Validate refuses.
			if _, nerr := New(o, func(Message) {}); (nerr != nil) != (err != nil) {
				t.Errorf("New: err = %v, Validate: %v", nerr, err)
			}
		})
	}
}

func TestNewRequiresHandler(t *testing.T) {
	if _, err := New(validOptions(), nil); err == nil || !strings.Contains(err.Error(), "handler") {
		t.Fatalf("New without handler: err = %v", err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	const pw = "hunter2"
	o := validOptions()
	o.Username, o.Password = "campusguard", pw
	var logged bytes.Buffer
	logger := zerolog.New(&logged)
	logger.Info().Interface("opts", o).Stringer("password", o.Password).Msg("")
	js, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, out string }{
		{"%v", fmt.Sprintf("%v", o)},
		{"%+v", fmt.Sprintf("%+v", o)},
		{"%#v", fmt.Sprintf("%#v", o)},
		{"%s secret", fmt.Sprintf("%s", o.Password)},
		{"%q secret", fmt.Sprintf("%q", o.Password)},
		{"%#v secret", fmt.Sprintf("%#v", o.Password)},
		{"json", string(js)},
		{"zerolog", logged.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.out, pw) {
				t.Errorf("reveals the password: %s", tc.out)
			}
			if !strings.Contains(tc.out, "[REDACTED]") {
				t.Errorf("does not show [REDACTED]: %s", tc.out)
			}
		})
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should print empty")
	}
	if string(o.Password) != pw {
		t.Error("string(Secret) must still give the value to the client")
	}
}
