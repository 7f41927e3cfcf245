package boardtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// The police wall (issue 9): every panic press takes the screen with
// sound, acknowledged panics stay docked until closed (across other
// closes and reloads), the panic view says where and whom to call, and
// the city overview fits the wall screen.

// beepCounterJS counts the oscillators the page starts (the alarm sound
// is WebAudio oscillators) in window.__cgBeeps, whatever the page's own
// code: installed before any script of the page runs.
const beepCounterJS = `(() => {
	window.__cgBeeps = 0;
	const start = OscillatorNode.prototype.start;
	OscillatorNode.prototype.start = function (...args) {
		window.__cgBeeps++;
		return start.apply(this, args);
	};
})();`

// policeActor is the police acknowledging and closing from another
// console (the lifecycle directly: the wall must follow the stream).
var policeActor = alerting.Actor{Name: "duty-officer", Agency: alerting.Police}

// wallTab opens the police board at the wall screen's size, counting beeps.
func (c *city) wallTab(browser browserCtx) *browsertest.Tab {
	c.t.Helper()
	u := c.Users["police"]
	tab := browsertest.NewTab(c.t, browser, c.URL, "police", browsertest.Wall)
	tab.AddInitScript("count beeps", beepCounterJS)
	tab.Login("police", password, u.Board)
	return tab
}

// press presses the panic button of school s (a new event id each time)
// and returns its open panic alert.
func (c *city) press(s *devices.School, id string) alerting.Alert {
	c.t.Helper()
	c.Accept(c.Event(deviceOf(c.t, s, devices.KindAlarm), "alarm.panic", id))
	for _, a := range c.Svc.Manager().List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.AlarmPanic}, Schools: []string{s.ID}}) {
		if a.Open() {
			return a
		}
	}
	c.t.Fatalf("no open panic at %s after press %s", s.ID, id)
	return alerting.Alert{}
}

// takenOverJS is true when the full-screen takeover shows alert id.
func takenOverJS(id string) string {
	return fmt.Sprintf(`(() => { const o = document.querySelector('#p0-overlay');
		return !!o && !o.hidden && !o.classList.contains('docked') && o.dataset.alertId === %q && o.getBoundingClientRect().height >= innerHeight * 0.9; })()`, id)
}

// dockedJS is true when alert id is docked on the board: its banner (the
// old single docked overlay, or an entry of the dock) is visible with a
// response clock.
func dockedJS(id string) string {
	return fmt.Sprintf(`(() => {
		const vis = (el) => !!el && !el.hidden && el.getBoundingClientRect().height > 0;
		const o = document.querySelector('#p0-overlay');
		if (vis(o) && o.classList.contains('docked') && o.dataset.alertId === %[1]q) return true;
		const d = document.querySelector('#p0-dock [data-alert-id=%[1]q]');
		return vis(d) && !!d.querySelector('.dock-clock') && /\d\d:\d\d/.test(d.querySelector('.dock-clock').textContent);
	})()`, id)
}

// TestWallRepeatPress: a new press on an acknowledged, still-open panic
// takes the screen again, with sound.
func TestWallRepeatPress(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 60})
	tab := c.wallTab(startBrowser(t))
	a := c.press(c.School, "press-1")
	tab.WaitJS("the first press takes the screen", takenOverJS(a.ID))
	if _, err := c.Svc.Manager().Ack(a.ID, policeActor, ""); err != nil {
		t.Fatal(err)
	}
	c.Settle()
	tab.WaitJS("acknowledged: docked", dockedJS(a.ID)+` && !document.body.classList.contains('p0-active')`)
	beeps := browsertest.Eval[int](tab, `window.__cgBeeps`)

	c.Advance(40 * time.Second)
	again := c.press(c.School, "press-2")
	if again.ID != a.ID || again.Count != 2 {
		t.Fatalf("second press: alert %s count %d, want %s count 2", again.ID, again.Count, a.ID)
	}
	tab.WaitJS("the repeat press takes the screen again", takenOverJS(a.ID))
	tab.WaitJS("the repeat press sounds", fmt.Sprintf(`window.__cgBeeps > %d`, beeps))
	t.Logf("beeps before the repeat %d, after %d", beeps, browsertest.Eval[int](tab, `window.__cgBeeps`))
}

// TestWallDockedPanics: two acknowledged panics are both docked; closing
// one leaves the other docked.
func TestWallDockedPanics(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 60})
	tab := c.wallTab(startBrowser(t))
	other := &c.Reg.Schools[len(c.Reg.Schools)-1] // another school, another county
	if other.ID == c.School.ID {
		t.Fatal("the city has one school")
	}
	a := c.press(c.School, "press-a")
	c.Advance(20 * time.Second)
	b := c.press(other, "press-b")
	for _, x := range []alerting.Alert{a, b} {
		if _, err := c.Svc.Manager().Ack(x.ID, policeActor, ""); err != nil {
			t.Fatal(err)
		}
	}
	c.Settle()
	tab.WaitJS("both acknowledged panics docked", dockedJS(a.ID)+" && "+dockedJS(b.ID))

	if _, err := c.Svc.Manager().Close(a.ID, policeActor, "处置完毕"); err != nil {
		t.Fatal(err)
	}
	c.Settle()
	tab.WaitJS("the closed panic leaves the dock", `!(`+dockedJS(a.ID)+`)`)
	tab.WaitJS("the other panic stays docked", dockedJS(b.ID))
	tab.Screenshot("wall-docked-zh", "")
}

