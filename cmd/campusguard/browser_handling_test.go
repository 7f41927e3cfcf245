package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// handledAlert is an alert of the HTTP API with the handling loop's fields.
type handledAlert struct {
	ID         string    `json:"id"`
	State      string    `json:"state"`
	Owner      string    `json:"owner"`
	AckedBy    string    `json:"acked_by"`
	ReceivedBy string    `json:"received_by"`
	Handling   string    `json:"handling"`
	Feedback   string    `json:"feedback"`
	Evidence   string    `json:"evidence"`
	ReportedBy string    `json:"reported_by"`
	ReviewedBy string    `json:"reviewed_by"`
	ReviewNote string    `json:"review_note"`
	ClosedBy   string    `json:"closed_by"`
	Can        *[]string `json:"can"` // nil when the API does not say
}

// handled returns GET /api/v1/alerts/{id} as s sees it.
func (s *apiSession) handled(t testing.TB, id string) handledAlert {
	t.Helper()
	var a handledAlert
	if code := s.do(t, http.MethodGet, "/api/v1/alerts/"+id, nil, &a); code != http.StatusOK {
		t.Fatalf("GET alert %s: HTTP %d", id, code)
	}
	return a
}

// waitHandled polls the alert until ok holds.
func (s *apiSession) waitHandled(t testing.TB, id, what string, ok func(handledAlert) bool) handledAlert {
	t.Helper()
	var last handledAlert
	eventually(t, 30*time.Second, what, func() (bool, string) {
		last = s.handled(t, id)
		b, _ := json.Marshal(last)
		return ok(last), string(b)
	})
	return last
}

