package notify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"go.yaml.in/yaml/v3"

	"github.com/campusguard/campusguard/alerting"
)

// Config is the notifications file: dispatcher settings, receivers and
// routes (testdata/notify.sample.yaml shows every option). Secrets never sit
// in the file: it names the environment variables that hold them.
type Config struct {
	QueueSize      int           `yaml:"queue_size"`      // per receiver; default 10000
	RetryMin       time.Duration `yaml:"retry_min"`       // default 1s
	RetryMax       time.Duration `yaml:"retry_max"`       // default 1m
	MaxAttempts    int           `yaml:"max_attempts"`    // default 20
	AttemptTimeout time.Duration `yaml:"attempt_timeout"` // default 30s

	Receivers []ReceiverConfig `yaml:"receivers"`
	Routes    []RouteConfig    `yaml:"routes"`
}

// ReceiverConfig is one named destination: exactly one of Webhook and MQTT.
type ReceiverConfig struct {
	Name    string         `yaml:"name"`
	Webhook *WebhookConfig `yaml:"webhook"`
	MQTT    *MQTTConfig    `yaml:"mqtt"`
}

// WebhookConfig configures a WebhookNotifier.
type WebhookConfig struct {
	// URL holds a URL without credentials; URLEnv names the environment
	// variable holding one that has them (robot URLs carry key= or
	// access_token=). Exactly one of the two.
	URL       string        `yaml:"url"`
	URLEnv    string        `yaml:"url_env"`
	Format    Format        `yaml:"format"`     // generic | wecom | dingtalk
	SecretEnv string        `yaml:"secret_env"` // dingtalk signing secret (加签)
	Timeout   time.Duration `yaml:"timeout"`    // per request; default 10s
	Group     *GroupConfig  `yaml:"group"`      // digests (robots only; on by default)
	Rate      *RateConfig   `yaml:"rate"`       // pacing (robots: 20/min by default)
}

// MQTTConfig configures an MQTTNotifier.
type MQTTConfig struct {
	Broker             string        `yaml:"broker"`
	ClientID           string        `yaml:"client_id"` // default campusguard-alerts
	Username           string        `yaml:"username"`
	PasswordEnv        string        `yaml:"password_env"`
	CAFile             string        `yaml:"ca_file"`
	CertFile           string        `yaml:"cert_file"`
	KeyFile            string        `yaml:"key_file"`
	InsecureSkipVerify bool          `yaml:"insecure_skip_verify"`
	KeepAlive          time.Duration `yaml:"keep_alive"`      // default 30s
	ConnectTimeout     time.Duration `yaml:"connect_timeout"` // default 10s
	MaxReconnect       time.Duration `yaml:"max_reconnect"`   // default 30s
	PublishTimeout     time.Duration `yaml:"publish_timeout"` // wait for PUBACK; default 10s
}

// RouteConfig sends matching alerts to a receiver (see Route).
type RouteConfig struct {
	Receiver    string              `yaml:"receiver"`
	Audiences   []alerting.Audience `yaml:"audiences"`    // empty: every alert
	Regions     []string            `yaml:"regions"`      // empty: every region
	MinSeverity alerting.Severity   `yaml:"min_severity"` // empty: every severity
}

