package boardtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// TestEducationNumbers is the education bureau's board on the demo city
// (1,594 schools) on Wednesday at 10:02, when most windows have not ended
// (issue 9, "numbers that tell the truth"):
//   - the headline rate has its count beside it ("N 所未达标 / 1,594") and
//     is red when any school fails, whatever the rate;
//   - the first row of the school table is a failing school, inside the
//     first screen, and no school waiting for a verdict comes before a
//     failing one; the school made to fail is listed;
//   - a measure whose window has not ended (protection_post, last peak at
//     16:00) reads 未判定, never ✓ or 100 %, in the table, the headline and
//     the drill-down (fetched when the school is opened);
//   - yesterday, with nothing recorded, says 无记录 and blames no
//     permission; the week selector answers for the week;
//   - in English the count reads "N of 1,594 schools failing".
//
// It logs the compliance answer's size, default (compact) and full, for
// docs/performance.md.
func TestEducationNumbers(t *testing.T) {
	c := newCity(t, cityOptions{})
	// The last school of the last county fails alarm_link: its terminals'
	// 110 link down for over 60 s (no heartbeat is due before 10:03).
	failing := &c.Reg.Schools[len(c.Reg.Schools)-1]
	for i := range c.Reg.Schools {
		if s := &c.Reg.Schools[i]; s.Region > failing.Region || s.Region == failing.Region && s.ID > failing.ID {
			failing = s
		}
	}
	var evs []*devices.Event
	for i := range failing.Devices {
		if d := &failing.Devices[i]; d.Kind == devices.KindAlarm {
			ev := c.Event(d, "alarm.link", fmt.Sprintf("link-%d", i))
			ev.Values = []devices.Value{{Name: "linked", Type: devices.TypeBool, Bool: false}}
			evs = append(evs, ev)
		}
	}
	if len(evs) == 0 {
		t.Fatalf("school %s has no alarm terminal", failing.ID)
	}
	c.Accept(evs...)
	c.Advance(2 * time.Minute)
	c.Settle()

	browser := startBrowser(t)
	tab := c.open(browser, "education", browsertest.Wall)

	// Payload sizes, uncompressed, as the page fetches them.
	size := func(path string) int {
		return browsertest.Eval[int](tab, `fetch('`+path+`').then((r) => r.arrayBuffer()).then((b) => b.byteLength)`)
	}
	full, compact := size("/api/v1/compliance?format=full"), size("/api/v1/compliance")
	all := size("/api/v1/compliance?schools=all&limit=5000")
	t.Logf("GET /api/v1/compliance on %d schools: default (compact) %d bytes, ?schools=all %d bytes, ?format=full %d bytes",
		len(c.Reg.Schools), compact, all, full)
	t.Logf("GET /api/v1/compliance/trend?days=31: %d bytes; &per_school=false&rollups=false (the board's chart) %d bytes; &school=<id> (a drill-down) %d bytes",
		size("/api/v1/compliance/trend?days=31"), size("/api/v1/compliance/trend?days=31&per_school=false&rollups=false"),
		size("/api/v1/compliance/trend?days=31&school="+failing.ID))
	if compact*10 > full {
		t.Errorf("the default answer (%d bytes) is more than a tenth of the full one (%d bytes)", compact, full)
	}

	total := fmt.Sprintf("%d,%03d", len(c.Reg.Schools)/1000, len(c.Reg.Schools)%1000)
	tab.WaitJS("the four-100% headline with its count", `(() => {
		const c = document.querySelector('#summary [data-col="four_hundred"] .numbers-count');
		return c && /^[0-9,]+ 所未达标 \/ `+total+`$/.test(c.textContent);
	})()`)
	head := browsertest.Eval[map[string]any](tab, `(() => {
		const c = document.querySelector('#summary [data-col="four_hundred"]');
		const a = document.querySelector('#summary [data-col="alarm_link"]');
		return {count: c.querySelector('.numbers-count').textContent, tone: c.dataset.tone,
			alarmTone: a.dataset.tone, alarmCount: a.querySelector('.numbers-count').textContent};
	})()`)
	t.Logf("headline: %v", head)
	if head["tone"] != "bad" || head["alarmTone"] != "bad" || strings.HasPrefix(head["alarmCount"].(string), "0 ") {
		t.Errorf("a county with a failing school is not red: %v", head)
	}

	// Failing first, in the first screen.
	row := fmt.Sprintf(`#compliance-table tr[data-school=%q]`, failing.ID)
	tab.WaitJS("the failing school listed", `document.querySelector('`+row+`') !== null`)
	first := browsertest.Eval[map[string]any](tab, `(() => {
		const rows = [...document.querySelectorAll('#compliance-table tbody tr[data-school]')];
		const r = rows[0].getBoundingClientRect();
		const order = rows.map((x) => x.dataset.verdict);
		const lastFail = order.lastIndexOf('not_met'), firstWait = order.indexOf('not_judged');
		return {verdict: rows[0].dataset.verdict, top: r.top, bottom: r.bottom, h: innerHeight,
			ordered: firstWait < 0 || lastFail < firstWait, rows: rows.length};
	})()`)
	t.Logf("first school row: %v", first)
	if first["verdict"] != "not_met" || first["bottom"].(float64) > first["h"].(float64) || first["top"].(float64) < 0 {
		t.Errorf("the first school row is not a failing school in the first screen: %v", first)
	}
	if first["ordered"] != true {
		t.Errorf("a school waiting for a verdict is listed before a failing one")
	}
	cell := browsertest.Eval[map[string]string](tab, `(() => {
		const r = document.querySelector('`+row+`');
		const td = (m) => r.querySelector('td[data-col="' + m + '"]');
		return {alarm: td('alarm_link').dataset.verdict, post: td('protection_post').dataset.verdict,
			postText: td('protection_post').textContent, four: td('four_hundred').dataset.verdict};
	})()`)
	if cell["alarm"] != "not_met" || cell["four"] != "not_met" {
		t.Errorf("the failing school's row: %v", cell)
	}
	if cell["post"] != "not_judged" || cell["postText"] != "未判定" {
		t.Errorf("protection_post before its window ended shows %q (%s), want 未判定", cell["postText"], cell["post"])
	}
	post := browsertest.Eval[map[string]string](tab, `(() => {
		const c = document.querySelector('#summary [data-col="protection_post"]');
		return {tone: c.dataset.tone, value: c.querySelector('.card-value').textContent};
	})()`)
	if post["tone"] == "good" || post["value"] == "100%" {
		t.Errorf("the protection_post headline reads as met before any peak ended: %v", post)
	}

	// The drill-down, fetched when opened: the measure not judged yet.
	clickOn(tab, row)
	tab.WaitJS("the drill-down's measures", `(() => {
		const l = document.querySelector('#detail-measures .lapse[data-measure="protection_post"]:not([data-period])');
		return l && l.dataset.verdict === 'not_judged' && l.querySelector('.status').textContent === '未判定' && !l.classList.contains('ok');
	})()`)
	tab.WaitJS("the drill-down's alarm_link not met", `(() => {
		const l = document.querySelector('#detail-measures .lapse[data-measure="alarm_link"]');
		return l && l.dataset.verdict === 'not_met';
	})()`)
	clickOn(tab, "#detail-close")
	tab.Screenshot("numbers-education-zh", "education-numbers")

	// Yesterday: nothing was recorded (no InfluxDB here): 无记录, no blame.
	yesterday := devices.DateOf(c.Clock.Now()).AddDays(-1).String()
	setValue(tab, "#date-input", yesterday)
	tab.WaitJS("无记录 for yesterday", `!document.getElementById('no-data').hidden &&
		document.getElementById('no-data').textContent.includes('无记录') &&
		document.querySelector('#summary [data-col="four_hundred"] .card-value').textContent === '无记录'`)
	if text := browsertest.Eval[string](tab, `document.querySelector('.board-education').innerText`); strings.Contains(text, "权限") || strings.Contains(text, "无权") || strings.Contains(text, "只能看到") {
		t.Errorf("a day without data blames permissions:\n%s", text)
	}

	// The week so far.
	today := devices.DateOf(c.Clock.Now()).String()
	setValue(tab, "#date-input", today)
	setValue(tab, "#period-select", "week")
	tab.WaitJS("the week's figures", `CG.education.state.report && CG.education.state.report.period === 'week' &&
		document.getElementById('period-range').textContent.includes('2026-11-30') &&
		document.querySelector('`+row+`') !== null`)

	// English: "N of 1,594 schools failing".
	clickOn(tab, "#lang-toggle")
	tab.WaitJS("the English count", `/^[0-9,]+ of `+total+` schools failing$/.test(
		document.querySelector('#summary [data-col="four_hundred"] .numbers-count').textContent)`)
	tab.Screenshot("numbers-education-en", "education-numbers-week-en")

	// The school and county tables scroll inside their panels on a laptop
	// and a phone (logged: the page layout itself is the polish helper's).
	for _, v := range []browsertest.Viewport{browsertest.Laptop, browsertest.Phone} {
		tab.SetViewport(v)
		over := browsertest.Eval[int](tab, `document.documentElement.scrollWidth - innerWidth`)
		t.Logf("education board at %s: %d px wider than the screen", v, over)
		tab.Screenshot("numbers-education-"+v.String(), "")
	}
}

// clickOn clicks the element sel selects (a script click: the element
// may sit under the fold of a scrolled box).
func clickOn(tab *browsertest.Tab, sel string) {
	tab.T.Helper()
	if !browsertest.Eval[bool](tab, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.click(); return true; })()`, sel)) {
		tab.Fail("click "+sel, nil)
	}
}

// setValue sets a form field's value and fires its change event, as a
// user picking a date or an option does.
func setValue(tab *browsertest.Tab, sel, value string) {
	tab.T.Helper()
	if !browsertest.Eval[bool](tab, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false;
		e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, sel, value)) {
		tab.Fail("set "+sel, nil)
	}
}
