package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// buildBinary builds campusguard once per test binary run.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "campusguard-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "campusguard")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// startProcess starts campusguard as a child process with args.
func startProcess(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &testWriter{t: t, prefix: "campusguard: "}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

type testWriter struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	done   bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done && strings.Contains(string(p), `"level":"error"`) {
		w.t.Log(w.prefix + strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// TestSIGKILLMidStream kills campusguard with SIGKILL while messages flow
// and starts it again on the same spool: every message the broker
// acknowledged to the publisher ends up in InfluxDB, exactly once.
func TestSIGKILLMidStream(t *testing.T) {
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	spoolDir := filepath.Join(t.TempDir(), "spool")
	httpAddr := freeAddr(t)
	args := []string{"run", "--registry", regPath, "--broker", mq.URL(), "--influx-url", db.URL(),
		"--influx-bucket", db.Bucket(), "--spool-dir", spoolDir, "--state-dir", filepath.Join(t.TempDir(), "state"), "--http", httpAddr, "--no-auth", "--log-format", "json", "--log-level", "warn"}

	const total = 20000
	msgs := accessEvents(reg, total, "kill", time.Now().Add(-time.Minute))
	first := startProcess(t, bin, args...)
	// Publish only once campusguard's persistent session exists: before its
	// first subscription the broker has nobody to keep messages for.
	waitReady(t, httpAddr)

	pub := newPublisher(t, mq.URL(), "kill-pub")
	published := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < total && err == nil; i += 1000 {
			err = pub.publish(msgs[i : i+1000])
		}
		published <- err
	}()

	// Kill once part of the stream is stored: mid-stream by construction.
	eventually(t, 60*time.Second, "some events stored before the kill", func() (bool, string) {
		n := db.Count(t, "access")
		return n >= 2000, "access points " + strconv.Itoa(n)
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	atKill := db.Count(t, "access")
	t.Logf("killed with %d of %d events in InfluxDB", atKill, total)

	startProcess(t, bin, args...)
	if err := <-published; err != nil { // every message is now acknowledged by the broker
		t.Fatal(err)
	}
	got := db.WaitCount(t, "access", total, 120*time.Second)
	t.Logf("after restart: %d of %d events in InfluxDB", got, total)
	if atKill >= total {
		t.Errorf("the kill happened after the stream ended (%d stored); not a mid-stream test", atKill)
	}
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls /readyz until campusguard answers 200.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	eventually(t, 60*time.Second, "campusguard ready", func() (bool, string) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	})
}
