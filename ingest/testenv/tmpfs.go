package testenv

import (
	"fmt"
	"os"
	"testing"
)

// Tmpfs mounts a tmpfs of size bytes on a new temporary directory and unmounts it when the
// test ends, so that a test can fill a real filesystem (ENOSPC) without touching the
// machine's disks. Mounting needs root (as in CI). When the process is not root, or the
// mount fails, the test is skipped with the reason; with CAMPUSGUARD_REQUIRE_SERVERS=1 a
// failed mount as root fails the test instead (a non-root run still skips: it cannot mount).
func Tmpfs(t testing.TB, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("testenv: mounting a tmpfs needs root (CI runs as root); skipping the small-filesystem test")
	}
	dir := t.TempDir()
	if err := mountTmpfs(dir, size); err != nil {
		msg := fmt.Sprintf("testenv: mount a %d-byte tmpfs on %s: %v", size, dir, err)
		if os.Getenv(EnvRequireServers) == "1" {
			t.Fatalf("%s; %s=1 forbids skipping", msg, EnvRequireServers)
		}
		t.Skip(msg)
	}
	// Registered after TempDir's own cleanup, so it runs first: unmount, then remove.
	t.Cleanup(func() {
		if err := unmountTmpfs(dir); err != nil {
			t.Errorf("testenv: unmount tmpfs %s: %v", dir, err)
		}
	})
	return dir
}
