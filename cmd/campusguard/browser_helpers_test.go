package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// Environment variables of the browser test.
const (
	// envChromium names the Chromium binary (default: chromium on PATH).
	envChromium = "CAMPUSGUARD_CHROMIUM"
	// envUpdateScreenshots, when "1", also writes the documentation's
	// screenshots to docs/screenshots/ and prints the measured P0 latency
	// for docs/performance.md.
	envUpdateScreenshots = "CAMPUSGUARD_UPDATE_SCREENSHOTS"
)

// Where screenshots go, relative to the module root: every run writes the
// git-ignored folder; envUpdateScreenshots=1 also writes the docs' copies.
const (
	screenshotDir     = "dashboards/testdata/screenshots"
	docsScreenshotDir = "docs/screenshots"
	docsMaxPNGBytes   = 300 << 10
)

// chromiumPath returns the browser to drive, or ends the test: a skip
// normally, a failure when CAMPUSGUARD_REQUIRE_SERVERS=1 (make test).
func chromiumPath(t testing.TB) string {
	t.Helper()
	name := os.Getenv(envChromium)
	if name == "" {
		name = "chromium"
	}
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("browser test: chromium: %v (run `make deps-browser`, or `make test` which sets %s)", err, envChromium)
	if os.Getenv(testenv.EnvRequireServers) == "1" {
		t.Fatalf("%s; %s=1 forbids skipping", msg, testenv.EnvRequireServers)
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts headless Chromium with a fresh profile and returns
// its root context; it stops when the test ends. Each user gets a tab of
// its own from newTab.
func startBrowser(t testing.TB) context.Context {
	t.Helper()
	exe := chromiumPath(t)
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
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1920, 1080),
		chromedp.Env("TZ=Asia/Shanghai"), // the pages show Shanghai time anyway
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser and binds it to ctx.
	if err := firstRun(ctx, 30*time.Second); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return ctx
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
	case <-time.After(within):
		_ = chromedp.Cancel(ctx)
		<-done
		return fmt.Errorf("not ready within %s", within)
	}
}

// testPassword is every test user's password.
const testPassword = "campusguard-browser-test"

// testUser is a users.yaml entry of the browser test.
type testUser struct {
	auth.User
	board string // the board the role lands on after login
}

