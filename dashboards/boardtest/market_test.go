package boardtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// The market inspector's board on the full demo city (about 1,400
// kitchens): what needs doing is at the top — an overdue violation first,
// with its evidence link, a tier-1 detection with its deadline, and a
// kitchen camera offline in the lunch window — all within the first
// screen; the kitchen table is paged, so the page stays a few screens tall
// (it was 66–75k px); the board's open-violation count is the monthly
// report's.
func TestMarketActionsFirst(t *testing.T) {
	c := newCity(t, cityOptions{}) // 10:00 on a school day: inside the lunch operating window (09:50–13:00)
	m := c.Svc.Manager()
	c.Advance(6 * time.Minute) // past the start-up grace that holds offline alerts back
	now := c.Clock.Now()
	kitchens := schoolsWithKitchenCams(c.Reg)
	if len(kitchens) < 50 {
		t.Fatalf("only %d schools with kitchen cameras", len(kitchens))
	}
	sch, other := kitchens[0], kitchens[1]
	cam, otherCam := deviceOf(t, sch, devices.KindKitchenCam), deviceOf(t, other, devices.KindKitchenCam)

	// 40 open tier-3 daily summaries elsewhere, due tomorrow morning.
	later := now.Add(20 * time.Hour)
	for _, s := range kitchens[2:42] {
		m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, Region: s.Region, School: s.ID, Subject: "no_hat@2026-12-02",
			Severity: alerting.P3, Firing: true, At: now, DueAt: &later, MessageZH: s.Name + " 后厨未戴厨师帽", MessageEN: s.Name + ": no hat"})
	}
	// A tier-2 violation found yesterday, due two hours ago, never
	// rectified: the lifecycle raises kitchen_overdue at its Tick.
	const oldSnap = "https://evidence.example.org/snap/ev-old.jpg"
	missed := now.Add(-2 * time.Hour)
	m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, Region: sch.Region, School: sch.ID, Subject: cam.ID + ":smoking:ev-old",
		Device: cam.ID, Severity: alerting.P2, Firing: true, At: now.Add(-26 * time.Hour), DueAt: &missed, Snapshot: oldSnap,
		MessageZH: sch.Name + " 后厨发现吸烟", MessageEN: sch.Name + ": smoking"})
	m.Tick(now)
	// A rodent seen now, through the kitchen rule: tier 1, due in 4 h.
	const rodentSnap = "https://evidence.example.org/snap/ev-rodent.jpg"
	ev := c.Event(cam, "kitchen.violation", "ev-rodent")
	ev.Values = []devices.Value{{Name: "category", Type: devices.TypeEnum, Str: "rodent"},
		{Name: "confidence", Type: devices.TypeNumber, Num: 0.92}, {Name: "snapshot", Type: devices.TypeString, Str: rodentSnap}}
	c.Accept(ev)
	// Another school's kitchen camera offline in the lunch window.
	offline := c.Fire(alerting.KitchenCamOffline, other.ID, otherCam.ID, otherCam.ID)

	find := func(rule alerting.RuleID, subject string) alerting.Alert {
		t.Helper()
		for _, a := range m.List(lifecycle.Filter{Rules: []alerting.RuleID{rule}, Schools: []string{sch.ID}}) {
			if a.Subject == subject && a.Open() {
				return a
			}
		}
		t.Fatalf("no open %s %s", rule, subject)
		return alerting.Alert{}
	}
	old := find(alerting.KitchenViolation, cam.ID+":smoking:ev-old")
	find(alerting.KitchenOverdue, cam.ID+":smoking:ev-old")
	rodent := find(alerting.KitchenViolation, cam.ID+":rodent:ev-rodent")
	if rodent.DueAt == nil || rodent.Snapshot != rodentSnap {
		t.Fatalf("tier-1 alert from the rule: due %v snapshot %q", rodent.DueAt, rodent.Snapshot)
	}
	open := 0
	for _, a := range m.List(lifecycle.Filter{}) {
		if alerting.OpenViolation(&a) {
			open++
		}
	}

	browser := startBrowser(t)
	tab := c.open(browser, "market", browsertest.Wall)
	row := func(id string) string {
		return `document.querySelector('#market-actions tr[data-alert-id="` + id + `"]')`
	}
	tab.WaitJS("the action rows", row(old.ID)+` && `+row(rodent.ID)+` && `+row(offline.ID))
	// The whole city's compliance feeds the kitchen table: under -race on a
	// loaded machine it can take minutes.
	waitLong(tab, "the kitchen table", `document.querySelectorAll('#kitchen-table tbody tr').length > 1 &&
		document.querySelector('#card-kitchens .card-value').textContent !== '0'`)

	type rowFacts struct {
		Top      float64 `json:"top"`
		First    bool    `json:"first"`
		Overdue  string  `json:"overdue"`
		Deadline string  `json:"deadline"`
		Snapshot string  `json:"snapshot"`
	}
	facts := func(id string) rowFacts {
		return browsertest.Eval[rowFacts](tab, `(() => { const r = `+row(id)+`;
			const o = r.querySelector('.mkt-overdue'), s = r.querySelector('a.snapshot-link'), d = r.querySelector('.mkt-due');
			return { top: r.getBoundingClientRect().top, first: r.parentElement.firstElementChild === r,
				overdue: o ? o.textContent : '', deadline: d ? d.textContent : '', snapshot: s ? s.href : '' }; })()`)
	}
	inner := browsertest.Eval[float64](tab, `innerHeight`)
	o, r, cm := facts(old.ID), facts(rodent.ID), facts(offline.ID)
	t.Logf("first screen %.0f px: overdue row at %.0f, tier-1 row at %.0f, camera row at %.0f", inner, o.Top, r.Top, cm.Top)
	for name, f := range map[string]rowFacts{"overdue violation": o, "tier-1 violation": r, "offline camera": cm} {
		if f.Top < 0 || f.Top >= inner {
			t.Errorf("%s row at %.0f px, not within the first screen (%.0f px)", name, f.Top, inner)
		}
	}
	if !o.First || o.Overdue == "" {
		t.Errorf("overdue violation: first row %v, overdue tag %q; want the first row, tagged overdue", o.First, o.Overdue)
	}
	if o.Snapshot != oldSnap || r.Snapshot != rodentSnap {
		t.Errorf("evidence links %q, %q; want %q, %q", o.Snapshot, r.Snapshot, oldSnap, rodentSnap)
	}
	if want := rodent.DueAt.In(devices.Location()).Format("15:04"); r.Overdue != "" || !strings.Contains(r.Deadline, want) {
		t.Errorf("tier-1 deadline cell %q (overdue %q), want the deadline %s", r.Deadline, r.Overdue, want)
	}

	// The rest of the page: the kitchen table a page at a time, the whole
	// page a few screens tall.
	kitchenRows := browsertest.Eval[int](tab, `document.querySelectorAll('#kitchen-table tbody tr').length`)
	height := browsertest.Eval[float64](tab, `document.documentElement.scrollHeight`)
	t.Logf("%d schools with kitchen cameras: %d kitchen rows shown, page %.0f px tall (%.1f screens)", len(kitchens), kitchenRows, height, height/inner)
	if kitchenRows > 25 {
		t.Errorf("%d kitchen rows on the page, want one page of at most 25", kitchenRows)
	}
	if height > 5*inner {
		t.Errorf("page %.0f px tall, want at most 5 screens (%.0f px)", height, 5*inner)
	}

	// The alert panel shows the evidence too.
	browsertest.Eval[bool](tab, row(rodent.ID)+`.click() || true`)
	tab.WaitJS("the snapshot in the alert panel", `(() => { const a = document.querySelector('#panel-details dd.d-snapshot a');
		return a !== null && a.href === `+strconv.Quote(rodentSnap)+`; })()`)

	// One count of open violations: the board's card, the report's total,
	// alerting.OpenViolation over the lifecycle.
	board := browsertest.Eval[string](tab, `document.querySelector('#card-open .card-value').textContent`)
	tab.Navigate("/board/market/report")
	waitLong(tab, "the report's totals", `document.querySelector('#report-table tfoot td[data-key="open_rectifications"]') !== null`)
	report := browsertest.Eval[string](tab, `document.querySelector('#report-table tfoot td[data-key="open_rectifications"]').textContent`)
	t.Logf("open violations: board %s, report %s, lifecycle %d", board, report, open)
	if board != report || board != strconv.Itoa(open) {
		t.Errorf("open violations: board %s, report %s, want both %d", board, report, open)
	}
}