// LoadConfig reads and validates the notifications file at path. Decoding
// is strict: unknown keys, wrongly typed values and more than one document
// are errors.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("notify: config: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("notify: config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes and validates a notifications document.
func ParseConfig(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	c := &Config{}
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, namedTypeErrors(data, te)
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var decodeLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// namedTypeErrors adds the field path to each decoding error ("line 3:
// retry_min: cannot unmarshal ..."), so that it names the field as
// Validate's errors do.
func namedTypeErrors(data []byte, te *yaml.TypeError) error {
	var root yaml.Node
	paths := map[int]string{}
	if yaml.Unmarshal(data, &root) == nil {
		keyPaths(&root, "", paths)
	}
	errs := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		if m := decodeLine.FindStringSubmatch(msg); m != nil {
			if line, err := strconv.Atoi(m[1]); err == nil && paths[line] != "" {
				msg = "line " + m[1] + ": " + paths[line] + ": " + m[2]
			}
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

// keyPaths records, for each line, the path of the outermost key on it.
func keyPaths(n *yaml.Node, path string, paths map[int]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			keyPaths(c, path, paths)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, ok := paths[k.Line]; !ok {
				paths[k.Line] = p
			}
			keyPaths(v, p, paths)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if _, ok := paths[c.Line]; !ok && c.Kind != yaml.MappingNode {
				paths[c.Line] = p
			}
			keyPaths(c, p, paths)
		}
	}
}

var (
	receiverName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	envName      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Query parameters that carry a credential: such a URL belongs in url_env.
var credentialParams = []string{"key", "access_token", "token", "secret", "sign", "password", "signature"}

// Validate reports every invalid field, each error naming its field path
// (e.g. receivers[1].webhook.format). It does not read the environment.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{field}, args...)...))
	}
	if c.QueueSize < 0 {
		bad("queue_size", "must be > 0: %d", c.QueueSize)
	}
	if c.MaxAttempts < 0 {
		bad("max_attempts", "must be > 0: %d", c.MaxAttempts)
	}
	for _, d := range []struct {
		f string
		v time.Duration
	}{{"retry_min", c.RetryMin}, {"retry_max", c.RetryMax}, {"attempt_timeout", c.AttemptTimeout}} {
		if d.v < 0 {
			bad(d.f, "must be > 0: %s", d.v)
		}
	}
	if c.RetryMin > 0 && c.RetryMax > 0 && c.RetryMin > c.RetryMax {
		bad("retry_min", "%s must not exceed retry_max %s", c.RetryMin, c.RetryMax)
	}

	kinds := map[string]string{} // receiver name → "webhook" | "mqtt"
	for i, r := range c.Receivers {
		p := fmt.Sprintf("receivers[%d]", i)
		switch {
		case r.Name == "":
			bad(p+".name", "is required")
		case !receiverName.MatchString(r.Name):
			bad(p+".name", "must match %s (it is a metric label): %q", receiverName, r.Name)
		case kinds[r.Name] != "":
			bad(p+".name", "duplicate receiver %q", r.Name)
		}
		switch {
		case (r.Webhook == nil) == (r.MQTT == nil):
			bad(p, "needs exactly one of webhook and mqtt")
		case r.Webhook != nil:
			kinds[r.Name] = "webhook"
			r.Webhook.validate(p+".webhook", bad)
		default:
			kinds[r.Name] = "mqtt"
			r.MQTT.validate(p+".mqtt", bad)
		}
	}

	used := map[string]bool{}
	for i, rt := range c.Routes {
		p := fmt.Sprintf("routes[%d]", i)
		kind := kinds[rt.Receiver]
		switch {
		case rt.Receiver == "":
			bad(p+".receiver", "is required")
		case kind == "":
			bad(p+".receiver", "no receiver named %q", rt.Receiver)
		}
		used[rt.Receiver] = true
		for j, a := range rt.Audiences {
			if !slices.Contains(alerting.Audiences, a) {
				bad(fmt.Sprintf("%s.audiences[%d]", p, j), "must be police, education, market or school: %q", a)
			}
		}
		for j, code := range rt.Regions {
			if !isDivisionCode(code) {
				bad(fmt.Sprintf("%s.regions[%d]", p, j), "must be a 6-digit division code (quote it in YAML): %q", code)
			}
		}
		if rt.MinSeverity != "" {
			if _, err := alerting.ParseSeverity(string(rt.MinSeverity)); err != nil {
				bad(p+".min_severity", "%v", err)
			}
		}
		if kind == "mqtt" {
			// docs/alerts.md: the alert topic carries every alert; police
			// platforms pick by region through their subscription.
			if len(rt.Audiences) > 0 && !allAudiences(rt.Audiences) {
				bad(p+".audiences", "receiver %q is the MQTT alert topic, which carries every alert: leave audiences empty", rt.Receiver)
			}
			if rt.MinSeverity != "" && rt.MinSeverity != alerting.P3 {
				bad(p+".min_severity", "receiver %q is the MQTT alert topic, which carries every alert: leave min_severity empty", rt.Receiver)
			}
		}
	}
	for i, r := range c.Receivers {
		if r.Name != "" && !used[r.Name] {
			bad(fmt.Sprintf("receivers[%d]", i), "receiver %q is not used by any route", r.Name)
		}
	}
	return errors.Join(errs...)
}

