package spool

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	crashDirEnv  = "CAMPUSGUARD_SPOOL_CRASH_DIR"
	crashBaseEnv = "CAMPUSGUARD_SPOOL_CRASH_BASE"
)

// crashRecord is record i of the crash test: its index and filler that
// depends on it, so a record cannot pass for another.
func crashRecord(i int) []byte {
	b := fmt.Appendf(nil, "%08d|", i)
	for j := range i % 251 {
		b = append(b, byte('a'+(i+j)%26))
	}
	return b
}

// TestCrashChild is the process TestCrashRecovery kills. It appends records
// as fast as it can and prints "ack i" once record i is durable.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	base, err := strconv.Atoi(os.Getenv(crashBaseEnv))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Dir: dir, SegmentBytes: 32 << 10, MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	for i := base; i < base+1_000_000; i++ {
		s.Append(ctx, crashRecord(i), func(err error) {
			if err == nil {
				fmt.Fprintf(os.Stdout, "ack %d\n", i) // unbuffered: one write per ack
			}
		})
	}
	t.Fatalf("not killed; run returned %v", <-errc)
}

// TestCrashRecovery SIGKILLs a child process that is appending, several
// times over the same directory, and checks after each kill that every
// record the child saw acknowledged is there, in order, and intact.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	dir := t.TempDir()
	present := 0 // records 0..present-1 are in the spool
	for round, killAfter := range []int{300, 3000, 1000} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashBaseEnv+"="+strconv.Itoa(present))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		maxAck, acks, killed := -1, 0, false
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			i, err := strconv.Atoi(string(bytes.TrimPrefix(sc.Bytes(), []byte("ack "))))
			if err != nil {
				continue // the test framework's own output
			}
			if i < present || i <= maxAck {
				t.Fatalf("round %d: ack %d out of order (present %d, last ack %d)", round, i, present, maxAck)
			}
			maxAck = i
			if acks++; acks == killAfter {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		var exit *exec.ExitError
		if !killed || !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v after %d acks, not by SIGKILL; stderr:\n%s", round, err, acks, stderr.String())
		}

		opts := testOptions(t)
		opts.Dir, opts.SegmentBytes, opts.MaxBytes = dir, 32<<10, 64<<20
		s, err := Open(opts)
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		n := 0
		done, cancel := context.WithCancel(context.Background())
		cancel() // Read returns what is there, then ctx's error
		for {
			b, err := s.Read(done, 1000, 1<<20)
			if err != nil {
				break
			}
			for _, r := range b.Records {
				if want := crashRecord(n); !bytes.Equal(r, want) {
					t.Fatalf("round %d: record %d = %.20q..., want %.20q...", round, n, r, want)
				}
				n++
			}
		}
		if n <= maxAck {
			t.Fatalf("round %d: %d records after the kill, but record %d was acknowledged", round, n, maxAck)
		}
		if got := metricValue(t, opts.Registerer.(*prometheus.Registry), "campusguard_spool_corrupt_records_total"); got != 0 {
			t.Fatalf("round %d: corrupt_records_total = %v after SIGKILL, want 0", round, got)
		}
		t.Logf("round %d: killed after %d acks (last %d); %d records present (%d unacknowledged kept)",
			round, acks, maxAck, n, n-1-maxAck)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		present = n
	}
}
