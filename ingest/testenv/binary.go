package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Environment variables read by testenv.
const (
	// EnvMosquitto names the mosquitto binary to run.
	EnvMosquitto = "CAMPUSGUARD_MOSQUITTO"
	// EnvInfluxd names the influxd 1.8 binary to run.
	EnvInfluxd = "CAMPUSGUARD_INFLUXD"
	// EnvRequireServers, when "1", turns a missing binary into a test failure instead of a skip.
	EnvRequireServers = "CAMPUSGUARD_REQUIRE_SERVERS"
)

// errNotFound reports that a server binary could not be found.
var errNotFound = errors.New("binary not found")

// requireBinary returns the path of a server binary, or ends the test: with t.Skip normally,
// with t.Fatal when EnvRequireServers is "1".
func requireBinary(t testing.TB, name string, find func() (string, error)) string {
	t.Helper()
	path, err := find()
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("testenv: %s: %v (run `make deps`, or `make test` which sets %s and %s)",
		name, err, EnvMosquitto, EnvInfluxd)
	if os.Getenv(EnvRequireServers) == "1" {
		t.Fatalf("%s; %s=1 forbids skipping", msg, EnvRequireServers)
	}
	t.Skip(msg)
	return ""
}

// findMosquitto looks at EnvMosquitto, then PATH, then /usr/sbin/mosquitto (where Debian
// installs it, often outside a non-root user's PATH).
func findMosquitto() (string, error) {
	if p := os.Getenv(EnvMosquitto); p != "" {
		return checkExecutable(EnvMosquitto, p)
	}
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p, nil
	}
	if p, err := checkExecutable("default", "/usr/sbin/mosquitto"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w: mosquitto is not on PATH nor at /usr/sbin/mosquitto, and %s is unset",
		errNotFound, EnvMosquitto)
}

// findInfluxd looks at EnvInfluxd, then var/bin/influxd in the module root (where
// `make deps` builds it), then PATH.
func findInfluxd() (string, error) {
	if p := os.Getenv(EnvInfluxd); p != "" {
		return checkExecutable(EnvInfluxd, p)
	}
	var tried []string
	if root, err := moduleRoot(); err == nil {
		p := filepath.Join(root, "var", "bin", "influxd")
		if p, err := checkExecutable("module", p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	if p, err := exec.LookPath("influxd"); err == nil {
		return p, nil
	}
	tried = append(tried, "PATH")
	return "", fmt.Errorf("%w: influxd 1.8 not found in %s, and %s is unset",
		errNotFound, strings.Join(tried, " nor "), EnvInfluxd)
}

// checkExecutable returns path if it is an executable regular file.
func checkExecutable(from, path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s (from %s): %w", errNotFound, path, from, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%w: %s (from %s) is not an executable file", errNotFound, path, from)
	}
	return path, nil
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