// writeUsers writes users.yaml with the users, all with testPassword.
//
// The hash is bcrypt at its minimum cost, not auth.Hash's cost 12: under
// -race one cost-12 hash or login takes about 5 s, and the test logs in
// seven times. auth.CheckPassword checks it is a hash auth accepts.
func writeUsers(t testing.TB, users []testUser) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(string(h), testPassword) {
		t.Fatal("auth.CheckPassword refuses the test users' bcrypt hash")
	}
	doc := struct {
		Users []auth.User `yaml:"users"`
	}{}
	for _, u := range users {
		u.PasswordHash = string(h)
		doc.Users = append(doc.Users, u.User)
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// deviceOf returns the first device of kind at school s.
func deviceOf(t testing.TB, s *devices.School, kind devices.Kind) *devices.Device {
	t.Helper()
	for i := range s.Devices {
		if s.Devices[i].Kind == kind {
			return &s.Devices[i]
		}
	}
	t.Fatalf("school %s has no %s device", s.ID, kind)
	return nil
}

// apiSession is a logged-in HTTP API client (a session cookie and its
// CSRF token), for checking what the pages did. It carries the cookie
// itself: net/http/cookiejar keeps a Secure cookie off plain http.
type apiSession struct {
	base   string
	c      *http.Client
	cookie *http.Cookie
	csrf   string
}

// apiLogin logs name in through POST /login (JSON).
func apiLogin(t testing.TB, base, name string) *apiSession {
	t.Helper()
	s := &apiSession{base: base, c: &http.Client{Timeout: 15 * time.Second}}
	body, _ := json.Marshal(map[string]string{"name": name, "password": testPassword})
	var info auth.SessionInfo
	if code := s.do(t, http.MethodPost, "/login", body, &info); code != http.StatusOK {
		t.Fatalf("API login as %s: HTTP %d", name, code)
	}
	if s.cookie == nil {
		t.Fatalf("API login as %s: no %s cookie", name, auth.CookieName)
	}
	s.csrf = info.CSRFToken
	return s
}

// do sends a request and decodes a JSON answer into out; it returns the
// status code.
func (s *apiSession) do(t testing.TB, method, path string, body []byte, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrf != "" && method != http.MethodGet {
		req.Header.Set(auth.CSRFHeader, s.csrf)
	}
	if s.cookie != nil {
		req.AddCookie(&http.Cookie{Name: s.cookie.Name, Value: s.cookie.Value})
	}
	resp, err := s.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == auth.CookieName && c.Value != "" {
			s.cookie = c
		}
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// alert returns GET /api/v1/alerts/{id}.
func (s *apiSession) alert(t testing.TB, id string) alertMsg {
	t.Helper()
	var a alertMsg
	if code := s.do(t, http.MethodGet, "/api/v1/alerts/"+id, nil, &a); code != http.StatusOK {
		t.Fatalf("GET alert %s: HTTP %d", id, code)
	}
	return a
}

// waitState polls GET /api/v1/alerts/{id} until the alert is in state.
func (s *apiSession) waitState(t testing.TB, id, state string) alertMsg {
	t.Helper()
	var last alertMsg
	eventually(t, 15*time.Second, "alert "+id+" "+state, func() (bool, string) {
		last = s.alert(t, id)
		return last.State == state, "state " + last.State
	})
	return last
}

// browserUser is one user's tab, in its own browser context (cookies and
// local storage of its own).
type browserUser struct {
	t    *testing.T
	ctx  context.Context
	base string
	name string

	mu         sync.Mutex
	exceptions []string // uncaught exceptions of the page's scripts
}

// openAs opens a tab for u and logs in through the login page.
func openAs(t *testing.T, browser context.Context, base string, u testUser) *browserUser {
	t.Helper()
	b := newTab(t, browser, base, u.Name)
	b.login(u, "", "")
	return b
}

// newTab opens a tab in a browser context of its own (cookies and local
// storage), with a 1920×1080 viewport, the police wall screen's.
func newTab(t *testing.T, browser context.Context, base, name string) *browserUser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	// The first Run on a tab's context binds the tab to the context of
	// that call: no timeout on it, or the tab dies with the first step.
	if err := firstRun(ctx, 20*time.Second); err != nil {
		cancel()
		t.Fatalf("open a tab for %s: %v", name, err)
	}
	b := &browserUser{t: t, ctx: ctx, base: base, name: name}
	// Every uncaught exception of the pages' scripts fails the test.
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
	b.run("set the viewport", 10*time.Second, chromedp.EmulateViewport(1920, 1080))
	return b
}

// login types u's name and password into #login-form and submits it,
// then waits until u's board has loaded. With shot, it first takes a
// screenshot of the login page (see screenshot for shot and doc).
func (b *browserUser) login(u testUser, shot, doc string) {
	b.t.Helper()
	b.run("open the login page", 20*time.Second,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-form")))
	if shot != "" {
		b.screenshot(shot, doc)
	}
	b.run("log in", 20*time.Second,
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name="name"]`), u.Name),
		chromedp.SendKeys(chromedp.CSS(`#login-form input[name="password"]`), testPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)))
	b.waitJS("land on "+u.board, 20*time.Second,
		fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, u.board))
}

// run runs the actions with a timeout; a failure ends the test with a
// screenshot of the page for the post-mortem.
func (b *browserUser) run(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, max(timeout, browserWaitFloor))
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// fail saves what the page shows and ends the test.
func (b *browserUser) fail(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	name := "failed-" + b.name
	if png, serr := chromedp.Run(ctx, chromedp.CaptureScreenshot()); serr == nil {
		dir := moduleFile(b.t, screenshotDir)
		if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644) == nil {
			b.t.Logf("screenshot of the failure: %s", filepath.Join(dir, name+".png"))
		}
	}
	if text, terr := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 3000)`)); terr == nil {
		b.t.Logf("%s sees:\n%s", b.name, text)
	}
	b.mu.Lock()
	for _, e := range b.exceptions {
		b.t.Logf("%s: script error on the page: %s", b.name, e)
	}
	b.exceptions = nil // reported here
	b.mu.Unlock()
	b.t.Fatalf("%s: %s: %v", b.name, what, err)
}

// browserWaitFloor is the least any browser step waits before it fails: a
// shared machine under load can stall Chromium for many seconds, and a
// wait only ends early when its condition holds, so a long floor costs a
// passing run nothing.
const browserWaitFloor = 60 * time.Second

// waitJS waits until the JavaScript expression is truthy. A navigation
// ends a poll ("Inspected target navigated or closed"): it polls again in
// the new page until the timeout.
func (b *browserUser) waitJS(what string, timeout time.Duration, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, max(timeout, browserWaitFloor))
	defer cancel()
	for {
		err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(0)))
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			b.fail(what, err)
		}
		select { // the new page's execution context is a moment away
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// evalJS evaluates a JavaScript expression into a T.
func evalJS[T any](b *browserUser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fail("evaluate "+expr, err)
	}
	return v
}

// alertSel selects the element of alert id under root (a CSS selector).
func alertSel(root, id string) string {
	return fmt.Sprintf(`%s [data-alert-id=%q]`, root, id)
}

// sees waits until the alert's row shows under root.
func (b *browserUser) sees(root, id, what string) {
	b.t.Helper()
	b.run("see "+what, 20*time.Second, chromedp.WaitVisible(chromedp.CSS(alertSel(root, id))))
}

// seesNot checks that the page shows no element of the alert. Call it
// after the page has shown something of the same snapshot.
func (b *browserUser) seesNot(id, what string) {
	b.t.Helper()
	if n := evalJS[int](b, fmt.Sprintf(`document.querySelectorAll('[data-alert-id=%q]').length`, id)); n != 0 {
		b.fail("not see "+what, fmt.Errorf("%d elements of alert %s on the page", n, id))
	}
}

// toggleEnglish clicks #lang-toggle and waits until the labels named by
// keys (data-i18n) read their English from the page's own dictionary.
func (b *browserUser) toggleEnglish(keys ...string) {
	b.t.Helper()
	// The P0 takeover covers the top bar: then the button is pressed from
	// the keyboard, as an officer tabbing to it would.
	covered := evalJS[bool](b, `(() => {
		const t = document.getElementById('lang-toggle');
		const r = t.getBoundingClientRect();
		return !t.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
	})()`)
	if covered {
		b.t.Logf("%s: #lang-toggle is covered (P0 takeover): pressing it from the keyboard", b.name)
		b.run("toggle the language", 10*time.Second, chromedp.Focus(chromedp.ID("lang-toggle")), chromedp.KeyEvent(kb.Enter))
	} else {
		b.run("toggle the language", 10*time.Second, chromedp.Click(chromedp.ID("lang-toggle")))
	}
	list, _ := json.Marshal(keys)
	b.waitJS("English labels", 10*time.Second, fmt.Sprintf(`(() => {
		const dict = JSON.parse(document.getElementById('i18n-data').textContent);
		return document.documentElement.lang === 'en' && %s.every((k) => {
			const el = document.querySelector('[data-i18n="' + k + '"]');
			return el && dict[k] && el.textContent.trim() === dict[k].en.trim() && dict[k].en !== dict[k].zh;
		});
	})()`, list))
}

// screenshot saves the viewport as <name>.png in the git-ignored folder
// and, when envUpdateScreenshots=1 and doc is not "", as docs/screenshots/
// <doc>.png (recompressed, and scaled down if it is over docsMaxPNGBytes).
func (b *browserUser) screenshot(name, doc string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	// Let the last render reach the screen: two animation frames.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise)); err != nil {
		b.fail("settle before screenshot", err)
	}
	data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail("screenshot "+name, err)
	}
	dir := moduleFile(b.t, screenshotDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if doc == "" || os.Getenv(envUpdateScreenshots) != "1" {
		return
	}
	small, err := docPNG(data, docsMaxPNGBytes)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	ddir := moduleFile(b.t, docsScreenshotDir)
	if err := os.MkdirAll(ddir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	out := filepath.Join(ddir, doc+".png")
	if err := os.WriteFile(out, small, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s (%d KB)", out, len(small)>>10)
}

// docPNG recompresses a PNG at best compression and shrinks it by 3/4 at
// a time until it fits in limit bytes.
func docPNG(data []byte, limit int) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	for range 4 {
		var buf bytes.Buffer
		if err := enc.Encode(&buf, img); err != nil {
			return nil, err
		}
		if buf.Len() <= limit {
			return buf.Bytes(), nil
		}
		img = shrink(img, 3, 4)
	}
	return nil, errors.New("PNG still too large after scaling")
}

// shrink resizes src by num/den with a box filter (area average), which
// keeps text readable when shrinking.
func shrink(src image.Image, num, den int) image.Image {
	sb := src.Bounds()
	w, h := sb.Dx()*num/den, sb.Dy()*num/den
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := y*den/num, (y+1)*den/num
		for x := range w {
			x0, x1 := x*den/num, (x+1)*den/num
			var r, g, bl, n uint32
			for sy := y0; sy < max(y1, y0+1); sy++ {
				for sx := x0; sx < max(x1, x0+1); sx++ {
					cr, cg, cb, _ := src.At(sb.Min.X+sx, sb.Min.Y+sy).RGBA()
					r, g, bl, n = r+cr, g+cg, bl+cb, n+1
				}
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(r/n>>8), uint8(g/n>>8), uint8(bl/n>>8), 0xff
		}
	}
	return dst
}

// moduleFile returns a path under the module root (the test runs in
// cmd/campusguard).
func moduleFile(t testing.TB, rel string) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, rel)
}

// overlayTimerJS records, in window.__p0Shown, the wall-clock time
// (ms since the epoch) of the first animation frame after #p0-overlay
// loses its hidden attribute: when the takeover reaches the screen.
const overlayTimerJS = `(() => {
	window.__p0Shown = 0;
	const o = document.getElementById('p0-overlay');
	const mark = () => {
		if (window.__p0Shown || o.hidden) return;
		requestAnimationFrame(() => { window.__p0Shown = performance.timeOrigin + performance.now(); });
	};
	new MutationObserver(mark).observe(o, { attributes: true, attributeFilter: ['hidden'] });
	return o.hidden;
})()`
