package boardtest

import (
	"net/http"
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// TestHarness checks the harness itself: every user logs in and lands on
// the board, an alert fired through the lifecycle reaches the police
// board's live table, and an event accepted by the engine raises the
// rule's alert (the panic alarm).
func TestHarness(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 60})
	browser := startBrowser(t)
	for _, name := range []string{"admin", "education", "market", "school"} {
		tab := c.open(browser, name, browsertest.Wall)
		if got := browsertest.Eval[int](tab, `document.querySelectorAll('main').length`); got == 0 {
			tab.Fail("board has a main element", nil)
		}
	}
	police := c.open(browser, "police", browsertest.Wall)
	alarm := deviceOf(t, c.School, devices.KindAlarm)
	c.Accept(c.Event(alarm, "alarm.panic", "press-1"))
	var open []alerting.Alert
	eventually(t, "panic alert open", func() (bool, string) {
		open = c.Svc.Manager().List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.AlarmPanic}, Schools: []string{c.School.ID}})
		return len(open) == 1, "none"
	})
	police.WaitJS("the panic on the police board", `document.querySelector('[data-alert-id="`+open[0].ID+`"]') !== null`)
	resp, err := http.Get(c.URL + "/api/v1/alerts")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous GET /api/v1/alerts: HTTP %d, want 401", resp.StatusCode)
	}
}
