package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// FailureDir is where a failing step's screenshot goes, relative to the
// module root (git-ignored).
const FailureDir = "dashboards/testdata/screenshots"

// Viewports the boards must work at: the police wall screen, a common
// office laptop and a phone.
var (
	Wall   = Viewport{1920, 1080}
	Laptop = Viewport{1366, 768}
	Phone  = Viewport{390, 844}
)

// Viewport is a page size in CSS pixels.
type Viewport struct{ W, H int }

func (v Viewport) String() string { return fmt.Sprintf("%dx%d", v.W, v.H) }

// Tab is one user's tab, in a browser context of its own (cookies and
// local storage of its own).
type Tab struct {
	T    *testing.T
	Ctx  context.Context
	Base string // the server's base URL, http://127.0.0.1:port
	Name string // whose tab: in failure messages and screenshot names

	mu         sync.Mutex
	exceptions []string // uncaught exceptions of the page's scripts
}

// NewTab opens a tab on base at viewport v. Every uncaught exception of
// the page's scripts fails the test when it ends.
func NewTab(t *testing.T, browser context.Context, base, name string, v Viewport) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	// The first Run on a tab's context binds the tab to the context of
	// that call: no timeout on it, or the tab dies with the first step.
	if err := firstRun(ctx, 20*time.Second); err != nil {
		cancel()
		t.Fatalf("open a tab for %s: %v", name, err)
	}
	b := &Tab{T: t, Ctx: ctx, Base: base, Name: name}
	console := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() {
				b.mu.Lock()
				b.exceptions = append(b.exceptions, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	t.Cleanup(func() { // runs first
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.exceptions {
			t.Errorf("%s: script error on the page: %s", name, e)
		}
	})
	b.SetViewport(v)
	return b
}

// SetViewport sizes the page (and the device scale factor 1).
func (b *Tab) SetViewport(v Viewport) {
	b.T.Helper()
	opts := []chromedp.EmulateViewportOption{}
	if v.W < 800 {
		opts = append(opts, chromedp.EmulateMobile)
	}
	b.Run("set the viewport "+v.String(), 10*time.Second, chromedp.EmulateViewport(int64(v.W), int64(v.H), opts...))
}

// Login types name and password into the login page's form and submits
// it, then waits until the browser has landed on landing (a path such as
// /board/police) and the page has loaded.
func (b *Tab) Login(name, password, landing string) {
	b.T.Helper()
	b.Run("open the login page", 20*time.Second,
		chromedp.Navigate(b.Base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-form")))
	b.Run("log in", 20*time.Second,
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name="name"]`), name),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)))
	b.WaitJS("land on "+landing,
		fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, landing))
}

// Navigate opens path (relative to Base) and waits until it has loaded.
func (b *Tab) Navigate(path string) {
	b.T.Helper()
	b.Run("open "+path, 20*time.Second, chromedp.Navigate(b.Base+path))
	b.WaitJS("load "+path, `document.readyState === "complete"`)
}

// Run runs the actions with a timeout (at least WaitFloor); a failure
// ends the test with a screenshot of the page for the post-mortem.
func (b *Tab) Run(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, max(timeout, WaitFloor))
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.Fail(what, err)
	}
}

// WaitJS waits until the JavaScript expression is truthy, for up to
// WaitFloor. A navigation ends a poll ("Inspected target navigated or
// closed"): it polls again in the new page until the deadline.
func (b *Tab) WaitJS(what, expr string) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, WaitFloor)
	defer cancel()
	for {
		err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(0)))
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			b.Fail(what, err)
		}
		select { // the new page's execution context is a moment away
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Eval evaluates a JavaScript expression into a T (a promise is awaited).
func Eval[T any](b *Tab, expr string) T {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, WaitFloor)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fail("evaluate "+expr, err)
	}
	return v
}

// Fail saves what the page shows and ends the test.
func (b *Tab) Fail(what string, err error) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 5*time.Second)
	defer cancel()
	name := "failed-" + b.Name
	if png, serr := chromedp.Run(ctx, chromedp.CaptureScreenshot()); serr == nil {
		dir := filepath.Join(ModuleRoot(b.T), FailureDir)
		if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644) == nil {
			b.T.Logf("screenshot of the failure: %s", filepath.Join(dir, name+".png"))
		}
	}
	if text, terr := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 3000)`)); terr == nil {
		b.T.Logf("%s sees:\n%s", b.Name, text)
	}
	b.mu.Lock()
	for _, e := range b.exceptions {
		b.T.Logf("%s: script error on the page: %s", b.Name, e)
	}
	b.exceptions = nil // reported here
	b.mu.Unlock()
	b.T.Fatalf("%s: %s: %v", b.Name, what, err)
}
