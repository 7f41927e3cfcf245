package peerbench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// steadyCase is one steady run: the demo city's simulator at its own
// rate plus extra uniform load, or no simulator at all (idle).
type steadyCase struct {
	name  string
	sim   bool
	extra int // messages/s on top of the simulated school day
}

// Steady is the outcome of one steady run.
type Steady struct {
	Consumer, Case string
	CPUPercent     float64 // of one core, over the window
	Rate           float64 // messages/s received by campusguard over the window
	RSS, Peak      int64
}

// BenchmarkPeerSteady runs campusguard (and CAMPUSGUARD_BEFORE_BIN when
// set) on the demo city for PEER_STEADY_SECONDS after a 20 s warm-up: idle
// (no devices), at the simulated school day's own rate (`campusguard sim`,
// real time), and at a city's rate (the day plus PEER_CITY_RATE uniform
// messages/s, ≈1,870 msg/s in all). It prints CPU % of one core, the
// message rate and RSS of the campusguard process.
func BenchmarkPeerSteady(b *testing.B) {
	requirePeer(b)
	window := time.Duration(envInt(b, envSteadySecs, 60)) * time.Second
	cases := []steadyCase{{"idle", false, 0}, {"demo day", true, 0}, {"city rate", true, envInt(b, envCityRate, 1660)}}
	bin := campusguardBin(b)
	consumers := []struct{ name, bin string }{{Campusguard, bin}}
	if p := os.Getenv(envBefore); p != "" {
		consumers = append(consumers, struct{ name, bin string }{Before, absPath(b, p)})
	}
	_, regPath := writeRegistry(b, b.TempDir())
	var out []Steady
	for _, sc := range cases {
		for _, c := range consumers {
			b.Run(c.name+"/"+strings.ReplaceAll(sc.name, " ", "-"), func(b *testing.B) {
				s := steady(b, c.name, c.bin, bin, regPath, sc, window)
				out = append(out, s)
				b.ReportMetric(s.CPUPercent, "%cpu")
				b.ReportMetric(s.Rate, "msgs/s")
				b.ReportMetric(float64(s.RSS>>20), "MiB-rss")
			})
		}
	}
	fmt.Printf("\n### Steady: demo city, %s window after 20 s warm-up, %s\n\n| consumer | load | messages/s | CPU of one core | RSS | peak RSS |\n|---|---|---|---|---|---|\n",
		window, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	for _, s := range out {
		fmt.Printf("| %s | %s | %.0f | %.1f %% | %d MiB | %d MiB |\n", s.Consumer, s.Case, s.Rate, s.CPUPercent, s.RSS>>20, s.Peak>>20)
	}
}

func steady(b *testing.B, name, bin, simBin, regPath string, sc steadyCase, window time.Duration) Steady {
	mq := testenv.MosquittoWith(b, testenv.MosquittoOptions{Config: []string{inflight}})
	db := testenv.Influx(b)
	dir := b.TempDir()
	cons, err := startCampusguard(b, name, bin, dir, regPath, mq.URL(), db.URL(), db.Bucket(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cons.Stop(30 * time.Second)
		mq.Stop(b)
		db.Stop(b)
	}()
	if sc.sim {
		sim, err := Start("sim", simBin, dir, "sim", "--broker", mq.URL(), "--registry", regPath,
			"--rate", strconv.Itoa(sc.extra), "--log-format", "json")
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = sim.Stop(30 * time.Second) }()
	}
	<-time.After(20 * time.Second) // warm-up: a measuring window, not a wait for an event
	u0, n0 := usage(b, cons.PID()), received(b, cons.HTTPAddr)
	<-time.After(window)
	u1, n1 := usage(b, cons.PID()), received(b, cons.HTTPAddr)
	el := u1.Taken.Sub(u0.Taken).Seconds()
	return Steady{Consumer: name, Case: sc.name, CPUPercent: 100 * (u1.CPU - u0.CPU).Seconds() / el,
		Rate: (n1 - n0) / el, RSS: u1.RSS, Peak: u1.Peak}
}

// received reads campusguard_ingest_received_total from /metrics.
func received(b *testing.B, addr string) float64 {
	v, ok := metricValue(addr, "campusguard_ingest_received_total")
	if !ok {
		b.Fatalf("no campusguard_ingest_received_total on %s/metrics", addr)
	}
	return v
}

// metricValue reads an unlabelled series from campusguard's /metrics.
func metricValue(addr, name string) (float64, bool) {
	for _, l := range strings.Split(metricLines(addr, name+" "), "\n") {
		if f := strings.Fields(l); len(f) == 2 {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}
