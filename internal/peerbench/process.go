package peerbench

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Process is a consumer (campusguard or Telegraf) the benchmark started,
// its output in a log file.
type Process struct {
	Name     string
	LogPath  string
	HTTPAddr string // campusguard's /metrics and /readyz address, when it has one
	cmd      *exec.Cmd
	done     chan struct{}
	err      error
}

// Start runs bin with args, stdout and stderr going to dir/<name>.log.
func Start(name, bin, dir string, args ...string) (*Process, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr, cmd.Dir = f, f, dir
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("peerbench: start %s: %w", name, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended on its own.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM, waits up to grace, then kills.
func (p *Process) Stop(grace time.Duration) error {
	if p.Exited() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("peerbench: %s did not stop within %s; killed", p.Name, grace)
	}
}

// Tail returns the end of the process's log, for a failure message.
func (p *Process) Tail(n int) string {
	b, _ := os.ReadFile(p.LogPath)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// WaitFor polls cond every interval until it returns true, the process
// exits, or timeout passes.
func (p *Process) WaitFor(what string, timeout, interval time.Duration, cond func() bool) error {
	// Constant progress: Poll's stall is the timeout.
	if Poll(p, interval, timeout, func() (bool, float64) { return cond(), 0 }) {
		return nil
	}
	if p.Exited() {
		return fmt.Errorf("peerbench: %s exited (%v) while waiting for %s; log:\n%s", p.Name, p.err, what, p.Tail(4000))
	}
	return fmt.Errorf("peerbench: %s: no %s within %s; log:\n%s", p.Name, what, timeout, p.Tail(4000))
}

// HTTPReady is a condition for WaitFor: GET url answers 200.
func HTTPReady(url string) func() bool {
	c := &http.Client{Timeout: 2 * time.Second}
	return func() bool {
		resp, err := c.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
}

// FreeAddr returns a loopback address with a free TCP port.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// HasFlag reports whether a campusguard binary's `run` knows flag (an
// older binary, the "before" of a comparison, lacks newer ones).
func HasFlag(bin, flag string) (bool, error) {
	out, err := exec.Command(bin, "run", "-h").CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) { // -h exits non-zero with the usage
		return false, err
	}
	return strings.Contains(string(out), "  -"+flag+" ") || strings.Contains(string(out), "  -"+flag+"\n"), nil
}
