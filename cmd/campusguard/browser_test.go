package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestBrowserDashboards drives the web UI in headless Chromium against real
// Mosquitto, InfluxDB and campusguard. Every role logs in through the login
// page and finds its board cut to its jurisdiction and its audiences, in
// Chinese and in English; then a panic published while the police board is
// open takes over the screen with its running clock, and the officer
// acknowledges and resolves it from the page.
//
// Screenshots land in dashboards/testdata/screenshots/ (git-ignored); with
// CAMPUSGUARD_UPDATE_SCREENSHOTS=1 the documentation's copies are written to
// docs/screenshots/ and the measured P0 latency is printed for
// docs/performance.md.
func TestBrowserDashboards(t *testing.T) {
	browser := startBrowser(t)
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)

	// School A has a panic button, a kitchen camera and a region of its
	// own police; school B is in another region.
	schoolA := &reg.Schools[0]
	var schoolB *devices.School
	for i := range reg.Schools {
		if s := &reg.Schools[i]; s.Region != schoolA.Region {
			schoolB = s
			break
		}
	}
	if schoolB == nil {
		t.Fatal("registry has one region only")
	}
	alarmA, kitchenA := deviceOf(t, schoolA, devices.KindAlarm), deviceOf(t, schoolA, devices.KindKitchenCam)
	gateB, alarmB := deviceOf(t, schoolB, devices.KindAccess), deviceOf(t, schoolB, devices.KindAlarm)

	user := func(name, display, role string, regions, schools []string, board string) testUser {
		return testUser{User: auth.User{Name: name, DisplayName: display, Role: role, Regions: regions, Schools: schools}, board: board}
	}
	all := []testUser{
		user("admin", "系统管理员", api.RoleAdmin, nil, nil, "/board/police"),
		user("police-city", "市公安局指挥中心", api.RolePolice, nil, nil, "/board/police"),
		user("police-"+schoolA.Region, "辖区派出所", api.RolePolice, []string{schoolA.Region}, nil, "/board/police"),
		user("edu", "市教育局安全科", api.RoleEducation, nil, nil, "/board/education"),
		user("market", "市市场监督管理局", api.RoleMarket, nil, nil, "/board/market"),
		user("school-a", schoolA.Name+"保卫处", api.RoleSchool, nil, []string{schoolA.ID}, "/board/school"),
		user("school-b", schoolB.Name+"保卫处", api.RoleSchool, nil, []string{schoolB.ID}, "/board/school"),
	}
	users := map[string]testUser{}
	for _, u := range all {
		users[u.Name] = u
	}

	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.Users, cfg.NoAuth = writeUsers(t, all), false
	app := startApp(t, cfg)
	base := "http://" + app.http.Addr()
	alerts := subscribeAlerts(t, mq.URL(), "browser-test-alerts")
	pub := newPublisher(t, mq.URL(), "browser-test-pub")

	// Seed: a panic and a tier-2 kitchen violation at A, a forced gate at B.
	now := time.Now()
	pub.publishAll(t, []sample{
		{topic: topicOf(alarmA, devices.ChannelEvent), payload: panicPayload("browser-panic-a", now)},
		{topic: topicOf(kitchenA, devices.ChannelEvent), payload: []byte(fmt.Sprintf(
			`{"id":"browser-kitchen-a","ts":%q,"type":"kitchen.violation","category":"smoking","confidence":0.91,"snapshot":"snap/browser-kitchen-a.jpg"}`,
			now.Format(time.RFC3339Nano)))},
		{topic: topicOf(gateB, devices.ChannelEvent), payload: []byte(fmt.Sprintf(
			`{"id":"browser-forced-b","ts":%q,"type":"access.forced"}`, now.Format(time.RFC3339Nano)))},
	})
	seed := map[string]alertMsg{}
	for len(seed) < 3 {
		a := waitAlert(t, alerts, 30*time.Second, "seed alerts", func(m alertMsg) bool {
			return m.Event == "fired" && (m.Rule == "alarm_panic" && m.School == schoolA.ID ||
				m.Rule == "kitchen_violation" && m.School == schoolA.ID || m.Rule == "gate_forced" && m.School == schoolB.ID)
		})
		seed[a.Rule] = a
	}
	panicA, kitchen, gate := seed["alarm_panic"], seed["kitchen_violation"], seed["gate_forced"]

	t.Run("admin", func(t *testing.T) {
		b := newTab(t, browser, base, "admin")
		b.login(users["admin"], "login-zh", "login")
		b.sees("#alerts", panicA.ID, "school A's panic")
		b.sees("#alerts", gate.ID, "school B's forced gate")
		b.sees("#alerts", kitchen.ID, "school A's kitchen violation")
		b.run("see the panic takeover", 10*time.Second, chromedp.WaitVisible(chromedp.ID("p0-overlay")))
		b.screenshot("admin-police-zh", "")
		b.run("open the silences page", 20*time.Second,
			chromedp.Navigate(base+"/silences"), chromedp.WaitVisible(chromedp.ID("silence-form")))
		b.screenshot("admin-silences-zh", "silences")
		b.toggleEnglish("app.name", "silences.create")
		b.screenshot("admin-silences-en", "")
	})

	t.Run("police-region", func(t *testing.T) {
		u := users["police-"+schoolA.Region]
		b := openAs(t, browser, base, u)
		b.sees("#alerts", panicA.ID, "the panic in its region")
		b.seesNot(gate.ID, "school B's forced gate (another region)")
		b.seesNot(kitchen.ID, "the kitchen violation (not a police audience)")
		b.run("see the panic takeover", 10*time.Second, chromedp.WaitVisible(chromedp.ID("p0-overlay")))
		if got := evalJS[string](b, `document.getElementById('p0-overlay').dataset.alertId || ''`); got != panicA.ID {
			t.Errorf("overlay shows alert %q, want the panic %s", got, panicA.ID)
		}
		// Its region's schools only, in the status tiles and the region columns.
		b.waitJS("school tiles", 20*time.Second, `document.querySelectorAll('#school-status .school-tile').length > 0`)
		inRegion := map[string]bool{}
		for _, s := range reg.Schools {
			inRegion[s.ID] = s.Region == schoolA.Region
		}
		for _, id := range evalJS[[]string](b, `Array.from(document.querySelectorAll('#school-status .school-tile')).map((e) => e.dataset.school)`) {
			if !inRegion[id] {
				t.Errorf("%s sees school %s of another region", u.Name, id)
			}
		}
		for _, r := range evalJS[[]string](b, `Array.from(document.querySelectorAll('#region-columns [data-region]')).map((e) => e.dataset.region)`) {
			if r != schoolA.Region {
				t.Errorf("%s sees region %s", u.Name, r)
			}
		}
		b.screenshot("police-region-zh", "")
		b.toggleEnglish("app.name", "police.alerts")
		b.waitJS("the panic in English", 10*time.Second, fmt.Sprintf(
			`document.getElementById('p0-message').textContent === %q`, panicA.MessageEN))
		b.screenshot("police-region-en", "")
	})

	t.Run("education", func(t *testing.T) {
		b := openAs(t, browser, base, users["edu"])
		row := func(s *devices.School) string { return fmt.Sprintf(`#compliance-table tr[data-school=%q]`, s.ID) }
		b.run("see the compliance table, trend and export", 20*time.Second,
			chromedp.WaitVisible(chromedp.CSS(row(schoolA))),
			chromedp.WaitVisible(chromedp.CSS(row(schoolB))),
			chromedp.WaitVisible(chromedp.ID("trend-chart")),
			chromedp.WaitVisible(chromedp.ID("export-csv")))
		b.waitJS("the trend drawn", 20*time.Second, `document.querySelectorAll('#trend-svg *').length > 0`)
		b.screenshot("education-zh", "education")
		b.toggleEnglish("app.name", "education.by_school")
		b.screenshot("education-en", "")
		// Drill down: school A's panic is for the bureau; B's forced gate is not.
		b.run("open school A", 10*time.Second, chromedp.Click(chromedp.CSS(row(schoolA))))
		b.sees("#detail-alerts", panicA.ID, "school A's panic in the drill-down")
		b.seesNot(kitchen.ID, "the kitchen violation (not an education audience)")
		b.run("open school B", 10*time.Second, chromedp.Click(chromedp.CSS(row(schoolB))))
		b.waitJS("school B's alerts loaded", 10*time.Second, fmt.Sprintf(`document.getElementById('detail-title').textContent.includes(%q) &&
			(document.querySelectorAll('#detail-alerts tbody tr').length > 0 || !document.getElementById('detail-alerts-empty').hidden)`, schoolB.Name))
		b.seesNot(gate.ID, "school B's forced gate (police and school only)")
	})

	t.Run("market", func(t *testing.T) {
		b := openAs(t, browser, base, users["market"])
		b.sees("#action-violations", kitchen.ID, "the kitchen violation to rectify, in the action list")
		b.seesNot(panicA.ID, "the panic (police, education and school only)")
		b.seesNot(gate.ID, "the forced gate")
		b.run("see the kitchen table", 10*time.Second, chromedp.WaitVisible(chromedp.ID("kitchen-table")))
		b.waitJS("smoking counted as tier 2", 10*time.Second,
			`(document.querySelector('#violation-table tr[data-category="smoking"] td:nth-child(3)') || {}).textContent === '1'`)
		b.screenshot("market-zh", "market")
		b.toggleEnglish("app.name", "market.kitchens")
		b.screenshot("market-en", "")
		// The printable monthly report of school A's county counts the violation.
		b.run("open the monthly report", 20*time.Second,
			chromedp.Navigate(base+"/board/market/report?region="+schoolA.Region),
			chromedp.WaitVisible(chromedp.ID("report-table")))
		b.waitJS("school A's tier-2 violation in the report", 20*time.Second, fmt.Sprintf(
			`(document.querySelector('#report-table tr[data-school=%q] td:nth-child(8)') || {}).textContent === '1'`, schoolA.ID))
		b.screenshot("report-en", "")
		b.run("back to Chinese", 10*time.Second, chromedp.Click(chromedp.ID("lang-toggle")))
		b.waitJS("Chinese labels", 10*time.Second, `document.documentElement.lang === 'zh-CN'`)
		b.screenshot("report-zh", "report")
	})

	t.Run("school-a", func(t *testing.T) {
		b := openAs(t, browser, base, users["school-a"])
		b.sees("#school-alerts", panicA.ID, "its own panic")
		b.sees("#school-alerts", kitchen.ID, "its own kitchen violation")
		b.seesNot(gate.ID, "school B's forced gate")
		b.waitJS("its name", 10*time.Second, fmt.Sprintf(`document.getElementById('school-name').textContent === %q`, schoolA.Name))
		// A measure not judged yet (guard staffing is checked from 30 min
		// after start-up, so it is not judged while the test runs) reads
		// 未判定, never 未达标 (issue 8: it used to show as failed).
		b.waitJS("not-judged measures labelled 未判定", 10*time.Second, `(() => {
			const ls = [...document.querySelectorAll('#school-compliance .lapse[data-verdict]')];
			const nj = ls.filter((l) => l.dataset.verdict === 'not_judged');
			return ls.length === 5 && nj.some((l) => l.dataset.measure === 'guard_staffing') &&
				nj.every((l) => l.classList.contains('na') && l.querySelector('.status').textContent === '未判定');
		})()`)
		b.screenshot("school-a-zh", "school")
		b.toggleEnglish("app.name", "school.open_alerts")
		b.waitJS("the panic in English", 10*time.Second, fmt.Sprintf(
			`(document.querySelector('#school-alerts [data-alert-id=%q] .msg') || {}).textContent === %q`, panicA.ID, panicA.MessageEN))
		b.screenshot("school-a-en", "")
	})

	t.Run("school-b", func(t *testing.T) {
		b := openAs(t, browser, base, users["school-b"])
		b.sees("#school-alerts", gate.ID, "its own forced gate")
		b.seesNot(panicA.ID, "school A's panic")
		b.seesNot(kitchen.ID, "school A's kitchen violation")
		b.screenshot("school-b-zh", "")
		b.toggleEnglish("app.name", "school.open_alerts")
		b.screenshot("school-b-en", "")
	})

	t.Run("police-p0", func(t *testing.T) {
		// Close the seeded panic first, so that the board opens calm.
		admin := apiLogin(t, base, "admin")
		if code := admin.do(t, "POST", "/api/v1/alerts/"+panicA.ID+"/resolve",
			[]byte(`{"note":"演练结束 / drill over"}`), nil); code != 200 {
			t.Fatalf("resolve the seeded panic: HTTP %d", code)
		}
		b := openAs(t, browser, base, users["police-city"])
		b.sees("#alerts", gate.ID, "school B's forced gate")
		b.seesNot(panicA.ID, "the resolved panic")
		b.seesNot(kitchen.ID, "the kitchen violation (not a police audience)")
		b.run("no takeover while calm", 10*time.Second, chromedp.WaitNotVisible(chromedp.ID("p0-overlay")))
		b.screenshot("police-zh", "police")

		// A panic at school B while the board is open.
		if hidden := evalJS[bool](b, overlayTimerJS); !hidden {
			t.Fatal("overlay shown before the panic")
		}
		sent := time.Now()
		pub.publishAll(t, []sample{{topic: topicOf(alarmB, devices.ChannelEvent), payload: panicPayload("browser-panic-b", sent)}})
		b.run("see the panic takeover", 20*time.Second, chromedp.WaitVisible(chromedp.ID("p0-overlay")))
		b.waitJS("the takeover painted", 5*time.Second, `window.__p0Shown > 0`)
		shown := evalJS[float64](b, `window.__p0Shown`)
		latency := time.Duration((shown - float64(sent.UnixNano())/1e6) * float64(time.Millisecond))
		t.Logf("P0 publish→on-screen: %d ms", latency.Milliseconds())
		if os.Getenv(envUpdateScreenshots) == "1" {
			fmt.Printf("P0 publish→on-screen: %d ms\n", latency.Milliseconds())
		}
		panicB := waitAlert(t, alerts, 30*time.Second, "school B's panic", func(m alertMsg) bool {
			return m.Rule == "alarm_panic" && m.School == schoolB.ID && m.Event == "fired"
		})
		if got := evalJS[string](b, `document.getElementById('p0-overlay').dataset.alertId || ''`); got != panicB.ID {
			t.Errorf("overlay shows alert %q, want %s", got, panicB.ID)
		}

		// The 1-3-5 clock runs.
		b.run("see the clock", 5*time.Second, chromedp.WaitVisible(chromedp.ID("p0-clock")))
		first := evalJS[string](b, `document.getElementById('p0-elapsed').textContent`)
		b.waitJS("the clock ticking", 5*time.Second, fmt.Sprintf(
			`(() => { const s = document.getElementById('p0-elapsed').textContent; return /^\d\d:\d\d$/.test(s) && s !== %q; })()`, first))
		b.screenshot("police-panic-zh", "police-panic")

		// Acknowledge on the page: the takeover ends (the overlay hides or
		// docks until the panic is resolved) and the API records who.
		b.run("acknowledge", 10*time.Second, chromedp.Click(chromedp.CSS("#p0-overlay #ack-button")))
		acked := admin.waitState(t, panicB.ID, "acknowledged")
		if acked.AckedBy != "police-city" {
			t.Errorf("acked_by = %q, want police-city", acked.AckedBy)
		}
		b.waitJS("the takeover ends", 10*time.Second, `(() => {
			const o = document.getElementById('p0-overlay');
			return (o.hidden || o.classList.contains('docked')) && !document.body.classList.contains('p0-active');
		})()`)
		b.screenshot("police-panic-acked-zh", "")

		// Pressed again: the acknowledged panic fires again ("repeated") and
		// takes the screen over again, with the sound; acknowledge again.
		pub.publishAll(t, []sample{{topic: topicOf(alarmB, devices.ChannelEvent), payload: panicPayload("browser-panic-b-2", time.Now())}})
		b.waitJS("the takeover starts over on the repeat", 20*time.Second, fmt.Sprintf(`(() => {
			const o = document.getElementById('p0-overlay');
			return !o.hidden && !o.classList.contains('docked') && o.dataset.alertId === %q &&
				o.dataset.count === '2' && Number(o.dataset.repeats || 0) >= 1 && o.dataset.sound === 'on' &&
				document.body.classList.contains('p0-active');
		})()`, panicB.ID))
		b.run("acknowledge the repeat", 10*time.Second, chromedp.Click(chromedp.CSS("#p0-overlay #ack-button")))
		b.waitJS("the takeover ends again", 10*time.Second, `(() => {
			const o = document.getElementById('p0-overlay');
			return (o.hidden || o.classList.contains('docked')) && !document.body.classList.contains('p0-active');
		})()`)

		// Resolve with a note.
		const note = "民警已到场，误触 / officers on site, pressed by mistake"
		b.run("resolve with a note", 10*time.Second,
			chromedp.WaitVisible(chromedp.ID("resolve-note")),
			chromedp.SendKeys(chromedp.ID("resolve-note"), note),
			chromedp.Click(chromedp.ID("resolve-button")),
			chromedp.WaitNotVisible(chromedp.ID("p0-overlay")))
		resolved := admin.waitState(t, panicB.ID, "resolved")
		if strings.TrimSpace(resolved.Note) != note {
			t.Errorf("note = %q, want %q", resolved.Note, note)
		}
		b.toggleEnglish("app.name", "police.alerts")
		b.screenshot("police-en", "")
	})
}
