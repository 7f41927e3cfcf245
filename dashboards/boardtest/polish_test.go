package boardtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// TestLoginKeepsName: a failed login comes back with the user name still
// typed (the password cleared), and the next try with it logs in.
func TestLoginKeepsName(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 20})
	browser := startBrowser(t)
	tab := browsertest.NewTab(t, browser, c.URL, "anonymous", browsertest.Laptop)
	tab.Navigate("/login")
	tab.Run("log in with a wrong password", 20*time.Second,
		chromedp.SendKeys(chromedp.ID("login-name"), "school"),
		chromedp.SendKeys(chromedp.ID("login-password"), "not-the-password"),
		chromedp.Click(chromedp.ID("login-submit")))
	tab.WaitJS("the login error", `document.getElementById('login-error') !== null && document.readyState === 'complete'`)
	tab.WaitJS("the user name kept, the password cleared",
		`document.getElementById('login-name').value === 'school' && document.getElementById('login-password').value === ''`)
	if focused := browsertest.Eval[string](tab, `document.activeElement.id`); focused != "login-password" {
		t.Errorf("focus on #%s after a failed login, want the password", focused)
	}
	tab.Run("log in with the right password", 20*time.Second,
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-submit")))
	tab.WaitJS("land on the school board", `location.pathname === '/board/school'`)
	// A fresh login page (no error) starts empty.
	other := browsertest.NewTab(t, browser, c.URL, "anonymous-2", browsertest.Laptop)
	other.Navigate("/login")
	if v := browsertest.Eval[string](other, `document.getElementById('login-name').value`); v != "" {
		t.Errorf("a fresh login page has the name %q", v)
	}
}

// TestPanicDeviceAlarming: on the school board a pressed panic shows its
// alarm terminal as alarming (报警中), not faulty (故障).
func TestPanicDeviceAlarming(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 20})
	browser := startBrowser(t)
	tab := c.open(browser, "school", browsertest.Laptop)
	alarm := deviceOf(t, c.School, devices.KindAlarm)
	row := fmt.Sprintf(`document.querySelector('#device-table tr[data-device=%q]')`, alarm.ID)
	tab.WaitJS("the alarm terminal listed as ok", row+` !== null && `+row+`.dataset.status === 'ok'`)
	c.Accept(c.Event(alarm, "alarm.panic", "press-1"))
	tab.WaitJS("the alarm terminal alarming", row+`.dataset.status !== 'ok'`)
	if st := browsertest.Eval[string](tab, row+`.dataset.status`); st != "alarming" {
		t.Errorf("a pressed panic's terminal is %q, want alarming", st)
	}
	if text := browsertest.Eval[string](tab, row+`.querySelector('.dev').textContent`); text != "报警中" {
		t.Errorf("its state reads %q, want 报警中", text)
	}
}

// TestRolePagesRefused: in the browser, a page outside one's role answers
// 403 with the refusal, and one's own boards 200 (the role × page matrix
// is dashboards/web's TestRolePages).
func TestRolePagesRefused(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 20})
	browser := startBrowser(t)
	paths := []string{"/board/police", "/board/education", "/board/market", "/board/market/report", "/board/school", "/silences"}
	may := map[string]map[string]bool{
		"admin":     {"/board/police": true, "/board/education": true, "/board/market": true, "/board/market/report": true, "/board/school": true, "/silences": true},
		"police":    {"/board/police": true, "/board/school": true, "/silences": true},
		"education": {"/board/education": true, "/silences": true},
		"market":    {"/board/market": true, "/board/market/report": true, "/silences": true},
		"school":    {"/board/school": true},
	}
	for user, ok := range may {
		tab := c.open(browser, user, browsertest.Laptop)
		for _, p := range paths {
			want := 403
			if ok[p] {
				want = 200
			}
			if got := browsertest.Eval[int](tab, fmt.Sprintf(`fetch(%q).then((r) => r.status)`, p)); got != want {
				t.Errorf("%s GET %s: HTTP %d, want %d", user, p, got, want)
			}
		}
	}
	tab := c.open(browser, "market", browsertest.Laptop)
	tab.Navigate("/board/police")
	tab.WaitJS("the refusal", `document.body.innerText.includes('无权访问') && document.body.innerText.includes('Forbidden')`)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#alerts, #p0-overlay').length`); n != 0 {
		t.Errorf("the refusal carries %d police board elements", n)
	}
}
