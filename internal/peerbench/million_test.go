package peerbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// envSchools sets the schools of BenchmarkPeerMillion's registry; the
// default, 166,000, gives 1,009,917 devices.
const envSchools = "PEER_MILLION_SCHOOLS"

// BenchmarkPeerMillion is issue 10's scale run: `registry gen` for about a
// million devices, `registry compile`, then `campusguard run` on it
// (external Mosquitto and influxd) — the time from start to /readyz —,
// one heartbeat from every device, campusguard's RSS once it has received
// and written every one (its spool empty), and how many InfluxDB holds.
//
//	CAMPUSGUARD_PEER=1 go test -run '^$' -bench PeerMillion -benchtime 1x -timeout 60m ./internal/peerbench
func BenchmarkPeerMillion(b *testing.B) {
	requirePeer(b)
	bin := campusguardBin(b)
	dir := b.TempDir()
	yamlPath, cgr := filepath.Join(dir, "registry.yaml"), filepath.Join(dir, "registry.cgr")
	schools := envInt(b, envSchools, 166_000)
	for _, args := range [][]string{
		{"registry", "gen", "-schools", fmt.Sprint(schools), "-o", yamlPath},
		{"registry", "compile", yamlPath, cgr},
	} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			b.Fatalf("campusguard %v: %v\n%s", args, err, out)
		}
	}
	_ = os.Remove(yamlPath)
	reg, err := devices.Load(cgr)
	if err != nil {
		b.Fatal(err)
	}
	n := reg.DeviceCount()

	mq := testenv.MosquittoWith(b, testenv.MosquittoOptions{Config: []string{inflight}})
	db := testenv.InfluxWith(b, testenv.InfluxOptions{NoSeriesLimits: true, TSI: true}) // a million values of the device tag; the on-disk index, as deploy/influxdb.conf
	started := time.Now()
	cons, err := startCampusguard(b, Campusguard, bin, dir, cgr, mq.URL(), db.URL(), db.Bucket(), strings.Fields(os.Getenv(envExtraArgs)))
	if err != nil {
		b.Fatal(err)
	}
	ready := time.Since(started)
	defer func() {
		_ = cons.Stop(time.Minute)
		mq.Stop(b)
		db.Stop(b)
	}()
	atReady := usage(b, cons.PID())

	pub := connectPublisher(b, mq.URL(), 4, "peer-million")
	defer pub.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for part := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := part; i < n; i += 4 {
				d := reg.DeviceAt(i)
				s := d.School()
				topic := fmt.Sprintf("campus/%s/%s/%s/%s/heartbeat", s.Region, s.ID, d.Kind, d.ID)
				payload := fmt.Appendf(nil, `{"ts":%q}`, time.Now().Format(time.RFC3339Nano))
				if err := pub.Publish(ctx, topic, 1, false, payload); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := pub.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	// Wait on campusguard's own counters: counting a million series in
	// influxd while it is still writing them takes longer than its query
	// timeout and only slows it down.
	if !Poll(cons, 5*time.Second, 3*time.Minute, func() (bool, float64) {
		recv, ok1 := metricValue(cons.HTTPAddr, "campusguard_ingest_received_total")
		spooled, ok2 := metricValue(cons.HTTPAddr, "campusguard_spool_records")
		written, ok3 := metricValue(cons.HTTPAddr, "campusguard_influx_written_records_total")
		return ok1 && ok2 && ok3 && recv >= float64(n) && spooled == 0, written
	}) {
		b.Logf("campusguard wrote nothing for 3 minutes; stopped waiting (log tail:\n%s)", cons.Tail(2000))
	}
	end := usage(b, cons.PID())
	stored := -1
	// influxd may still be compacting: a few slow queries.
	Poll(nil, 10*time.Second, 5*time.Minute, func() (bool, float64) {
		stored, err = db.TryCountField("heartbeat", "id")
		return err == nil, 0
	})
	if err != nil {
		b.Logf("counting the stored heartbeats: %v", err)
	}
	b.ReportMetric(ready.Seconds(), "s-to-ready")
	b.ReportMetric(float64(end.RSS>>20), "MiB-rss")
	fmt.Printf("\n### A million devices: %d schools, %d devices, %s\n\n"+
		"| start to ready | RSS at ready | RSS after every heartbeat | peak RSS | heartbeats stored |\n|---|---|---|---|---|\n"+
		"| %.1f s | %d MiB | %d MiB | %d MiB | %d of %d |\n",
		len(reg.Schools), n, time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		ready.Seconds(), atReady.RSS>>20, end.RSS>>20, end.Peak>>20, stored, n)
}
