package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"
)

// runConfig is every option of `campusguard run`, with its flag, its
// environment variable (CAMPUSGUARD_<FLAG>, dashes as underscores) and its
// default in one place: registerRunFlags.
type runConfig struct {
	Registry string

	Broker       string // empty: embedded broker
	BrokerListen string
	MQTTClientID string
	MQTTUser     string
	MQTTPassword string
	MQTTTopics   stringList
	MQTTCAFile   string
	MQTTCertFile string
	MQTTKeyFile  string
	MQTTInsecure bool
	// MQTTSingleSession turns the alarm lane off: alarm events arrive on
	// the main session with everything else.
	MQTTSingleSession bool
	MQTTAlarmClientID string // empty: <MQTTClientID>-alarm

	InfluxURL    string
	InfluxToken  string
	InfluxOrg    string
	InfluxBucket string

	SpoolDir      string
	SpoolMaxBytes int64
	// SpoolAlarmReserveBytes is room above SpoolMaxBytes only alarm events
	// may use.
	SpoolAlarmReserveBytes int64
	// SpoolCommitDelay is how long the spool may gather records into one
	// write and fsync (alarm events never wait).
	SpoolCommitDelay time.Duration
	// InfluxFlushInterval lets records gather into bigger write requests.
	InfluxFlushInterval time.Duration
	DeadLetterDir       string

	HTTP string
	// HTTP hardening (docs/access.md): timeouts, connection caps, TLS and
	// the reverse proxies whose X-Forwarded-For is believed.
	HTTPReadHeaderTimeout time.Duration
	HTTPReadTimeout       time.Duration
	HTTPWriteTimeout      time.Duration
	HTTPIdleTimeout       time.Duration
	HTTPMaxConns          int
	HTTPMaxConnsPerIP     int
	HTTPCertFile          string
	HTTPKeyFile           string
	TrustedProxies        stringList
	trustedProxies        []netip.Prefix // parsed from TrustedProxies

	DedupWindow time.Duration
	MaxPayload  int
	MaxFuture   time.Duration
	MaxAge      time.Duration

	Sim       bool
	SimSpeed  float64
	SimRate   float64
	SimFaults stringList
	SimPlan   string // scripted fault plan: none or demo (devices/sim.NamedPlan)

	StateDir string
	Rules    string
	Notify   string

	Users           string
	UsersPoll       time.Duration // how often the users file is checked for changes; 0: only on SIGHUP
	NoAuth          bool
	InsecureCookies bool

	LogFormat string
	LogLevel  string
	// PprofListen serves Go's profiles there (empty: off).
	PprofListen string

	manualClock bool // tests: the engine's time moves only by Advance

	spoolSegmentBytes int64 // tests: a small spool; 0 is the spool's default
}

type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

