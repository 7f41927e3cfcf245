package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment variables the browser tests read.
const (
	// EnvChromium names the Chromium binary (default: chromium on PATH).
	EnvChromium = "CAMPUSGUARD_CHROMIUM"
	// EnvRequireServers, when "1" (make test), turns a missing browser
	// into a failure instead of a skip.
	EnvRequireServers = "CAMPUSGUARD_REQUIRE_SERVERS"
	// EnvUpdateScreenshots, when "1", also writes the documentation's
	// screenshots to docs/screenshots/.
	EnvUpdateScreenshots = "CAMPUSGUARD_UPDATE_SCREENSHOTS"
)

// WaitFloor is the least any browser step waits before it fails: a
// shared machine under load can stall Chromium for many seconds, and a
// wait only ends early when its condition holds, so a long floor costs a
// passing run nothing.
const WaitFloor = 60 * time.Second

// Chromium returns the browser to drive, or ends the test: a skip
// normally, a failure when EnvRequireServers=1.
func Chromium(t testing.TB) string {
	t.Helper()
	name := os.Getenv(EnvChromium)
	if name == "" {
		name = "chromium"
	}
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("browser test: chromium: %v (run `make deps-browser`, or `make test` which sets %s)", err, EnvChromium)
	if os.Getenv(EnvRequireServers) == "1" {
		t.Fatalf("%s; %s=1 forbids skipping", msg, EnvRequireServers)
	}
	t.Skip(msg)
	return ""
}

// Start starts headless Chromium with a fresh profile and returns its
// root context; the browser stops when the test ends. NewTab opens tabs.
//
// A start that fails is tried again, up to startAttempts times, each with
// a fresh profile: on a loaded shared machine Chromium now and then dies
// while starting (crashpad errors, no DevTools endpoint), which says
// nothing about the pages under test.
func Start(t testing.TB) context.Context {
	t.Helper()
	exe := Chromium(t)
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var ctx context.Context
		ctx, err = start(t, exe)
		if err == nil {
			return ctx
		}
		t.Logf("start chromium %s (attempt %d of %d): %v", exe, attempt, startAttempts, err)
	}
	t.Fatalf("start chromium %s: %v", exe, err)
	return nil
}

// startAttempts is how many times Start tries to start the browser.
const startAttempts = 3

// start starts one browser; on failure it has stopped it again.
func start(t testing.TB, exe string) (context.Context, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // containers and CI run as root, where the sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"), // the wall screen's alarm sound
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1920, 1080),
		chromedp.Env("TZ=Asia/Shanghai"), // the pages show Shanghai time anyway
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	// The first Run starts the browser and binds it to ctx.
	if err := firstRun(ctx, 30*time.Second); err != nil {
		cancel()
		cancelAlloc()
		return nil, err
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx, nil
}

// firstRun runs nothing on ctx for the first time, which starts the
// browser or opens the tab. That run must not have a timeout of its own
// (chromedp binds the browser or tab to its context), so a watchdog
// cancels ctx instead if it takes longer than within.
func firstRun(ctx context.Context, within time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(max(within, WaitFloor)):
		_ = chromedp.Cancel(ctx)
		<-done
		return fmt.Errorf("not ready within %s", max(within, WaitFloor))
	}
}

// ModuleRoot returns the directory of the module's go.mod, searching up
// from the test's working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("browsertest: no go.mod above the working directory")
		}
		dir = parent
	}
}
