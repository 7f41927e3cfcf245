package peerbench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// Environment of the peer benchmarks (make bench-peer sets the first three).
const (
	envPeer       = "CAMPUSGUARD_PEER"       // "1" runs them; otherwise they are skipped
	envBin        = "CAMPUSGUARD_BIN"        // campusguard binary (default: built from this module)
	envTelegraf   = "CAMPUSGUARD_TELEGRAF"   // telegraf binary (default var/bin/telegraf)
	envBefore     = "CAMPUSGUARD_BEFORE_BIN" // optional: an older campusguard, run as a third consumer
	envMessages   = "PEER_MESSAGES"          // per publisher, default 100,000
	envPublishers = "PEER_PUBLISHERS"        // default 4
	envRuns       = "PEER_RUNS"              // rounds of the burst, default 3
	envSteadySecs = "PEER_STEADY_SECONDS"    // measuring window of the steady runs, default 60
	envCityRate   = "PEER_CITY_RATE"         // extra uniform load of the city-rate run, default 1,660 msg/s
	envExtraArgs  = "PEER_CAMPUSGUARD_ARGS"  // extra flags for the current campusguard, e.g. --pprof-listen 127.0.0.1:6060
	benchClientID = "campusguard-peer-bench" // the consumer's MQTT client id (both consumers)
	topicFilter   = "campus/+/+/+/+/+"       // what both consumers subscribe to
	inflight      = "max_inflight_messages 20000"
)

func requirePeer(b *testing.B) {
	if os.Getenv(envPeer) != "1" {
		b.Skipf("the peer benchmarks take minutes: run make bench-peer (or set %s=1)", envPeer)
	}
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// campusguardBin is $CAMPUSGUARD_BIN or a fresh build of ./cmd/campusguard.
func campusguardBin(b *testing.B) string {
	if p := os.Getenv(envBin); p != "" {
		return absPath(b, p)
	}
	out := filepath.Join(b.TempDir(), "campusguard")
	cmd := exec.Command("go", "build", "-o", out, "github.com/campusguard/campusguard/cmd/campusguard")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build campusguard: %v\n%s", err, msg)
	}
	return out
}

func telegrafBin(b *testing.B) string {
	p := os.Getenv(envTelegraf)
	if p == "" {
		p = filepath.Join("..", "..", "var", "bin", "telegraf")
	}
	p = absPath(b, p)
	if _, err := os.Stat(p); err != nil {
		b.Fatalf("telegraf: %v (make deps-telegraf builds it, or set %s)", err, envTelegraf)
	}
	return p
}

