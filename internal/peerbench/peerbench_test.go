package peerbench

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis: fields count from the last ')'.
	stat := []byte("4242 (tele graf) x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 12 0 1234 0 0\n")
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3250 * time.Millisecond; got != want {
		t.Fatalf("CPU %v, want %v (250 + 75 ticks of 10 ms)", got, want)
	}
	for _, bad := range []string{"", "1 (x S 1", "1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 -5 1 0"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("parseStatCPU(%q) took it", bad)
		}
	}
}

func TestStatusKiB(t *testing.T) {
	status := []byte("Name:\tcampusguard\nVmHWM:\t  146120 kB\nVmRSS:\t   98304 kB\n")
	if n, err := statusKiB(status, "VmHWM:"); err != nil || n != 146120<<10 {
		t.Fatalf("VmHWM = %d, %v", n, err)
	}
	if _, err := statusKiB(status, "VmSwap:"); err == nil {
		t.Fatal("a missing line was read")
	}
	if _, err := statusKiB([]byte("VmHWM: 12 MB\n"), "VmHWM:"); err == nil {
		t.Fatal("a line in MB was read as kB")
	}
}

func TestReadUsageOfThisProcess(t *testing.T) {
	u, err := ReadUsage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if u.Peak <= 0 || u.RSS <= 0 || u.RSS > u.Peak {
		t.Fatalf("RSS %d, peak %d", u.RSS, u.Peak)
	}
}

func TestMedianAndSummary(t *testing.T) {
	if m := median([]time.Duration{3, 1, 2}); m != 2 {
		t.Fatalf("median of 3 = %v", m)
	}
	if m := median([]int64{4, 1, 3, 2}); m != 2 {
		t.Fatalf("median of 4 = %v (integer mean of 2 and 3)", m)
	}
	runs := []Run{
		{Consumer: Campusguard, Messages: 100, Stored: 100, CPU: 2 * time.Millisecond, Elapsed: 10 * time.Second, Peak: 100 << 20, InfluxCPU: 5 * time.Second},
		{Consumer: Telegraf, Messages: 100, Stored: 99, CPU: 5 * time.Millisecond, Elapsed: 8 * time.Second, Peak: 200 << 20, InfluxCPU: 5 * time.Second},
	}
	f := Summarise(runs, Telegraf)
	if f.Runs != 1 || f.Lost != 1 || f.PerMessage != 50*time.Microsecond {
		t.Fatalf("summary %+v", f)
	}
	rep := Report(runs)
	for _, want := range []string{
		"CPU per message: 0.40× Telegraf (limit 0.5×) PASS",
		"end to end: 1.25× Telegraf (limit 1.0×) FAIL",
		"peak RSS: 0.50× Telegraf (limit 1.0×) PASS",
		"InfluxDB CPU: 1.00× Telegraf (limit 1.1×) PASS",
		"loss: campusguard 0, Telegraf 1 FAIL",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
}

func TestBurstPayloadsAreValidAndUnique(t *testing.T) {
	reg := devices.Generate(devices.GenerateOptions{Seed: 1, Schools: 20})
	gates := Gates(reg)
	if len(gates) == 0 {
		t.Fatal("no gates")
	}
	base := time.Date(2026, 12, 3, 7, 0, 0, 0, devices.Location()) // every message in one millisecond: ts still unique
	ids, times := map[string]bool{}, map[string]bool{}
	for p := range 2 {
		for _, m := range Burst(gates, p, 50) {
			payload := m.At(base)
			var v map[string]string
			if err := json.Unmarshal(payload, &v); err != nil {
				t.Fatalf("%s: %v", payload, err)
			}
			if v["type"] != "access.granted" || v["person"] == "" || !strings.HasSuffix(m.Topic, "/event") {
				t.Fatalf("bad message %s %s", m.Topic, payload)
			}
			if at, err := time.Parse(time.RFC3339Nano, v["ts"]); err != nil || !at.Truncate(time.Millisecond).Equal(base) {
				t.Fatalf("ts %s (%v), want within the millisecond of %v", v["ts"], err, base)
			}
			if ids[v["id"]] || times[v["ts"]] {
				t.Fatalf("id %s or ts %s repeated", v["id"], v["ts"])
			}
			ids[v["id"]], times[v["ts"]] = true, true
		}
	}
}

func TestTelegrafConfig(t *testing.T) {
	c := TelegrafConfig("tcp://127.0.0.1:1883", "http://127.0.0.1:8086", "campusguard/autogen", "bench", 20000)
	for _, want := range []string{`servers = ["tcp://127.0.0.1:1883"]`, "qos = 1", "persistent_session = true",
		`client_id = "bench"`, "max_undelivered_messages = 20000", `bucket = "campusguard/autogen"`,
		"metric_batch_size = 5000", `path = "person"`, `tags = "_/region/school/kind/device/_"`} {
		if !strings.Contains(c, want) {
			t.Errorf("config lacks %q:\n%s", want, c)
		}
	}
}

// TestPoll: Poll ends when step is done, and gives up once progress
// stops for the stall time; while progress moves it keeps going.
func TestPoll(t *testing.T) {
	calls := 0
	if !Poll(nil, time.Millisecond, time.Hour, func() (bool, float64) {
		calls++
		return calls == 5, float64(calls)
	}) || calls != 5 {
		t.Errorf("Poll with progress: %d calls, want done at 5", calls)
	}
	calls = 0
	if Poll(nil, time.Millisecond, 20*time.Millisecond, func() (bool, float64) {
		calls++
		return false, 7
	}) {
		t.Error("Poll without progress reported done")
	}
	if calls < 2 {
		t.Errorf("Poll gave up after %d calls, before any stall", calls)
	}
}