// TestBrowserHandling drives the handling loop (派单 → 处置 → 反馈 → 复核)
// through the boards in headless Chromium against real Mosquitto, InfluxDB
// and campusguard: the school acknowledges receipt of its panic (签收: the
// panic stays firing, only the police acknowledgement stops it) and
// reports on its kitchen violation with an evidence link; it is offered no
// close, and a close it forces is refused in Chinese, then English; market
// regulation finds the report in its 待复核 list, sends it back with a
// note; the school finds it first in its to-do, reports again; market
// regulation verifies and closes it; the police acknowledge and close the
// panic.
//
// It needs the handling API (the "can" of each alert, POST .../report,
// .../return, .../close): without it (a build of the web UI alone) it
// skips, saying so.
func TestBrowserHandling(t *testing.T) {
	browser := startBrowser(t)
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 4)
	schoolA := &reg.Schools[0]
	alarmA, kitchenA := deviceOf(t, schoolA, devices.KindAlarm), deviceOf(t, schoolA, devices.KindKitchenCam)

	user := func(name, display, role string, schools []string, board string) testUser {
		return testUser{User: auth.User{Name: name, DisplayName: display, Role: role, Schools: schools}, board: board}
	}
	users := map[string]testUser{}
	var all []testUser
	for _, u := range []testUser{
		user("admin", "系统管理员", api.RoleAdmin, nil, "/board/police"),
		user("police-city", "市公安局指挥中心", api.RolePolice, nil, "/board/police"),
		user("market", "市市场监督管理局", api.RoleMarket, nil, "/board/market"),
		user("school-a", schoolA.Name+"保卫处", api.RoleSchool, []string{schoolA.ID}, "/board/school"),
	} {
		users[u.Name] = u
		all = append(all, u)
	}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.Users, cfg.NoAuth = writeUsers(t, all), false
	app := startApp(t, cfg)
	base := "http://" + app.http.Addr()
	alerts := subscribeAlerts(t, mq.URL(), "browser-handling-alerts")
	pub := newPublisher(t, mq.URL(), "browser-handling-pub")

	now := time.Now()
	pub.publishAll(t, []sample{
		{topic: topicOf(alarmA, devices.ChannelEvent), payload: panicPayload("handling-panic-a", now)},
		{topic: topicOf(kitchenA, devices.ChannelEvent), payload: []byte(fmt.Sprintf(
			`{"id":"handling-kitchen-a","ts":%q,"type":"kitchen.violation","category":"smoking","confidence":0.93,"snapshot":"snap/handling-kitchen-a.jpg"}`,
			now.Format(time.RFC3339Nano)))},
	})
	seed := map[string]alertMsg{}
	for len(seed) < 2 {
		a := waitAlert(t, alerts, 30*time.Second, "the panic and the kitchen violation", func(m alertMsg) bool {
			return m.Event == "fired" && m.School == schoolA.ID && (m.Rule == "alarm_panic" || m.Rule == "kitchen_violation")
		})
		seed[a.Rule] = a
	}
	panicA, kitchen := seed["alarm_panic"], seed["kitchen_violation"]

	admin := apiLogin(t, base, "admin")
	schoolAPI := apiLogin(t, base, "school-a")
	if a := schoolAPI.handled(t, panicA.ID); a.Can == nil {
		t.Fatalf(`GET /api/v1/alerts/%s has no "can": the boards cannot offer the handling steps`, panicA.ID)
	}

	// The school: both alerts in its to-do, the panic (P0) first.
	school := openAs(t, browser, base, users["school-a"])
	school.sees("#school-todo", panicA.ID, "its panic in the to-do")
	school.sees("#school-todo", kitchen.ID, "its kitchen violation in the to-do")
	school.waitJS("the panic first, waiting for receipt", 10*time.Second, fmt.Sprintf(`(() => {
		const first = document.querySelector('#school-todo tbody tr');
		return first && first.dataset.alertId === %q && first.querySelector('.tag-waits-receipt') !== null;
	})()`, panicA.ID))
	school.screenshot("handling-school-todo-zh", "")

	// 签收 the panic: a receipt; the panic stays firing for the police.
	school.run("open the panic", 10*time.Second, chromedp.Click(chromedp.CSS(alertSel("#school-todo", panicA.ID))))
	school.waitJS("签收 offered, close not", 10*time.Second, `(() => {
		const ack = document.getElementById('ack-button');
		return !document.getElementById('alert-panel').hidden && !ack.hidden && ack.textContent.trim() === '签收' &&
			document.getElementById('resolve-button').hidden && !document.getElementById('report-button').hidden;
	})()`)
	school.run("acknowledge receipt", 10*time.Second, chromedp.Click(chromedp.ID("ack-button")))
	got := admin.waitHandled(t, panicA.ID, "the school's receipt", func(a handledAlert) bool { return a.ReceivedBy == "school-a" })
	if got.State != "firing" || got.AckedBy != "" {
		t.Errorf("after the school's receipt the panic is %s, acked by %q: only the police stop a P0", got.State, got.AckedBy)
	}
	school.waitJS("receipt shown, 签收 gone", 10*time.Second, `document.querySelector('#panel-details dd.d-received') !== null &&
		document.getElementById('ack-button').hidden`)

	// No close on the school board, for any of its alerts.
	if n := evalJS[int](school, `(() => {
		let shown = 0;
		for (const a of CG.school.set.list()) {
			CG.school.panel.show(a.id);
			if (!document.getElementById('resolve-button').hidden) shown++;
		}
		return shown;
	})()`); n != 0 {
		t.Errorf("the school board shows a close button on %d alerts", n)
	}
	// A close the school forces anyway is refused, Chinese first, English second.
	school.run("force a close", 10*time.Second, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(CG.school.panel.show(%q), CG.school.panel.act('close', { note: '自行关闭' }))`, kitchen.ID), chromedp.EvalAwaitPromise))
	school.waitJS("the refusal in both languages", 10*time.Second, `(() => {
		const e = document.getElementById('panel-error');
		const zh = e.querySelector('.error-zh'), en = e.querySelector('.error-en');
		return !e.hidden && zh && /[\u4e00-\u9fff]/.test(zh.textContent) && en && /[A-Za-z]/.test(en.textContent) &&
			zh.compareDocumentPosition(en) === Node.DOCUMENT_POSITION_FOLLOWING;
	})()`)
	if a := admin.handled(t, kitchen.ID); a.State == "resolved" {
		t.Fatal("the school closed market regulation's kitchen violation")
	}

	// Report on the kitchen violation, with an evidence link.
	const evidence = "https://evidence.campusguard.test/kitchen-a/fixed.jpg"
	report := func(note string) {
		school.run("report "+note, 10*time.Second,
			chromedp.WaitVisible(chromedp.ID("report-button")),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('resolve-note').value = ''; document.getElementById('evidence-input').value = ''`),
			chromedp.SendKeys(chromedp.ID("resolve-note"), note),
			chromedp.SendKeys(chromedp.ID("evidence-input"), evidence),
			chromedp.Click(chromedp.ID("report-button")))
	}
	const note1 = "已对吸烟人员批评教育 / the smoker was warned"
	report(note1)
	got = admin.waitHandled(t, kitchen.ID, "the school's report", func(a handledAlert) bool { return a.Handling == "reported" })
	if got.Feedback != note1 || got.Evidence != evidence || got.ReportedBy != "school-a" {
		t.Errorf("report recorded as %+v", got)
	}
	school.waitJS("the reported violation leaves the to-do", 10*time.Second, fmt.Sprintf(
		`document.querySelector(%q) === null`, alertSel("#school-todo", kitchen.ID)))

	// Market regulation: the report waits in its 待复核 list; send it back.
	market := openAs(t, browser, base, users["market"])
	market.sees("#review-list", kitchen.ID, "the report awaiting verification")
	market.run("open the report", 10*time.Second, chromedp.Click(chromedp.CSS(alertSel("#review-list", kitchen.ID))))
	market.waitJS("feedback, evidence link, verify and send back", 10*time.Second, fmt.Sprintf(`(() => {
		const a = document.querySelector('#panel-details a.evidence');
		return a && a.href === %q && a.rel.split(' ').includes('noopener') && a.target === '_blank' &&
			document.querySelector('#panel-details dd.d-feedback').textContent === %q &&
			document.getElementById('resolve-button').textContent.trim() === '复核通过并关闭' &&
			!document.getElementById('return-button').hidden;
	})()`, evidence, note1))
	market.screenshot("handling-market-review-zh", "")
	const back = "照片看不清，请补拍整改后的后厨 / photo unclear, send one of the kitchen after the fix"
	market.run("send back", 10*time.Second,
		chromedp.SendKeys(chromedp.ID("resolve-note"), back),
		chromedp.Click(chromedp.ID("return-button")))
	got = admin.waitHandled(t, kitchen.ID, "sent back", func(a handledAlert) bool { return a.Handling == "returned" })
	if got.ReviewNote != back || got.ReviewedBy != "market" || got.State == "resolved" {
		t.Errorf("return recorded as %+v", got)
	}

	// The school: the returned violation heads its to-do; report again.
	school.waitJS("the returned violation first", 20*time.Second, fmt.Sprintf(`(() => {
		const first = document.querySelector('#school-todo tbody tr');
		return first && first.dataset.alertId === %q && first.querySelector('.tag-waits-returned') !== null;
	})()`, kitchen.ID))
	school.run("open the returned violation", 10*time.Second, chromedp.Click(chromedp.CSS(alertSel("#school-todo", kitchen.ID))))
	school.waitJS("the review note shown", 10*time.Second, fmt.Sprintf(
		`(document.querySelector('#panel-details dd.d-review-note') || {}).textContent === %q`, back))
	const note2 = "已补拍整改后照片 / new photo of the kitchen after the fix"
	report(note2)
	admin.waitHandled(t, kitchen.ID, "reported again", func(a handledAlert) bool { return a.Handling == "reported" && a.Feedback == note2 })

	// Market regulation verifies and closes.
	market.waitJS("the new report in the panel", 20*time.Second, fmt.Sprintf(
		`(document.querySelector('#panel-details dd.d-feedback') || {}).textContent === %q`, note2))
	market.run("verify and close", 10*time.Second,
		chromedp.SendKeys(chromedp.ID("resolve-note"), "复核通过 / verified"),
		chromedp.Click(chromedp.ID("resolve-button")))
	got = admin.waitHandled(t, kitchen.ID, "closed", func(a handledAlert) bool { return a.State == "resolved" })
	if got.ClosedBy != "market" {
		t.Errorf("closed_by = %q, want market", got.ClosedBy)
	}
	market.waitJS("nothing left to verify", 10*time.Second, fmt.Sprintf(`document.querySelector(%q) === null &&
		!document.getElementById('review-empty').hidden`, alertSel("#review-list", kitchen.ID)))
	market.toggleEnglish("review.title", "review.empty")
	market.screenshot("handling-market-review-en", "")
	school.toggleEnglish("school.todo", "col.owner", "col.waits")
	school.screenshot("handling-school-todo-en", "")

	// The police: their acknowledgement is the one that stops the panic.
	police := openAs(t, browser, base, users["police-city"])
	police.run("see the panic takeover", 20*time.Second, chromedp.WaitVisible(chromedp.ID("p0-overlay")))
	police.waitJS("确认接警 in the takeover", 10*time.Second, `(() => {
		const b = document.querySelector('#p0-overlay #ack-button');
		return b && !b.hidden && b.textContent.trim() === '确认接警' && document.querySelector('#p0-overlay #report-button').hidden;
	})()`)
	police.run("acknowledge", 10*time.Second, chromedp.Click(chromedp.CSS("#p0-overlay #ack-button")))
	got = admin.waitHandled(t, panicA.ID, "the police acknowledgement", func(a handledAlert) bool { return a.State == "acknowledged" })
	if got.AckedBy != "police-city" || got.ReceivedBy != "school-a" {
		t.Errorf("acked by %q, received by %q", got.AckedBy, got.ReceivedBy)
	}
	const closeNote = "民警已到场，误触 / officers on site, pressed by mistake"
	police.run("close with a note", 10*time.Second,
		chromedp.WaitVisible(chromedp.ID("resolve-note")),
		chromedp.SendKeys(chromedp.ID("resolve-note"), closeNote),
		chromedp.Click(chromedp.ID("resolve-button")),
		chromedp.WaitNotVisible(chromedp.ID("p0-overlay")))
	got = admin.waitHandled(t, panicA.ID, "the panic closed", func(a handledAlert) bool { return a.State == "resolved" })
	if got.ClosedBy != "police-city" {
		t.Errorf("closed_by = %q, want police-city", got.ClosedBy)
	}
	school.waitJS("the closed panic leaves the school's to-do", 20*time.Second, fmt.Sprintf(`document.querySelector(%q) === null`,
		alertSel("#school-todo", panicA.ID)))
}
