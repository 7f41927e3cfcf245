package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestBrowserAlarmTests: on the school board in headless Chromium, a school
// registers an alarm test window for its terminal through the form
// (Chinese first), sees it listed and cancels it; the police see the list
// without the form.
func TestBrowserAlarmTests(t *testing.T) {
	browser := startBrowser(t)
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	school := &reg.Schools[0]
	alarm := deviceOf(t, school, devices.KindAlarm)
	users := []testUser{
		{User: auth.User{Name: "school-a", DisplayName: school.Name + "保卫处", Role: api.RoleSchool, Schools: []string{school.ID}}, board: "/board/school"},
		{User: auth.User{Name: "police-city", DisplayName: "市公安局指挥中心", Role: api.RolePolice}, board: "/board/police"},
	}
	cfg := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	cfg.Users, cfg.NoAuth = writeUsers(t, users), false
	app := startApp(t, cfg)
	base := "http://" + app.http.Addr()
	store := app.alerting.AlarmTests()

	b := openAs(t, browser, base, users[0])
	b.run("see the alarm test form", 20*time.Second, chromedp.WaitVisible(chromedp.ID("alarm-test-form")))
	b.waitJS("the form in Chinese, its terminal offered", 20*time.Second, fmt.Sprintf(
		`document.querySelector('#alarm-tests h2').textContent === '报警测试登记' &&
		 !!document.querySelector('#alarm-test-device option[value=%q]')`, alarm.ID))
	start := time.Now().In(devices.Location()).Add(10 * time.Minute).Truncate(time.Minute)
	b.run("fill in and submit", 20*time.Second,
		chromedp.SetValue(chromedp.ID("alarm-test-device"), alarm.ID),
		chromedp.SetValue(chromedp.ID("alarm-test-start"), start.Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.ID("alarm-test-minutes"), "60"),
		chromedp.SendKeys(chromedp.ID("alarm-test-note"), "月度测试"),
		chromedp.Click(chromedp.ID("alarm-test-submit")))
	b.waitJS("the window listed", 20*time.Second, `document.querySelectorAll('#alarm-test-list tbody tr[data-alarm-test-id^="at-"]').length === 1`)
	ws := store.List(alarmtest.Filter{Schools: []string{school.ID}})
	var got []alarmtest.Window
	for _, w := range ws {
		if !w.Scheduled {
			got = append(got, w)
		}
	}
	if len(got) != 1 || got[0].Device != alarm.ID || !got[0].Start.Equal(start) || got[0].End.Sub(got[0].Start) != time.Hour ||
		got[0].Note != "月度测试" || got[0].CreatedBy != "school-a" {
		t.Fatalf("stored windows = %+v, want one for %s from %s for 1 h", got, alarm.ID, start)
	}
	b.screenshot("school-alarm-tests-zh", "")
	b.run("cancel it", 20*time.Second,
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(`#alarm-test-list tbody tr[data-alarm-test-id^="at-"] button`)))
	b.waitJS("the window gone", 20*time.Second, `document.querySelectorAll('#alarm-test-list tbody tr[data-alarm-test-id^="at-"]').length === 0`)
	if _, ok := store.Get(got[0].ID); ok {
		t.Error("the cancelled window is still stored")
	}

	// The police read the list on the school board, without the form.
	if _, err := store.Add(alarmtest.Window{School: school.ID, Start: start, End: start.Add(30 * time.Minute), CreatedBy: "school-a"}); err != nil {
		t.Fatal(err)
	}
	p := openAs(t, browser, base, users[1])
	p.run("open the school board", 20*time.Second, chromedp.Navigate(base+"/board/school?school="+school.ID))
	p.waitJS("the window listed", 20*time.Second, `document.querySelectorAll('#alarm-test-list tbody tr[data-alarm-test-id^="at-"]').length === 1`)
	if n := evalJS[int](p, `document.querySelectorAll('#alarm-test-form').length`); n != 0 {
		t.Errorf("the police see %d registration forms", n)
	}
}
