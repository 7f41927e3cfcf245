package peerbench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100
// on every Linux architecture Go supports (the kernel fixes it for user
// space whatever CONFIG_HZ is).
const clockTick = 100

// Usage is what /proc says about a process at one moment.
type Usage struct {
	CPU   time.Duration // user + system time so far
	Peak  int64         // peak resident set size (VmHWM), bytes
	RSS   int64         // resident set size now (VmRSS), bytes
	Taken time.Time     // when it was read
}

// ReadUsage reads the CPU time and memory of process pid.
func ReadUsage(pid int) (Usage, error) {
	u := Usage{Taken: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, err
	}
	if u.CPU, err = parseStatCPU(stat); err != nil {
		return u, fmt.Errorf("peerbench: /proc/%d/stat: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	if u.Peak, err = statusKiB(status, "VmHWM:"); err != nil {
		return u, fmt.Errorf("peerbench: /proc/%d/status: %w", pid, err)
	}
	if u.RSS, err = statusKiB(status, "VmRSS:"); err != nil {
		return u, fmt.Errorf("peerbench: /proc/%d/status: %w", pid, err)
	}
	return u, nil
}

// parseStatCPU returns utime + stime from the contents of /proc/PID/stat.
// The command name (field 2) is in parentheses and may hold spaces and
// parentheses itself, so fields are counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no ')' after the command name")
	}
	// After ") " come field 3 (state) onwards; utime and stime are fields
	// 14 and 15, so the 12th and 13th here.
	f := strings.Fields(string(stat[end+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields after the command name, want at least 13", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad CPU time %q", s)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTick, nil
}

// statusKiB returns the value of a "Name:   123 kB" line of
// /proc/PID/status, in bytes.
func statusKiB(status []byte, name string) (int64, error) {
	for _, line := range strings.Split(string(status), "\n") {
		rest, ok := strings.CutPrefix(line, name)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("bad %s line %q", name, line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad %s line %q", name, line)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("no %s line", name)
}