func registerRunFlags(fs *flag.FlagSet, c *runConfig) {
	fs.StringVar(&c.Registry, "registry", "var/registry.yaml", "registry YAML file (登记册)")
	fs.StringVar(&c.Broker, "broker", "", "MQTT broker URL (tcp://host:1883, ssl://host:8883); empty starts the embedded broker")
	fs.StringVar(&c.BrokerListen, "broker-listen", ":1883", "listen address of the embedded broker")
	fs.StringVar(&c.MQTTClientID, "mqtt-client-id", "campusguard-ingest", "fixed MQTT client id (keeps the persistent session)")
	fs.StringVar(&c.MQTTUser, "mqtt-username", "", "MQTT username")
	fs.StringVar(&c.MQTTPassword, "mqtt-password", "", "MQTT password (prefer CAMPUSGUARD_MQTT_PASSWORD)")
	fs.Var(&c.MQTTTopics, "mqtt-topic", "topic filter to subscribe (repeatable; default campus/+/+/+/+/+)")
	fs.StringVar(&c.MQTTCAFile, "mqtt-ca-file", "", "CA certificate (PEM) for TLS brokers")
	fs.StringVar(&c.MQTTCertFile, "mqtt-cert-file", "", "client certificate (PEM) for mutual TLS")
	fs.StringVar(&c.MQTTKeyFile, "mqtt-key-file", "", "client key (PEM) for mutual TLS")
	fs.BoolVar(&c.MQTTInsecure, "mqtt-insecure", false, "skip TLS certificate verification (testing only)")
	fs.BoolVar(&c.MQTTSingleSession, "mqtt-single-session", false, "receive alarm events on the main MQTT session too, without the alarm lane (for brokers that allow one client id)")
	fs.StringVar(&c.MQTTAlarmClientID, "mqtt-alarm-client-id", "", "client id of the alarm lane's MQTT session (default <mqtt-client-id>-alarm)")
	fs.StringVar(&c.InfluxURL, "influx-url", "http://127.0.0.1:8086", "InfluxDB URL")
	fs.StringVar(&c.InfluxToken, "influx-token", "", "InfluxDB token (2.x/3.x) or user:password (1.8); prefer CAMPUSGUARD_INFLUX_TOKEN")
	fs.StringVar(&c.InfluxOrg, "influx-org", "campusguard", "InfluxDB organisation (ignored by 1.8)")
	fs.StringVar(&c.InfluxBucket, "influx-bucket", "campusguard/autogen", "InfluxDB bucket (1.8: database/retention-policy)")
	fs.DurationVar(&c.InfluxFlushInterval, "influx-flush-interval", time.Second, "after a write request that was not full (5,000 records) wait this long before the next, so records go out in big requests; a point is stored up to this much later (0: no wait, at most 1m)")
	fs.StringVar(&c.SpoolDir, "spool-dir", "var/spool", "directory of the on-disk spool")
	fs.Int64Var(&c.SpoolMaxBytes, "spool-max-bytes", 1<<30, "bound on the spool's size in bytes; when full, intake waits")
	fs.Int64Var(&c.SpoolAlarmReserveBytes, "spool-alarm-reserve-bytes", 64<<20, "room above --spool-max-bytes that only alarm events may use, so they are stored while a full spool holds up the rest")
	fs.DurationVar(&c.SpoolCommitDelay, "spool-commit-delay", 10*time.Millisecond, "how long the spool may gather records into one write and fsync (at most 1s; 0: none); alarm events never wait")
	fs.StringVar(&c.DeadLetterDir, "dead-letter-dir", "", "where records InfluxDB permanently rejects are kept (default <spool-dir>/dead-letter)")
	fs.StringVar(&c.HTTP, "http", ":8080", "HTTP listen address (/metrics, /healthz, /readyz)")
	fs.DurationVar(&c.HTTPReadHeaderTimeout, "http-read-header-timeout", 5*time.Second, "time a client has to send a request's headers")
	fs.DurationVar(&c.HTTPReadTimeout, "http-read-timeout", 30*time.Second, "time a client has to send a whole request, body included")
	fs.DurationVar(&c.HTTPWriteTimeout, "http-write-timeout", 60*time.Second, "time to write an answer (not the event stream /api/v1/stream)")
	fs.DurationVar(&c.HTTPIdleTimeout, "http-idle-timeout", 60*time.Second, "an idle keep-alive connection is closed after this")
	fs.IntVar(&c.HTTPMaxConns, "http-max-conns", 1024, "cap on open HTTP connections; at the cap an idle one is closed to make room, else the new one is")
	fs.IntVar(&c.HTTPMaxConnsPerIP, "http-max-conns-per-ip", 64, "cap on open HTTP connections from one address (IPv6: one /64); trusted proxies are exempt")
	fs.StringVar(&c.HTTPCertFile, "http-cert-file", "", "serve HTTPS with this certificate (PEM; with --http-key-file); HSTS is then sent")
	fs.StringVar(&c.HTTPKeyFile, "http-key-file", "", "private key (PEM) of --http-cert-file")
	fs.Var(&c.TrustedProxies, "trusted-proxy", "CIDR or address of a reverse proxy whose X-Forwarded-For and X-Forwarded-Proto are believed (repeatable, comma-separated)")
	fs.DurationVar(&c.DedupWindow, "dedup-window", 10*time.Minute, "duplicate event ids are dropped within this window")
	fs.IntVar(&c.MaxPayload, "max-payload", 16<<10, "reject payloads larger than this many bytes")
	fs.DurationVar(&c.MaxFuture, "max-future", 5*time.Minute, "reject timestamps further than this in the future")
	fs.DurationVar(&c.MaxAge, "max-age", 7*24*time.Hour, "reject timestamps older than this")
	fs.BoolVar(&c.Sim, "sim", false, "also run the device simulator against the broker (demo)")
	fs.Float64Var(&c.SimSpeed, "sim-speed", 1, "simulator time speed-up")
	fs.Float64Var(&c.SimRate, "sim-rate", 0, "simulator extra load in messages/s")
	fs.Var(&c.SimFaults, "sim-fault", "simulator fault (repeatable), e.g. silent_device:cd-0001-alarm-1")
	fs.StringVar(&c.SimPlan, "sim-plan", "none", "simulator fault plan from the start: demo (a panic, an unstaffed post, a dark kitchen camera, a forced gate, a silent school, a kitchen violation; docs/dashboards.md) or none")
	fs.StringVar(&c.StateDir, "state-dir", "var/state", "directory of the alert store (open alerts, acknowledgements, silences)")
	fs.StringVar(&c.Rules, "rules", "", "rules file with per-region and per-school overrides (default: docs/rules.md defaults); see testdata/rules/rules.sample.yaml")
	fs.StringVar(&c.Notify, "notify", "", "notifications file: webhooks (generic, WeCom, DingTalk) and routes; the MQTT alert topic is always on")
	fs.StringVar(&c.Users, "users", "", "users and API tokens file (see docs/access.md; 'campusguard user add' edits it); required unless --no-auth")
	fs.DurationVar(&c.UsersPoll, "users-poll", 2*time.Second, "check the --users file this often and load it when its content changed ('campusguard user add/token' then takes effect without a signal); 0: only on SIGHUP")
	fs.BoolVar(&c.NoAuth, "no-auth", false, "serve the API and pages WITHOUT login, as an all-seeing admin (local testing only)")
	fs.BoolVar(&c.InsecureCookies, "insecure-cookies", false, "session cookies without the Secure flag (plain-HTTP demo on one machine only)")
	fs.StringVar(&c.LogFormat, "log-format", "auto", "log format: auto, json or console")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.PprofListen, "pprof-listen", "", "serve Go's CPU and heap profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; no login, so loopback only (empty: off)")
}

