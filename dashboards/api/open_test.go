package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// TestBoardAndReportAgreeOnOpen: the market board counts the alerts the
// API marks open_violation, the monthly report sums open_rectifications;
// both come from alerting.OpenViolation, so they agree whatever the mix —
// every tier, with and without a deadline, acknowledged, reported, sent
// back, closed, overdue, in one region or all. The old report counted only
// violations with a deadline (not tier 1 and 3 alerts stored without one)
// and the old board every open kitchen_violation: 3 against 5 in 双桥区 here.
func TestBoardAndReportAgreeOnOpen(t *testing.T) {
	e, _ := newDaysEnv(t)
	e.seedKitchen() // A: tier 1 without a deadline, tier 2 with one, tier 3 twice (one alert), its repeat and overdue
	due := t0.Add(4 * time.Hour)
	for _, c := range []alerting.Condition{
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "cam-a1:flame_unattended:evt-3", Device: "cam-a1", Severity: alerting.P1, DueAt: &due},
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "cam-a1:phone:evt-4", Device: "cam-a1", Severity: alerting.P2, DueAt: &due},
		{Rule: alerting.KitchenViolation, School: schoolA, Subject: "cam-a1:stranger:evt-5", Device: "cam-a1", Severity: alerting.P2, DueAt: &due},
		{Rule: alerting.KitchenViolation, School: schoolC, Subject: "cam-c1:bin_open:evt-6", Device: "cam-c1", Severity: alerting.P2, DueAt: &due},
		{Rule: alerting.KitchenCamOffline, School: schoolA, Subject: "cam-a1", Device: "cam-a1", Severity: alerting.P2},
	} {
		c.Firing, c.MessageZH, c.MessageEN = true, "测试", "test"
		e.m.Apply(c)
	}
	bySubject := map[string]string{}
	for _, a := range e.m.List(lifecycle.Filter{Rules: []alerting.RuleID{alerting.KitchenViolation}}) {
		bySubject[a.Subject] = a.ID
	}
	if _, err := e.m.Ack(bySubject["cam-a1:flame_unattended:evt-3"], actorOf("market"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Report(bySubject["cam-a1:phone:evt-4"], actorOf("school-a"), "已整改", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Close(bySubject["cam-a1:stranger:evt-5"], actorOf("market"), "已复核"); err != nil {
		t.Fatal(err)
	}

	boardOpen := func(viewer, region string) int {
		t.Helper()
		got := decode[alertList](t, e.do("GET", "/api/v1/alerts?rule=kitchen_violation,kitchen_repeat,kitchen_overdue,kitchen_cam_offline,kitchen_cam_occluded", viewer, ""), http.StatusOK)
		n := 0
		for _, v := range got.Alerts {
			if v.OpenViolation && (region == "" || v.Region == region) {
				n++
			}
		}
		return n
	}
	reportOpen := func(viewer, region string) int {
		t.Helper()
		q := "/api/v1/kitchen/report?month=2026-11"
		if region != "" {
			q += "&region=" + region
		}
		rep := decode[kitchenReport](t, e.do("GET", q, viewer, ""), http.StatusOK)
		n := 0
		for _, s := range rep.Schools {
			n += s.OpenRectifications
		}
		return n
	}
	for _, tc := range []struct {
		viewer, region string
		want           int
	}{
		// A: rodent (no deadline), smoking, no_hat (no deadline), flame (acked), phone (reported) = 5; C: bin_open.
		{"market", regionSQ, 5},
		{"market", regionSL, 1},
		{"market", "", 6},
		{"school-a", "", 5},
	} {
		b, r := boardOpen(tc.viewer, tc.region), reportOpen(tc.viewer, tc.region)
		t.Logf("%s region %q: board %d, report %d", tc.viewer, tc.region, b, r)
		if b != r || b != tc.want {
			t.Errorf("%s region %q: board counts %d open violations, report %d; want both %d", tc.viewer, tc.region, b, r, tc.want)
		}
	}
}
