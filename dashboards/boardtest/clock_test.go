package boardtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/campusguard/campusguard/internal/browsertest"
)

// TestPagesFollowServerClock: the boards take "today" and the time from
// the server, not from the screen's computer. The city's clock stands at
// Wednesday 2 December 2026, 10:00 in Shanghai, whatever day the test
// runs on; a board whose clock drifted (or a test run after midnight)
// would ask for the wrong day's figures and show wrong ages.
func TestPagesFollowServerClock(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 40})
	browser := startBrowser(t)
	var tabs []*browsertest.Tab
	for _, name := range []string{"education", "market"} {
		tab := c.open(browser, name, browsertest.Wall)
		tabs = append(tabs, tab)
		if got := browsertest.Eval[string](tab, `CG.today()`); got != "2026-12-02" {
			t.Errorf("%s board: CG.today() = %s, want the server's 2026-12-02", name, got)
		}
		// The page's clock runs on from the server's time; the fake clock
		// stands still, so the two are apart by how long the page has been
		// open, never by days.
		ms := browsertest.Eval[float64](tab, `CG.now()`)
		if d := time.UnixMilli(int64(ms)).Sub(c.Clock.Now()); d < 0 || d > 30*time.Minute {
			t.Errorf("%s board: CG.now() is %s from the server's clock", name, d)
		}
	}
	// Every API answer sets the page's clock again.
	c.Advance(48 * time.Hour)
	want := c.Clock.Now().Format(time.DateOnly)
	for _, tab := range tabs {
		browsertest.Eval[int](tab, `CG.api('GET', '/api/v1/schools').then(() => 1)`)
		tab.WaitJS("today after the server's clock moved", fmt.Sprintf(`CG.today() === %q`, want))
	}
}
