package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// accessEvents returns n distinct access.granted events spread over the
// access controllers of reg.
func accessEvents(reg *devices.Registry, n int, tag string, base time.Time) []sample {
	var gates []*devices.Device
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			if d := &reg.Schools[i].Devices[j]; d.Kind == devices.KindAccess {
				gates = append(gates, d)
			}
		}
	}
	spec := devices.Vocabulary["access.granted"]
	out := make([]sample, n)
	for i := range out {
		d := gates[i%len(gates)]
		ts := base.Add(time.Duration(i) * time.Millisecond)
		out[i] = sample{topic: topicOf(d, devices.ChannelEvent), measurement: devices.MeasAccess,
			payload: payloadFor(spec, d, fmt.Sprintf("%s-%d", tag, i), ts, true)}
	}
	return out
}

// TestInfluxOutage stops InfluxDB for 30 s while 10,000 events are
// published; campusguard keeps accepting into its spool and, without a
// restart, replays all of them when InfluxDB is back.
func TestInfluxOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("30 s outage scenario")
	}
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	a := startApp(t, baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket()))
	pub := newPublisher(t, mq.URL(), "outage-pub")

	// A first event proves the path works before the outage.
	pub.publishAll(t, accessEvents(reg, 1, "warm", time.Now().Add(-2*time.Minute)))
	db.WaitCount(t, "access", 1, 30*time.Second)

	db.Stop(t)
	outageEnds := time.Now().Add(30 * time.Second)
	msgs := accessEvents(reg, 10000, "outage", time.Now().Add(-time.Minute))
	// Publish in ten slices, one every 3 s: the outage lasts 30 s by the
	// scenario's definition (a ticker paces it; nothing waits on a guess).
	pace := time.NewTicker(3 * time.Second)
	defer pace.Stop()
	for i := 0; i < 10; i++ {
		pub.publishAll(t, msgs[i*1000:(i+1)*1000])
		if i == 4 {
			eventually(t, 30*time.Second, "spool grows while InfluxDB is down", func() (bool, string) {
				st := a.spool.Stats()
				return st.Depth >= 5000, fmt.Sprintf("depth %d", st.Depth)
			})
			if code, body := get(t, "http://"+a.http.Addr()+"/readyz"); code != http.StatusServiceUnavailable {
				t.Errorf("/readyz during the outage = %d %s, want 503", code, body)
			}
		}
		<-pace.C
	}
	<-time.After(time.Until(outageEnds))
	eventually(t, 30*time.Second, "all 10,000 accepted into the spool", func() (bool, string) {
		st := a.spool.Stats()
		return st.Depth >= 10000, fmt.Sprintf("depth %d", st.Depth)
	})
	st := a.spool.Stats()
	t.Logf("spool before InfluxDB returns: %d records, %d bytes", st.Depth, st.Bytes)
	db.Start(t)
	got := db.WaitCount(t, "access", 10001, 120*time.Second)
	t.Logf("after InfluxDB returned: %d access points", got)
	eventually(t, 30*time.Second, "spool drained", func() (bool, string) {
		st := a.spool.Stats()
		return st.Depth == 0, fmt.Sprintf("depth %d", st.Depth)
	})
	code, body := get(t, "http://"+a.http.Addr()+"/readyz")
	var rd readiness
	_ = json.Unmarshal([]byte(body), &rd)
	if code != http.StatusOK || !rd.Ready {
		t.Errorf("/readyz after the outage = %d %s", code, body)
	}
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b [4096]byte
	n, _ := resp.Body.Read(b[:])
	return resp.StatusCode, string(b[:n])
}