func absPath(b *testing.B, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// writeRegistry writes the demo city's registry (devices.Generate, seed 1)
// as YAML into dir.
func writeRegistry(b *testing.B, dir string) (*devices.Registry, string) {
	reg := devices.Generate(devices.GenerateOptions{Seed: 1})
	path := filepath.Join(dir, "registry.yaml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := reg.WriteYAML(f); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return reg, path
}

// BenchmarkPeerBurst is issue 10's side-by-side run: for each round, a
// fresh Mosquitto and influxd, then PEER_PUBLISHERS × PEER_MESSAGES QoS 1
// access.granted events of the demo city's real gates through one
// consumer, until InfluxDB holds every one; campusguard, Telegraf and (if
// CAMPUSGUARD_BEFORE_BIN is set) the older campusguard take turns. It
// prints the runs, the medians with their ratios to Telegraf and the
// acceptance verdict (stdout, Markdown).
//
//	make bench-peer
//	CAMPUSGUARD_PEER=1 PEER_MESSAGES=5000 PEER_RUNS=1 go test -run '^$' -bench PeerBurst -benchtime 1x ./internal/peerbench
func BenchmarkPeerBurst(b *testing.B) {
	requirePeer(b)
	perPub, pubs, rounds := envInt(b, envMessages, 100_000), envInt(b, envPublishers, 4), envInt(b, envRuns, 3)
	consumers := []struct{ name, bin string }{{Campusguard, campusguardBin(b)}, {Telegraf, ""}}
	if p := os.Getenv(envBefore); p != "" {
		consumers = append(consumers, struct{ name, bin string }{Before, absPath(b, p)})
	}
	reg, regPath := writeRegistry(b, b.TempDir())
	gates := Gates(reg)
	msgs := make([][]Message, pubs)
	for p := range msgs {
		msgs[p] = Burst(gates, p, perPub)
	}
	var runs []Run
	for round := 1; round <= rounds; round++ {
		for _, c := range consumers {
			b.Run(fmt.Sprintf("%s/round-%d", c.name, round), func(b *testing.B) {
				bin := c.bin
				if c.name == Telegraf {
					bin = telegrafBin(b)
				}
				r := burst(b, c.name, bin, regPath, msgs)
				r.Round = round
				runs = append(runs, r)
				b.ReportMetric(float64(r.PerMessage())/float64(time.Microsecond), "µs-cpu/msg")
				b.ReportMetric(r.Elapsed.Seconds(), "s-end-to-end")
				b.ReportMetric(float64(r.Peak>>20), "MiB-peak-rss")
				b.ReportMetric(r.InfluxCPU.Seconds(), "s-influxd-cpu")
			})
		}
	}
	fmt.Printf("\n### Burst: %d publishers × %d QoS 1 access.granted, %d gates, %d round(s), %s\n\n%s\n",
		pubs, perPub, len(gates), rounds, time.Now().UTC().Format("2006-01-02 15:04 UTC"), Report(runs))
}

// burst runs one round through one consumer on fresh servers.
func burst(b *testing.B, name, bin, regPath string, msgs [][]Message) Run {
	mq := testenv.MosquittoWith(b, testenv.MosquittoOptions{Config: []string{inflight}})
	db := testenv.Influx(b)
	dir := b.TempDir()
	cons := startConsumer(b, name, bin, dir, regPath, mq, db)
	defer func() {
		if err := cons.Stop(30 * time.Second); err != nil {
			b.Log(err)
		}
		mq.Stop(b)
		db.Stop(b)
	}()

	pub := connectPublisher(b, mq.URL(), len(msgs), "peer-pub")
	defer pub.Close()
	ctx := context.Background()
	total := 0
	for _, m := range msgs {
		total += len(m)
	}

	// The burst is measured, not the consumer's start: campusguard writes
	// its compliance rows (today's, the week's, month's and term's: ~38,000
	// points for the demo city) once at start-up, a daily cost.
	settle(b, db)
	c0, i0 := usage(b, cons.PID()), usage(b, db.PID())
	var wg sync.WaitGroup
	errs := make(chan error, len(msgs))
	for _, part := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range part {
				if err := pub.Publish(ctx, m.Topic, 1, false, m.At(time.Now())); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	if err := pub.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	if st := pub.Stats(); st.Failed > 0 {
		b.Fatalf("%d publishes failed: %v", st.Failed, st.LastErr)
	}

	// Until every point is stored, or nothing more arrives for a minute.
	stored := 0
	var c1, i1 Usage
	if !Poll(cons, 250*time.Millisecond, time.Minute, func() (bool, float64) {
		if n, err := countPoints(db); err == nil {
			stored = n
		}
		c1, i1 = usage(b, cons.PID()), usage(b, db.PID())
		return stored >= total, float64(stored)
	}) {
		b.Logf("%s stored %d of %d; stopped waiting (log tail:\n%s)", name, stored, total, cons.Tail(2000))
	}
	if testing.Verbose() {
		b.Logf("influxd's HTTP counters after %s: %s", name, influxHTTPStats(db.URL()))
	}
	if cons.HTTPAddr != "" && testing.Verbose() {
		b.Logf("%s's InfluxDB writer:\n%s", name, metricLines(cons.HTTPAddr, "campusguard_influx_"))
	}
	return Run{Consumer: name, Messages: total, Stored: stored, CPU: c1.CPU - c0.CPU, Elapsed: c1.Taken.Sub(c0.Taken),
		Peak: c1.Peak, InfluxCPU: i1.CPU - i0.CPU}
}

// connectPublisher connects a QoS 1 publisher of n clients (1,000 in
// flight each) to the broker; the caller closes it.
func connectPublisher(b *testing.B, url string, n int, clientID string) *sim.MQTTPublisher {
	pub, err := sim.NewMQTTPublisher(url, n, 1, sim.WithClientID(clientID), sim.WithInFlight(1000))
	if err != nil {
		b.Fatal(err)
	}
	if err := pub.Connect(context.Background()); err != nil {
		b.Fatal(err)
	}
	return pub
}

// countPoints counts the burst's points (access events carry a person).
func countPoints(db *testenv.InfluxServer) (int, error) { return db.TryCountField("access", "person") }

func usage(b *testing.B, pid int) Usage {
	u, err := ReadUsage(pid)
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// startConsumer starts campusguard or Telegraf against the servers and
// waits until it is subscribed (the broker logs the subscription).
func startConsumer(b *testing.B, name, bin, dir, regPath string, mq *testenv.MosquittoServer, db *testenv.InfluxServer) *Process {
	var p *Process
	var err error
	if name == Telegraf {
		cfg := filepath.Join(dir, "telegraf.conf")
		if err := os.WriteFile(cfg, []byte(TelegrafConfig(mq.URL(), db.URL(), db.Bucket(), benchClientID, 20000)), 0o600); err != nil {
			b.Fatal(err)
		}
		p, err = Start(name, bin, dir, "--config", cfg)
	} else {
		var extra []string
		if name == Campusguard {
			extra = strings.Fields(os.Getenv(envExtraArgs))
		}
		p, err = startCampusguard(b, name, bin, dir, regPath, mq.URL(), db.URL(), db.Bucket(), extra)
	}
	if err != nil {
		b.Fatal(err)
	}
	subscribed := benchClientID + " 1 " + topicFilter
	if err := p.WaitFor("subscription", 2*time.Minute, 100*time.Millisecond, func() bool {
		return strings.Contains(mq.Log(b), subscribed)
	}); err != nil {
		_ = p.Stop(10 * time.Second)
		b.Fatal(err)
	}
	return p
}

// startCampusguard runs `campusguard run` on an external broker and
// InfluxDB with production defaults, and waits for /readyz.
func startCampusguard(b *testing.B, name, bin, dir, regPath, broker, influxURL, bucket string, extra []string) (*Process, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"run", "--registry", regPath, "--broker", broker, "--mqtt-client-id", benchClientID,
		"--influx-url", influxURL, "--influx-bucket", bucket, "--spool-dir", filepath.Join(dir, "spool"),
		"--state-dir", filepath.Join(dir, "state"), "--http", addr, "--no-auth", "--log-level", "warn"}
	p, err := Start(name, bin, dir, append(args, extra...)...)
	if err != nil {
		return nil, err
	}
	if err := p.WaitFor("/readyz 200", 3*time.Minute, 100*time.Millisecond, HTTPReady("http://"+addr+"/readyz")); err != nil {
		_ = p.Stop(10 * time.Second)
		return nil, err
	}
	p.HTTPAddr = addr
	return p, nil
}

// metricLines returns the lines of campusguard's /metrics that start with
// prefix, for a verbose run's log.
func metricLines(addr, prefix string) string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out []string
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// influxHTTPStats returns influxd 1.8's HTTP request counters (/debug/vars),
// which tell what a consumer asked of InfluxDB besides writing.
func influxHTTPStats(url string) string {
	v, err := influxHTTPValues(url)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(v)
}

// influxHTTPValues reads the counters of influxd's HTTP service from
// /debug/vars (its section is named "httpd::<bind address>").
func influxHTTPValues(url string) (map[string]float64, error) {
	resp, err := http.Get(url + "/debug/vars")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var vars map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&vars); err != nil {
		return nil, err
	}
	for k, raw := range vars {
		var httpd struct {
			Values map[string]float64 `json:"values"`
		}
		if strings.HasPrefix(k, "httpd") && json.Unmarshal(raw, &httpd) == nil {
			return httpd.Values, nil
		}
	}
	return nil, fmt.Errorf("no httpd section in %s/debug/vars", url)
}

// settle waits until influxd has written no point for 3 s (its
// pointsWrittenOK counter), so a consumer's start-up writes are done.
func settle(b *testing.B, db *testenv.InfluxServer) {
	var last float64
	quietSince := time.Now()
	if !Poll(nil, 500*time.Millisecond, 3*time.Minute, func() (bool, float64) {
		n := influxPointsWritten(db.URL())
		if n != last {
			last, quietSince = n, time.Now()
		}
		return time.Since(quietSince) >= 3*time.Second, 0 // the deadline is the stall
	}) {
		b.Logf("influxd still writing points after 3 minutes (%v so far); measuring anyway", last)
	}
}

// influxPointsWritten is influxd's pointsWrittenOK counter (-1 when it
// cannot be read).
func influxPointsWritten(url string) float64 {
	v, err := influxHTTPValues(url)
	if err != nil {
		return -1
	}
	return v["pointsWrittenOK"]
}
