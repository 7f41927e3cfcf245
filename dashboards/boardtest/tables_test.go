package boardtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// seedRules are the rules the city's seeded alerts come from: rules no
// start-up grace period holds back and none that takes over the police
// board (alarm_panic), of every severity.
var seedRules = []alerting.RuleID{
	alerting.GateForced, alerting.GateHeldOpen, alerting.GateOpenAfterHours, alerting.GateDeniedBurst,
	alerting.AlarmTrouble, alerting.AlarmTestOverdue, alerting.KitchenViolation, alerting.GuardUnlicensed,
	alerting.PatrolShortfall, alerting.CalendarExpiring,
}

// seedAlert opens (or, when it is open, updates with a new message) the
// alert number i of the city: rule and school taken round the catalogue
// and the city, subject "seed-i".
func (c *city) seedAlert(i int, note string) {
	c.t.Helper()
	rule := seedRules[i%len(seedRules)]
	info, ok := alerting.Info(rule)
	if !ok {
		c.t.Fatalf("no rule %s", rule)
	}
	sch := &c.Reg.Schools[(i*7)%len(c.Reg.Schools)]
	c.Svc.Manager().Apply(alerting.Condition{Rule: rule, Region: sch.Region, School: sch.ID,
		Subject: fmt.Sprintf("seed-%d", i), Severity: info.Severity, Firing: true, At: c.Clock.Now(),
		MessageZH: info.TitleZH + "：" + sch.Name + note, MessageEN: info.TitleEN + ": " + sch.Name + note})
}

// openAlerts is how many alerts are open in the city (the admin sees all).
func (c *city) openAlerts() int {
	return len(c.Svc.Manager().List(lifecycle.Filter{States: []alerting.State{alerting.Firing, alerting.Acknowledged}}))
}

// tableJS reads the police board's alert table: the rows in the DOM, the
// total the table lists and the sum of the severity counters.
const tableJS = `(() => {
	const t = document.querySelector('#alerts');
	const n = (s) => Number(document.querySelector('#count-' + s + ' .n').textContent);
	return {
		rows: t.querySelectorAll('tbody tr.alert-row').length,
		total: Number(t.dataset.total || -1),
		counters: n('P0') + n('P1') + n('P2') + n('P3'),
		status: (document.querySelector('.vtable-status') || {}).textContent || '',
	};
})()`

type tableState struct {
	Rows     int    `json:"rows"`
	Total    int    `json:"total"`
	Counters int    `json:"counters"`
	Status   string `json:"status"`
}

// maxDOMRows bounds the alert rows a fluid table keeps in the DOM: a
// 1080-px screen shows a few dozen, and a margin on each side.
const maxDOMRows = 200

