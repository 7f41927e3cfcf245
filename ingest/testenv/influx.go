package testenv

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// InfluxDB timing.
const (
	// influxd answers /ping only after compiling Flux's standard library, about 5 s of CPU.
	influxReadyTimeout = 120 * time.Second
	influxGrace        = 15 * time.Second
	influxHTTPTimeout  = 30 * time.Second
)

// DefaultDatabase is the database Influx creates.
const DefaultDatabase = "campusguard"

// InfluxOptions changes the server that InfluxWith starts.
type InfluxOptions struct {
	// Database is created when the server starts; DefaultDatabase when empty.
	Database string
	// DisableFlux turns Flux and /api/v2/query off. influxd 1.8 spends about 5 s of CPU
	// compiling Flux's standard library at every start, so tests that only write and count
	// start (and restart) much faster without it. The v2 write API works either way.
	DisableFlux bool
	// NoSeriesLimits lifts influxd's max-series-per-database (1,000,000)
	// and max-values-per-tag (100,000, which a registry of more devices
	// exceeds on the device tag), as a deployment that size must.
	NoSeriesLimits bool
	// TSI keeps the series index on disk (index-version = "tsi1"), as
	// deploy/influxdb.conf does; the default in-memory index is quicker to
	// start and fine for the small registries of most tests. With a million
	// new series the in-memory index took influxd to 14 GiB.
	TSI bool
}

// InfluxServer is a running InfluxDB 1.8 server owned by one test.
type InfluxServer struct {
	url    string
	db     string
	client *http.Client
	ready  func() error
	daemon *daemon
}

// Influx starts a real influxd 1.8 on free loopback ports (HTTP and RPC), with a generated
// configuration in t.TempDir(): Flux enabled (see InfluxOptions.DisableFlux), no authentication,
// reporting disabled, data, meta and WAL in the temporary directory, logging at warn level.
// It returns once GET /ping answers 204 and the database DefaultDatabase exists, and stops
// the server when the test ends; its log is shown if the test failed. The binary comes from
// CAMPUSGUARD_INFLUXD, else var/bin/influxd in the module root, else PATH; when none exists
// the test is skipped, or fails when CAMPUSGUARD_REQUIRE_SERVERS=1.
func Influx(t testing.TB) *InfluxServer {
	t.Helper()
	return InfluxWith(t, InfluxOptions{})
}

// InfluxWith is Influx with options.
func InfluxWith(t testing.TB, opts InfluxOptions) *InfluxServer {
	t.Helper()
	bin := requireBinary(t, "influxd", findInfluxd)
	dir := t.TempDir()
	s := &InfluxServer{db: opts.Database, client: &http.Client{Timeout: influxHTTPTimeout}}
	if s.db == "" {
		s.db = DefaultDatabase
	}
	s.daemon = launch(t, "influxd", influxReadyTimeout, func() (*daemon, func() error, error) {
		ports, err := freePorts(2)
		if err != nil {
			return nil, nil, err
		}
		s.url = "http://" + loopback(ports[0])
		conf := filepath.Join(dir, "influxdb.conf")
		if err := os.WriteFile(conf, []byte(influxConfig(t.Name(), ports[0], ports[1], dir, !opts.DisableFlux, opts.NoSeriesLimits, opts.TSI)), 0o644); err != nil {
			return nil, nil, fmt.Errorf("testenv: influxd config: %w", err)
		}
		s.ready = s.readyProbe()
		return &daemon{
			name:    "influxd",
			path:    bin,
			args:    []string{"run", "-config", conf},
			env:     childEnv("INFLUXDB_"), // INFLUXDB_* variables override the config file
			logPath: filepath.Join(dir, "influxd.log"),
			grace:   influxGrace,
		}, s.ready, nil
	})
	return s
}

// URL returns the server's HTTP address, "http://127.0.0.1:port".
func (s *InfluxServer) URL() string { return s.url }

// Database returns the database created at start.
func (s *InfluxServer) Database() string { return s.db }

// Bucket returns the database's default retention policy as a v2 API bucket,
// "campusguard/autogen", for influxdb-client-go.
func (s *InfluxServer) Bucket() string { return s.db + "/autogen" }

// PID is the influxd process id while the server runs (0 when stopped), for
// benchmarks that read its CPU time from /proc.
func (s *InfluxServer) PID() int { return s.daemon.pid() }

// Stop stops the server (SIGTERM, then SIGKILL after a grace period) and keeps its data.
// Clients see connections refused until Start.
func (s *InfluxServer) Stop(t testing.TB) {
	t.Helper()
	halt(t, s.daemon)
}

// Start starts a stopped server again on the same ports with the same data.
func (s *InfluxServer) Start(t testing.TB) {
	t.Helper()
	restart(t, s.daemon, influxReadyTimeout, s.ready)
}

// readyProbe returns a probe that succeeds once /ping answers 204 and the database exists.
func (s *InfluxServer) readyProbe() func() error {
	ping := &http.Client{Timeout: time.Second}
	return func() error {
		resp, err := ping.Get(s.url + "/ping")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("GET /ping: %s", resp.Status)
		}
		// Idempotent, so a restart runs it again harmlessly.
		_, err = s.query("CREATE DATABASE " + quoteIdent(s.db))
		return err
	}
}

// influxConfig renders influxd 1.8's configuration file.
func influxConfig(test string, httpPort, rpcPort int, dir string, flux, noLimits, tsi bool) string {
	limits := ""
	if noLimits {
		limits = "  max-series-per-database = 0\n  max-values-per-tag = 0\n"
	}
	if tsi {
		limits += "  index-version = \"tsi1\"\n"
	}
	return fmt.Sprintf(`# Generated by campusguard's testenv for %s.
reporting-disabled = true
# The RPC service (backup and restore) binds too; the default 8088 would collide.
bind-address = %q

[meta]
  dir = %q
  logging-enabled = false

[data]
  dir = %q
  wal-dir = %q
  query-log-enabled = false
  trace-logging-enabled = false
%s
[coordinator]
  log-queries-after = "0s"

[monitor]
  # No _internal database written every 10 s.
  store-enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = %q
  auth-enabled = false
  log-enabled = false
  suppress-write-log = true
  flux-enabled = %t
  flux-log-enabled = false

[logging]
  level = "warn"
  suppress-logo = true

[continuous_queries]
  log-enabled = false
`, test, loopback(rpcPort),
		filepath.Join(dir, "meta"), filepath.Join(dir, "data"), filepath.Join(dir, "wal"), limits,
		loopback(httpPort), flux)
}