// TestMarketActionsLaptop: at 1366×768 the overdue violation and the
// offline camera are still on the first screen.
func TestMarketActionsLaptop(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 80})
	m := c.Svc.Manager()
	c.Advance(6 * time.Minute) // past the start-up grace that holds offline alerts back
	now := c.Clock.Now()
	kitchens := schoolsWithKitchenCams(c.Reg)
	sch, other := kitchens[0], kitchens[1]
	cam, otherCam := deviceOf(t, sch, devices.KindKitchenCam), deviceOf(t, other, devices.KindKitchenCam)
	later := now.Add(20 * time.Hour)
	for i, s := range kitchens[2:] {
		m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, Region: s.Region, School: s.ID, Subject: fmt.Sprintf("no_mask@2026-12-0%d", 1+i%2),
			Severity: alerting.P3, Firing: true, At: now, DueAt: &later, MessageZH: s.Name + " 后厨未戴口罩", MessageEN: s.Name + ": no mask"})
		if i%3 == 0 {
			c.Fire(alerting.KitchenCamOccluded, s.ID, "", deviceOf(t, s, devices.KindKitchenCam).ID)
		}
	}
	missed := now.Add(-time.Hour)
	m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, Region: sch.Region, School: sch.ID, Subject: cam.ID + ":rodent:ev-1",
		Device: cam.ID, Severity: alerting.P1, Firing: true, At: now.Add(-5 * time.Hour), DueAt: &missed,
		MessageZH: sch.Name + " 后厨发现老鼠出没", MessageEN: sch.Name + ": rodent"})
	m.Tick(now)
	// The longest-offline camera: first in its list.
	m.Apply(alerting.Condition{Rule: alerting.KitchenCamOffline, Region: other.Region, School: other.ID, Subject: otherCam.ID,
		Device: otherCam.ID, Severity: alerting.P2, Firing: true, At: now.Add(-30 * time.Minute),
		MessageZH: other.Name + " 后厨摄像头离线", MessageEN: other.Name + ": kitchen camera offline"})
	var offline alerting.Alert
	for _, a := range m.List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.KitchenCamOffline}, Schools: []string{other.ID}}) {
		offline = a
	}
	var overdue alerting.Alert
	for _, a := range m.List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.KitchenViolation}, Schools: []string{sch.ID}}) {
		overdue = a
	}

	browser := startBrowser(t)
	tab := c.open(browser, "market", browsertest.Laptop)
	row := func(id string) string {
		return `document.querySelector('#market-actions tr[data-alert-id="` + id + `"]')`
	}
	tab.WaitJS("the action rows", row(overdue.ID)+` && `+row(offline.ID))
	for name, id := range map[string]string{"overdue violation": overdue.ID, "offline camera": offline.ID} {
		top := browsertest.Eval[float64](tab, row(id)+`.getBoundingClientRect().top`)
		inner := browsertest.Eval[float64](tab, `innerHeight`)
		t.Logf("1366×768: %s row at %.0f px of %.0f", name, top, inner)
		if top < 0 || top >= inner {
			t.Errorf("%s row at %.0f px, not within the first screen (%.0f px)", name, top, inner)
		}
	}
	shown := browsertest.Eval[int](tab, `document.querySelectorAll('#action-violations tbody tr').length`)
	more := browsertest.Eval[string](tab, `document.querySelector('#action-violations-more').textContent`)
	t.Logf("%d violation rows shown before %q", shown, more)
	if shown > 6 || more == "" {
		t.Errorf("%d violation rows shown, more button %q; want a bounded list with a way to the rest", shown, more)
	}

	// Live: closing the overdue violation (as market regulation, elsewhere)
	// takes it off the list and the count, through the event stream.
	before := browsertest.Eval[string](tab, `document.querySelector('#card-open .card-value').textContent`)
	if _, err := m.Close(overdue.ID, alerting.Actor{Name: "inspector", Agency: alerting.Market}, "已复核整改"); err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(before)
	tab.WaitJS("the closed violation off the action list", `!`+row(overdue.ID)+
		` && document.querySelector('#card-open .card-value').textContent === `+strconv.Quote(strconv.Itoa(n-1)))
}

// schoolsWithKitchenCams lists the registry's schools that have a kitchen
// camera, in registry order.
func schoolsWithKitchenCams(reg *devices.Registry) []*devices.School {
	var out []*devices.School
	for i := range reg.Schools {
		for _, d := range reg.Schools[i].Devices {
			if d.Kind == devices.KindKitchenCam {
				out = append(out, &reg.Schools[i])
				break
			}
		}
	}
	return out
}

// waitLong waits until the JavaScript condition holds in tab, for up to
// five minutes: for what the whole demo city feeds (its compliance, its
// report), which a loaded machine under -race serves slowly. A passing run
// never waits it out.
func waitLong(tab *browsertest.Tab, what, cond string) {
	tab.T.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !browsertest.Eval[bool](tab, `!!(`+cond+`)`) {
		if time.Now().After(deadline) {
			tab.Fail(what+": not within five minutes", nil)
		}
		<-tick.C
	}
}