func allAudiences(as []alerting.Audience) bool {
	for _, a := range alerting.Audiences {
		if !slices.Contains(as, a) {
			return false
		}
	}
	return true
}

func (w *WebhookConfig) validate(p string, bad func(string, string, ...any)) {
	switch {
	case (w.URL == "") == (w.URLEnv == ""):
		bad(p, "needs exactly one of url and url_env")
	case w.URL != "":
		if err := checkPlainURL(w.URL); err != nil {
			bad(p+".url", "%v", err)
		}
	default:
		if !envName.MatchString(w.URLEnv) {
			bad(p+".url_env", "must be an environment variable name: %q", w.URLEnv)
		}
	}
	switch w.Format {
	case FormatGeneric, FormatWeCom, FormatDingTalk:
	case "":
		bad(p+".format", "is required (generic, wecom or dingtalk)")
	default:
		bad(p+".format", "must be generic, wecom or dingtalk: %q", w.Format)
	}
	if w.SecretEnv != "" {
		if w.Format != FormatDingTalk {
			bad(p+".secret_env", "only the dingtalk format signs requests")
		} else if !envName.MatchString(w.SecretEnv) {
			bad(p+".secret_env", "must be an environment variable name: %q", w.SecretEnv)
		}
	}
	if w.Timeout < 0 {
		bad(p+".timeout", "must be > 0: %s", w.Timeout)
	}
	w.validatePacing(p, bad)
}

// checkPlainURL accepts an http(s) URL that carries no credential.
func checkPlainURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("must not carry credentials: put the URL in an environment variable and name it in url_env")
	}
	for k := range u.Query() {
		if slices.Contains(credentialParams, strings.ToLower(k)) {
			return fmt.Errorf("carries a credential (%s=): put the URL in an environment variable and name it in url_env", k)
		}
	}
	return nil
}

func (m *MQTTConfig) validate(p string, bad func(string, string, ...any)) {
	o := m.options()
	if m.Broker == "" {
		bad(p+".broker", "is required (e.g. ssl://broker:8883)")
	} else if u, err := url.Parse(m.Broker); err == nil && u.User != nil {
		bad(p+".broker", "must not carry credentials: use username and password_env")
	} else if err := o.Validate(); err != nil {
		bad(p, "%v", strings.TrimPrefix(err.Error(), "notify: mqtt: "))
	}
	if m.PasswordEnv != "" && !envName.MatchString(m.PasswordEnv) {
		bad(p+".password_env", "must be an environment variable name: %q", m.PasswordEnv)
	}
}

// options are the MQTTOptions of m, without the password.
func (m *MQTTConfig) options() MQTTOptions {
	o := MQTTDefaults()
	o.Broker, o.Username = m.Broker, m.Username
	o.CAFile, o.CertFile, o.KeyFile, o.InsecureSkipVerify = m.CAFile, m.CertFile, m.KeyFile, m.InsecureSkipVerify
	if m.ClientID != "" {
		o.ClientID = m.ClientID
	}
	for _, d := range []struct{ dst, src *time.Duration }{
		{&o.KeepAlive, &m.KeepAlive}, {&o.ConnectTimeout, &m.ConnectTimeout},
		{&o.MaxReconnect, &m.MaxReconnect}, {&o.PublishTimeout, &m.PublishTimeout},
	} {
		if *d.src != 0 {
			*d.dst = *d.src
		}
	}
	return o
}

