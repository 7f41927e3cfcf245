package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestReadyzSpoolDiskFull (issue 7, item 3): with MQTT and InfluxDB up but
// the spool's filesystem full, /readyz is not ready (the reason is not in
// the body); once an operator frees space, campusguard stores what waited
// and is ready again, without a restart.
func TestReadyzSpoolDiskFull(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.InfluxWith(t, testenv.InfluxOptions{DisableFlux: true})
	reg, regPath := testRegistry(t, 5)
	c := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	fs := testenv.Tmpfs(t, 2<<20)
	c.SpoolDir = filepath.Join(fs, "spool")
	a := startApp(t, c)
	readyz := "http://" + a.http.Addr() + "/readyz"
	eventually(t, 60*time.Second, "ready before the disk fills", func() (bool, string) {
		code, body := get(t, readyz)
		return code == http.StatusOK, body
	})

	ballast := fillFS(t, filepath.Join(fs, "ballast"))
	const n = 50
	pub := newPublisher(t, mq.URL(), "diskfull-pub")
	pub.publishAll(t, accessEvents(reg, n, "full", time.Now().Add(-time.Minute)))
	eventually(t, 60*time.Second, "/readyz not ready on a full spool disk", func() (bool, string) {
		code, body := get(t, readyz)
		var rd readiness
		_ = json.Unmarshal([]byte(body), &rd)
		return code == http.StatusServiceUnavailable && rd.Spool == "down" && rd.MQTT == "up" && rd.Influx == "up", body
	})

	if err := os.Remove(ballast); err != nil { // an operator frees space
		t.Fatal(err)
	}
	db.WaitCount(t, "access", n, 60*time.Second)
	eventually(t, 60*time.Second, "/readyz ready once space returned", func() (bool, string) {
		code, body := get(t, readyz)
		return code == http.StatusOK, body
	})
}

// fillFS writes path until its filesystem is full and returns path.
func fillFS(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}
