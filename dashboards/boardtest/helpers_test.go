package boardtest

import (
	"context"
	"testing"

	"github.com/campusguard/campusguard/internal/browsertest"
)

// open starts Chromium and opens a tab logged in as name at viewport v,
// landed on the user's board.
func (c *city) open(browser browserCtx, name string, v browsertest.Viewport) *browsertest.Tab {
	c.t.Helper()
	u, ok := c.Users[name]
	if !ok {
		c.t.Fatalf("no test user %s", name)
	}
	tab := browsertest.NewTab(c.t, browser, c.URL, name, v)
	tab.Login(name, password, u.Board)
	return tab
}

// browserCtx is the root context of a started Chromium.
type browserCtx = context.Context

// startBrowser starts Chromium for the test (skips or fails when none is
// installed, see browsertest.Chromium).
func startBrowser(t *testing.T) browserCtx { return browsertest.Start(t) }