// applyEnv sets every flag not given on the command line from
// CAMPUSGUARD_<NAME> when that variable is set.
func applyEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := "CAMPUSGUARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
		}
	})
	return errors.Join(errs...)
}

func parseRunConfig(args []string, stderr io.Writer) (*runConfig, error) {
	c := &runConfig{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	registerRunFlags(fs, c)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("run: unexpected arguments %q", fs.Args())
	}
	if err := applyEnv(fs); err != nil {
		return nil, err
	}
	if len(c.MQTTTopics) == 0 {
		c.MQTTTopics = stringList{"campus/+/+/+/+/+"}
	}
	if c.DeadLetterDir == "" {
		c.DeadLetterDir = c.SpoolDir + "/dead-letter"
	}
	if err := c.validateHTTP(); err != nil {
		return nil, err
	}
	if c.UsersPoll < 0 {
		return nil, fmt.Errorf("run: --users-poll must not be negative: %s", c.UsersPoll)
	}
	return c, nil
}

// validateHTTP checks the HTTP hardening options and parses the trusted
// proxies.
func (c *runConfig) validateHTTP() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"http-read-header-timeout", c.HTTPReadHeaderTimeout}, {"http-read-timeout", c.HTTPReadTimeout},
		{"http-write-timeout", c.HTTPWriteTimeout}, {"http-idle-timeout", c.HTTPIdleTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("run: --%s must be positive: %s", d.name, d.v)
		}
	}
	if c.HTTPMaxConns < 1 || c.HTTPMaxConnsPerIP < 1 {
		return fmt.Errorf("run: --http-max-conns and --http-max-conns-per-ip must be at least 1: %d, %d", c.HTTPMaxConns, c.HTTPMaxConnsPerIP)
	}
	if (c.HTTPCertFile == "") != (c.HTTPKeyFile == "") {
		return errors.New("run: --http-cert-file and --http-key-file go together")
	}
	ps, err := parsePrefixes(c.TrustedProxies)
	if err != nil {
		return fmt.Errorf("run: --trusted-proxy: %w", err)
	}
	c.trustedProxies = ps
	return nil
}

// parsePrefixes parses CIDRs and single addresses (comma-separated too).
func parsePrefixes(vals []string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, v := range vals {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if p, err := netip.ParsePrefix(f); err == nil {
				ps = append(ps, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is neither a CIDR nor an address", f)
			}
			ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return ps, nil
}