// TestAlertTable5000: with 5,000 open alerts in the city and 50 changes a
// second streaming in (updates of open alerts and new ones), the
// admin's police board keeps only the rows in sight in the DOM, while the
// table and the counters still count every alert; an update of one alert
// changes that row and no other; the table scrolls to its last alert by
// keyboard. The page's long tasks during the stream are measured and
// logged (docs/performance.md), never asserted: the machine is shared.
func TestAlertTable5000(t *testing.T) {
	const seeded, rate, streamFor = 5000, 50, 10 * time.Second
	c := newCity(t, cityOptions{})
	for i := 0; i < seeded; i++ {
		c.seedAlert(i, "")
	}
	c.Settle()
	if got := c.openAlerts(); got != seeded {
		t.Fatalf("seeded %d alerts, %d open", seeded, got)
	}

	browser := startBrowser(t)
	u := c.Users["admin"]
	tab := browsertest.NewTab(t, browser, c.URL, "admin", browsertest.Wall)
	tab.ObserveLongTasks()
	loadStart := time.Now()
	tab.Login("admin", password, u.Board)
	tab.WaitJS("the police board counts 5,000 open alerts", fmt.Sprintf(`(() => {
		const n = (s) => Number(document.querySelector('#count-' + s + ' .n').textContent);
		return n('P0') + n('P1') + n('P2') + n('P3') === %d;
	})()`, seeded))
	load := tab.LongTasks()
	t.Logf("police board with %d open alerts: loaded in %v; long tasks while loading: longest %v, %d over 50 ms, blocking %v",
		seeded, time.Since(loadStart).Round(time.Millisecond), load.Max, load.Count, load.Blocking)
	if st := browsertest.Eval[tableState](tab, tableJS); st.Rows == 0 || st.Rows >= maxDOMRows {
		// Not fatal: the stream below still measures the page.
		t.Errorf("after loading: %d alert rows in the DOM for %d open alerts, want 1..%d (only the rows in sight)", st.Rows, seeded, maxDOMRows-1)
	}
	// The open alerts as the API lists them (the stream's snapshot
	// carries the same views).
	size := browsertest.Eval[int](tab, `fetch('/api/v1/alerts?state=firing,acknowledged').then((r) => r.arrayBuffer()).then((b) => b.byteLength)`)
	t.Logf("GET /api/v1/alerts of %d open alerts: %d KB (uncompressed)", seeded, size>>10)

	// 50 changes a second for 10 s: every other one an update (a new
	// message) of an open alert, the others new alerts.
	tab.ResetLongTasks()
	tick := time.NewTicker(time.Second / rate)
	next := seeded
	began := time.Now()
	events := 0
	// A fixed number of changes (rate × streamFor), one per tick: how many
	// the page gets never depends on how fast this machine is; a late tick
	// only stretches the stream.
	total := int(rate * streamFor.Seconds())
	for ; events < total; events++ {
		<-tick.C
		if events%2 == 0 {
			c.seedAlert((events*97)%seeded, fmt.Sprintf(" #%d", events))
		} else {
			c.seedAlert(next, "")
			next++
		}
	}
	took := time.Since(began)
	tick.Stop()
	c.Settle()
	want := c.openAlerts()
	tab.WaitJS("the counters catch up with the stream", fmt.Sprintf(`(() => {
		const n = (s) => Number(document.querySelector('#count-' + s + ' .n').textContent);
		return n('P0') + n('P1') + n('P2') + n('P3') === %d;
	})()`, want))
	lt := tab.LongTasks()
	t.Logf("police board, %d open alerts, %d changes in %v (%.0f/s): longest main-thread task %v, %d tasks over 50 ms, total blocking time %v",
		want, events, took.Round(time.Millisecond), float64(events)/took.Seconds(), lt.Max, lt.Count, lt.Blocking)

	// Structure: few rows in the DOM, every alert counted.
	st := browsertest.Eval[tableState](tab, tableJS)
	t.Logf("after the stream: %+v", st)
	if st.Rows == 0 || st.Rows >= maxDOMRows {
		t.Fatalf("%d alert rows in the DOM with %d open alerts, want 1..%d (only the rows in sight)", st.Rows, want, maxDOMRows-1)
	}
	tab.WaitJS("the table lists every open alert", fmt.Sprintf(`document.querySelector('#alerts').dataset.total === '%d'`, want))
	st = browsertest.Eval[tableState](tab, tableJS)
	if st.Total != want || st.Counters != want {
		t.Errorf("table total %d, counters %d; %d alerts are open", st.Total, st.Counters, want)
	}
	if total := fmt.Sprintf("%d", want); !strings.Contains(strings.ReplaceAll(st.Status, ",", ""), total) {
		t.Errorf("status line %q does not say %s alerts", st.Status, total)
	}

	// An update of one alert changes its row, and only its row: every
	// other row drawn stays the same element.
	first := browsertest.Eval[string](tab, `(() => {
		document.querySelectorAll('#alerts tbody tr.alert-row').forEach((tr) => { tr.__cgKept = true; });
		return document.querySelector('#alerts tbody tr.alert-row').dataset.alertId;
	})()`)
	a, ok := c.Svc.Manager().Get(first)
	if !ok {
		t.Fatalf("the first row's alert %s is not in the city", first)
	}
	var seed int
	if _, err := fmt.Sscanf(a.Subject, "seed-%d", &seed); err != nil {
		t.Fatalf("first row %s: subject %q", first, a.Subject)
	}
	c.seedAlert(seed, " 已更新")
	c.Settle()
	tab.WaitJS("the updated alert's row shows its new message", fmt.Sprintf(
		`(document.querySelector('#alerts tr[data-alert-id="%s"] td.msg') || {}).textContent.endsWith('已更新')`, first))
	redrawn := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#alerts tbody tr.alert-row'))
		.filter((tr) => !tr.__cgKept).map((tr) => tr.dataset.alertId)`)
	if len(redrawn) != 1 || redrawn[0] != first {
		t.Errorf("an update of %s redrew rows %v, want only its own", first, redrawn)
	}

	// The keyboard reaches the last alert (End), and the table stays small
	// there.
	tab.WaitJS("End moves to the last alert", `(() => {
		const box = document.querySelector('#alerts').closest('.vtable-box');
		const row = document.querySelector('#alerts tbody tr.alert-row');
		if (!box || !row) return false;
		if (!box.contains(document.activeElement) || document.activeElement === box) row.focus();
		document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
		const t = document.querySelector('#alerts');
		const rows = t.querySelectorAll('tbody tr.alert-row');
		return Number(t.dataset.first) + rows.length === Number(t.dataset.total) &&
			document.activeElement === rows[rows.length - 1];
	})()`)
	if st := browsertest.Eval[tableState](tab, tableJS); st.Rows >= maxDOMRows || st.Total != want {
		t.Errorf("at the end of the table: %+v (want < %d rows, total %d)", st, maxDOMRows, want)
	}

	// In English the rows drawn are drawn again in English, and the
	// status line says the same total.
	before := browsertest.Eval[string](tab, `(() => {
		const text = document.querySelector('#alerts tbody tr.alert-row td:nth-child(2)').textContent;
		document.querySelector('#lang-toggle').click();
		return text;
	})()`)
	tab.WaitJS("the table in English", fmt.Sprintf(`(() => {
		const cell = document.querySelector('#alerts tbody tr.alert-row td:nth-child(2)');
		const status = document.querySelector('.vtable-status').textContent;
		return cell && cell.textContent !== %q && !/[\u4e00-\u9fff]/.test(cell.textContent) &&
			status.replace(/,/g, '').startsWith('%d alerts');
	})()`, before, want))
}