// TestWallDockedAfterReload: an acknowledged open panic is docked again
// after the page reloads; a closed one is not.
func TestWallDockedAfterReload(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 60})
	tab := c.wallTab(startBrowser(t))
	other := &c.Reg.Schools[len(c.Reg.Schools)-1]
	a := c.press(c.School, "press-a")
	tab.WaitJS("the press takes the screen", takenOverJS(a.ID))
	if _, err := c.Svc.Manager().Ack(a.ID, policeActor, ""); err != nil {
		t.Fatal(err)
	}
	c.Settle()
	tab.WaitJS("acknowledged: docked", dockedJS(a.ID))
	gone := c.press(other, "press-gone")
	if _, err := c.Svc.Manager().Close(gone.ID, policeActor, "误触"); err != nil {
		t.Fatal(err)
	}
	c.Settle()

	tab.Navigate("/board/police")
	tab.WaitJS("after a reload the open panic is docked again", dockedJS(a.ID))
	if browsertest.Eval[bool](tab, dockedJS(gone.ID)) {
		t.Error("the closed panic is docked after the reload")
	}
}

// TestWallPanicView: the takeover says where (address, device location),
// whom to call (contact and phone), when (absolute Shanghai time) and how
// long ago (the 1-3-5 clock).
func TestWallPanicView(t *testing.T) {
	// On the real time of day (to the second), so that the page's clock,
	// which runs on the browser's time, starts near 00:00.
	c := newCity(t, cityOptions{Schools: 60, Now: time.Now().In(devices.Location()).Truncate(time.Second)})
	if c.School.Address == "" || c.School.Contact.Phone == "" {
		t.Fatalf("the demo school has no address or contact: %+v", c.School.Contact)
	}
	tab := c.wallTab(startBrowser(t))
	a := c.press(c.School, "press-view")
	tab.WaitJS("the takeover", takenOverJS(a.ID))
	at := a.StartedAt.In(devices.Location()).Format("2006-01-02 15:04:05")
	loc := deviceOf(t, c.School, devices.KindAlarm).Location
	for _, want := range []string{c.School.Name, c.School.Address, c.School.Contact.Name, c.School.Contact.Phone, loc, at} {
		tab.WaitJS("the panic view shows "+want, fmt.Sprintf(`document.querySelector('#p0-overlay').innerText.includes(%q)`, want))
	}
	tab.WaitJS("the response clock runs", `/\d\d:\d\d/.test(document.querySelector('#p0-elapsed').textContent)`)
	tab.Screenshot("wall-panic-zh", "wall-panic")
}

// TestWallOverviewFits: with the whole demo city (1,594 schools) and a
// few dozen open alerts, the police board's overview fits one 1920×1080
// screen, lists failing schools by name with the reason in plain text,
// and shows many alert rows at once.
func TestWallOverviewFits(t *testing.T) {
	c := newCity(t, cityOptions{})
	var named []string
	for i := 0; i < 60; i++ {
		s := &c.Reg.Schools[(i*26)%len(c.Reg.Schools)]
		rule := []alerting.RuleID{alerting.GateForced, alerting.GateIntrusion, alerting.GateHeldOpen}[i%3]
		c.Fire(rule, s.ID, "", deviceOf(t, s, devices.KindAlarm).ID)
		if i < 3 {
			named = append(named, s.Name)
		}
	}
	c.Settle()
	tab := c.wallTab(startBrowser(t))
	tab.WaitJS("the alerts are listed", `Number(document.querySelector('#alerts').dataset.total) >= 60`)
	tab.WaitJS("the overview is drawn", `document.querySelectorAll('#school-status [data-school]').length > 0`)
	height := browsertest.Eval[int](tab, `document.scrollingElement.scrollHeight`)
	inner := browsertest.Eval[int](tab, `innerHeight`)
	t.Logf("police board at 1920×1080 with %d schools: page %d px tall, window %d px", len(c.Reg.Schools), height, inner)
	if height > inner {
		t.Errorf("the police board is %d px tall, more than the screen's %d px", height, inner)
	}
	visibleRows := browsertest.Eval[int](tab, `Array.from(document.querySelectorAll('#alerts tbody tr[data-alert-id]')).filter((tr) => {
		const r = tr.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }).length`)
	t.Logf("alert rows on screen: %d", visibleRows)
	if visibleRows < 12 {
		t.Errorf("%d alert rows on screen, want at least 12", visibleRows)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#school-status .county').length`); n != 12 {
		t.Errorf("%d county cells, want the 12 counties of the demo city", n)
	}
	tab.Screenshot("wall-overview-zh", "wall-overview")
	grid := browsertest.Eval[string](tab, `document.querySelector('#school-status').innerText`)
	reason := browsertest.Eval[string](tab, `CG.ruleName('gate_forced')`)
	for _, n := range named[:1] {
		if !strings.Contains(grid, n) {
			t.Errorf("the county grid does not name the failing school %s", n)
		}
	}
	if !strings.Contains(grid, reason) {
		t.Errorf("the county grid does not say why (%q)", reason)
	}
	tiles := browsertest.Eval[int](tab, `document.querySelectorAll('#school-status [data-school]').length`)
	t.Logf("schools named in the overview: %d", tiles)
	if tiles > 300 {
		t.Errorf("%d school entries on the board: a tile per school, not an overview", tiles)
	}
}
