package testenv

import (
	"testing"
	"time"
)

// startAttempts is how many fresh ports a first start tries: a free port can be taken by
// another process between choosing it and the server binding it.
const startAttempts = 3

// launch starts a daemon for the first time, building it with newDaemon for each attempt
// (each with fresh ports), and registers its shutdown in t.Cleanup. It ends the test with
// the server's log when no attempt comes up.
func launch(t testing.TB, name string, timeout time.Duration, newDaemon func() (*daemon, func() error, error)) *daemon {
	t.Helper()
	var (
		d   *daemon
		err error
	)
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var ready func() error
		d, ready, err = newDaemon()
		if err != nil {
			t.Fatal(err)
		}
		if err = d.start(timeout, ready); err == nil {
			break
		}
		t.Logf("testenv: %s start attempt %d of %d: %v", name, attempt, startAttempts, err)
	}
	if err != nil {
		dumpLog(t, name, d.logPath)
		t.Fatalf("testenv: %s: giving up after %d attempts: %v", name, startAttempts, err)
	}
	t.Cleanup(func() { shutdown(t, d) })
	return d
}

// shutdown stops a daemon at the end of a test, fails the test if the server had died on its
// own, and shows the server's log when the test failed.
func shutdown(t testing.TB, d *daemon) {
	t.Helper()
	if crashed, err := d.exited(); crashed {
		t.Errorf("testenv: %s exited during the test (%v)", d.name, err)
	}
	if err := d.stop(); err != nil {
		t.Error(err)
	}
	if t.Failed() {
		dumpLog(t, d.name, d.logPath)
	}
}

// restart starts a stopped daemon again with the same configuration and ports.
func restart(t testing.TB, d *daemon, timeout time.Duration, ready func() error) {
	t.Helper()
	if err := d.start(timeout, ready); err != nil {
		dumpLog(t, d.name, d.logPath)
		t.Fatal(err)
	}
}

// halt stops a daemon in the middle of a test; Start can bring it back.
func halt(t testing.TB, d *daemon) {
	t.Helper()
	if err := d.stop(); err != nil {
		t.Error(err)
	}
}