// Options returns the dispatcher Options of the file (zero fields take
// their defaults); the caller adds Logger and Registerer.
func (c *Config) Options() Options {
	return Options{
		QueueSize:      c.QueueSize,
		RetryMin:       c.RetryMin,
		RetryMax:       c.RetryMax,
		MaxAttempts:    c.MaxAttempts,
		AttemptTimeout: c.AttemptTimeout,
	}
}

// BuildOptions are what Build needs from its caller.
type BuildOptions struct {
	// LookupEnv reads the secrets the file names; default os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Logger is given to the MQTT notifiers.
	Logger zerolog.Logger
	// HTTPClient, when set, sends every webhook request.
	HTTPClient *http.Client
}

// Build validates c, reads the secrets it names from the environment and
// returns its routes in file order, with one Notifier per receiver (routes
// naming the same receiver share it). It connects nothing: Dispatcher.Run
// connects the MQTT notifiers.
func (c *Config) Build(o BuildOptions) ([]Route, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	env := func(field, name string) (string, error) {
		v, ok := lookup(name)
		if !ok || v == "" {
			return "", fmt.Errorf("%s: environment variable %s is not set", field, name)
		}
		return v, nil
	}
	var errs []error
	notifiers := map[string]Notifier{}
	pacing := map[string]*WebhookConfig{}
	for i, r := range c.Receivers {
		pacing[r.Name] = r.Webhook
		p := fmt.Sprintf("receivers[%d]", i)
		n, err := r.build(p, env, o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		notifiers[r.Name] = n
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	routes := make([]Route, 0, len(c.Routes))
	for _, rt := range c.Routes {
		route := Route{
			Name:        rt.Receiver,
			Audiences:   slices.Clone(rt.Audiences),
			Regions:     slices.Clone(rt.Regions),
			MinSeverity: rt.MinSeverity,
			Notifier:    notifiers[rt.Receiver],
		}
		if w := pacing[rt.Receiver]; w != nil {
			route.Group, route.Rate = w.groupOptions(), w.rateOptions()
		}
		routes = append(routes, route)
	}
	return routes, nil
}

func (r *ReceiverConfig) build(p string, env func(field, name string) (string, error), o BuildOptions) (Notifier, error) {
	if w := r.Webhook; w != nil {
		wo := WebhookOptions{URL: w.URL, Format: w.Format, Timeout: w.Timeout, Client: o.HTTPClient}
		if w.URLEnv != "" {
			v, err := env(p+".webhook.url_env", w.URLEnv)
			if err != nil {
				return nil, err
			}
			wo.URL = v
		}
		if w.SecretEnv != "" {
			v, err := env(p+".webhook.secret_env", w.SecretEnv)
			if err != nil {
				return nil, err
			}
			wo.Secret = Secret(v)
		}
		n, err := NewWebhookNotifier(wo)
		if err != nil {
			field := p + ".webhook"
			if w.URLEnv != "" {
				field += ".url_env (" + w.URLEnv + ")"
			}
			return nil, fmt.Errorf("%s: %s", field, strings.TrimPrefix(err.Error(), "notify: webhook: "))
		}
		return n, nil
	}
	mo := r.MQTT.options()
	mo.Logger = o.Logger
	if r.MQTT.PasswordEnv != "" {
		v, err := env(p+".mqtt.password_env", r.MQTT.PasswordEnv)
		if err != nil {
			return nil, err
		}
		mo.Password = Secret(v)
	}
	n, err := NewMQTTNotifier(mo)
	if err != nil {
		return nil, fmt.Errorf("%s.mqtt: %s", p, strings.TrimPrefix(err.Error(), "notify: mqtt: "))
	}
	return n, nil
}
