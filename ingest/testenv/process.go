package testenv

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pollInterval is how often a readiness probe is retried.
const pollInterval = 20 * time.Millisecond

// logTail is how much of a server's log is shown when a test fails.
const logTail = 64 << 10

// daemon is a server binary that can be started, stopped and started again with the same
// arguments; each run is its own process group, with its output appended to one log file.
type daemon struct {
	name    string // for messages: "mosquitto", "influxd"
	path    string
	args    []string
	env     []string
	logPath string
	grace   time.Duration // between SIGTERM and SIGKILL

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of a daemon.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // the result of Wait, set before done is closed
}

// start runs the daemon and waits until ready returns nil, the process exits, or timeout
// passes. On failure the process is stopped and the error says why, with the log's tail.
func (d *daemon) start(timeout time.Duration, ready func() error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc != nil {
		return fmt.Errorf("testenv: %s is already running", d.name)
	}
	p, err := d.spawn()
	if err != nil {
		return err
	}
	if err := waitReady(p, timeout, ready); err != nil {
		_ = p.stop(d.grace)
		return fmt.Errorf("testenv: %s did not become ready: %w", d.name, err)
	}
	d.proc = p
	return nil
}

// spawn starts the process with its output appended to the log file.
func (d *daemon) spawn() (*process, error) {
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testenv: %s log: %w", d.name, err)
	}
	defer logf.Close() // the child holds its own descriptor
	fmt.Fprintf(logf, "--- testenv: %s starting: %s %s\n",
		time.Now().Format(time.RFC3339Nano), d.path, strings.Join(d.args, " "))

	cmd := exec.Command(d.path, d.args...)
	cmd.Env = d.env
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testenv: start %s: %w", d.name, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop ends the running process, if any. It is safe to call when stopped.
func (d *daemon) stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == nil {
		return nil
	}
	err := d.proc.stop(d.grace)
	d.proc = nil
	if err != nil {
		return fmt.Errorf("testenv: stop %s: %w", d.name, err)
	}
	return nil
}

// running reports whether the daemon has been started and not stopped. A process that
// crashed on its own still counts as running until stop; see exited.
func (d *daemon) running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.proc != nil
}

// pid returns the process id of the running daemon, or 0 when it is stopped.
func (d *daemon) pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == nil {
		return 0
	}
	return d.proc.cmd.Process.Pid
}

// exited reports whether a started process has died without being stopped, and how.
func (d *daemon) exited() (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == nil {
		return false, nil
	}
	select {
	case <-d.proc.done:
		return true, d.proc.err
	default:
		return false, nil
	}
}

// waitReady polls ready until it returns nil, the process exits, or timeout passes.
func waitReady(p *process, timeout time.Duration, ready func() error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		if last = ready(); last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("process exited early (%v)", p.err)
		case <-deadline.C:
			return fmt.Errorf("not ready after %v: %w", timeout, last)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM to the process group and, after grace, SIGKILL, then waits for the
// process to be reaped. A process that already exited is not an error here: Stop must work
// after a crash so that Cleanup can still tidy up.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	pgid := p.cmd.Process.Pid // Setpgid makes the child the leader of its own group
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
		return nil
	case <-timer.C:
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
	return fmt.Errorf("did not exit within %v of SIGTERM; killed", grace)
}

// freePorts returns n distinct free TCP ports on 127.0.0.1. The listeners are held until
// all ports are chosen, then closed, so a port can be taken by someone else before the
// server binds it; callers retry with new ports when a first start fails.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("testenv: free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// loopback returns "127.0.0.1:port".
func loopback(port int) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// dumpLog shows the tail of a server's log in the test output.
func dumpLog(t testing.TB, name, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Logf("testenv: %s log: %v", name, err)
		return
	}
	defer f.Close()
	var skipped int64
	if fi, err := f.Stat(); err == nil && fi.Size() > logTail {
		skipped = fi.Size() - logTail
		if _, err := f.Seek(skipped, io.SeekStart); err != nil {
			t.Logf("testenv: %s log: %v", name, err)
			return
		}
	}
	b, err := io.ReadAll(f)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Logf("testenv: %s log: %v", name, err)
	}
	note := ""
	if skipped > 0 {
		note = fmt.Sprintf(" (first %d bytes left out)", skipped)
	}
	t.Logf("testenv: %s log %s%s:\n%s", name, path, note, b)
}

// childEnv returns the environment for a server, without the variables whose prefix would
// reconfigure it behind the generated config file (e.g. INFLUXDB_HTTP_BIND_ADDRESS).
func childEnv(dropPrefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if dropPrefix != "" && strings.HasPrefix(kv, dropPrefix) {
			continue
		}
		env = append(env, kv)
	}
	return env
}
