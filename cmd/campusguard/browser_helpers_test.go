package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// envUpdateScreenshots, when "1", also writes the documentation's
// screenshots to docs/screenshots/ and prints the measured P0 latency for
// docs/performance.md.
const envUpdateScreenshots = browsertest.EnvUpdateScreenshots

// startBrowser starts headless Chromium (internal/browsertest); it stops
// when the test ends.
func startBrowser(t testing.TB) context.Context { return browsertest.Start(t) }

// testPassword is every test user's password.
const testPassword = "campusguard-browser-test"

// testUser is a users.yaml entry of the browser test.
type testUser struct {
	auth.User
	board string // the board the role lands on after login
}

// writeUsers writes users.yaml with the users, all with testPassword
// (browsertest.WriteUsers: bcrypt at its minimum cost).
func writeUsers(t testing.TB, users []testUser) string {
	t.Helper()
	list := make([]auth.User, len(users))
	for i, u := range users {
		list[i] = u.User
	}
	return browsertest.WriteUsers(t, testPassword, list)
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

// browserUser is one user's tab (internal/browsertest), in a browser
// context of its own (cookies and local storage of its own).
type browserUser struct {
	*browsertest.Tab
	t *testing.T
}

// openAs opens a tab for u and logs in through the login page.
func openAs(t *testing.T, browser context.Context, base string, u testUser) *browserUser {
	t.Helper()
	b := newTab(t, browser, base, u.Name)
	b.login(u, "", "")
	return b
}

// newTab opens a tab with a 1920×1080 viewport, the police wall screen's.
func newTab(t *testing.T, browser context.Context, base, name string) *browserUser {
	t.Helper()
	return &browserUser{Tab: browsertest.NewTab(t, browser, base, name, browsertest.Wall), t: t}
}

// login types u's name and password into #login-form and submits it,
// then waits until u's board has loaded. With shot, it first takes a
// screenshot of the login page (see screenshot for shot and doc).
func (b *browserUser) login(u testUser, shot, doc string) {
	b.t.Helper()
	if shot != "" {
		b.run("open the login page", 20*time.Second,
			chromedp.Navigate(b.Base+"/login"),
			chromedp.WaitVisible(chromedp.ID("login-form")))
		b.screenshot(shot, doc)
	}
	b.Login(u.Name, testPassword, u.board)
}

// run runs the actions (browsertest.Tab.Run).
func (b *browserUser) run(what string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.Run(what, timeout, actions...)
}

// fail saves what the page shows and ends the test.
func (b *browserUser) fail(what string, err error) {
	b.t.Helper()
	b.Fail(what, err)
}

// waitJS waits until the JavaScript expression is truthy; every wait
// lasts up to browsertest.WaitFloor, whatever timeout says.
func (b *browserUser) waitJS(what string, _ time.Duration, expr string) {
	b.t.Helper()
	b.WaitJS(what, expr)
}

// evalJS evaluates a JavaScript expression into a T.
func evalJS[T any](b *browserUser, expr string) T {
	b.t.Helper()
	return browsertest.Eval[T](b.Tab, expr)
}

// screenshot saves the viewport (browsertest.Tab.Screenshot).
func (b *browserUser) screenshot(name, doc string) {
	b.t.Helper()
	b.Screenshot(name, doc)
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
		b.t.Logf("%s: #lang-toggle is covered (P0 takeover): pressing it from the keyboard", b.Name)
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
