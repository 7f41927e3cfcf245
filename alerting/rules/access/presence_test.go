package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

// keepAlive sends a heartbeat from each gate every minute until t.
func keepAlive(h *enginetest.Harness, until time.Time, devs ...string) {
	for h.Now().Before(until) {
		for _, d := range devs {
			h.Event(heartbeat(d))
		}
		h.Advance(time.Minute)
	}
}

func TestAccessOffline(t *testing.T) {
	slowGates := testSchool(
		devices.Device{ID: g1, Kind: devices.KindAccess, Location: "正门"},
		devices.Device{ID: g2, Kind: devices.KindAccess, Heartbeat: devices.Duration(5 * time.Minute)},
	)
	runCases(t, alerting.AccessOffline, at(11, 30, 10, 0), []ruleCase{
		{name: "silent from start fires P1 in school hours, each by its interval", school: slowGates,
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"11-30 10:03:00 fire " + g1 + " P1", "11-30 10:15:00 fire " + g2 + " P1"}},
		{name: "outside school hours P2", start: at(11, 30, 17, 50),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"11-30 17:53:00 fire " + g1 + " P2"}},
		{name: "holiday P2", start: at(12, 2, 10, 0),
			run:  func(h *enginetest.Harness) { h.Advance(time.Hour) },
			want: []string{"12-02 10:03:00 fire " + g1 + " P2"}},
		{name: "weekend P2 rises to P1 when Monday's school hours begin", start: at(11, 29, 10, 0),
			run:  func(h *enginetest.Harness) { h.AdvanceTo(at(11, 30, 12, 0)) },
			want: []string{"11-29 10:03:00 fire " + g1 + " P2", "11-30 06:50:00 fire " + g1 + " P1"}},
		{name: "heartbeats keep it quiet; the first resolves once",
			run:  func(h *enginetest.Harness) { keepAlive(h, at(11, 30, 12, 0), g1) },
			want: []string{"11-30 10:00:00 resolve " + g1}},
		{name: "a heartbeat resolves",
			run: func(h *enginetest.Harness) {
				h.Advance(10 * time.Minute)
				h.Event(heartbeat(g1))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:03:00 fire " + g1 + " P1", "11-30 10:10:00 resolve " + g1}},
		{name: "events count as presence",
			run: func(h *enginetest.Harness) {
				for range 10 {
					h.Advance(2 * time.Minute)
					h.Event(denied(g1))
				}
			},
			want: []string{"11-30 10:02:00 resolve " + g1}},
		{name: "last will: offline at once; live online resolves",
			run: func(h *enginetest.Harness) {
				h.Event(heartbeat(g1))
				h.Advance(30 * time.Second)
				h.Event(status(g1, "offline", false))
				h.Advance(time.Hour)
				h.Event(status(g1, "online", false))
			},
			want: []string{"11-30 10:00:00 resolve " + g1, "11-30 10:00:30 fire " + g1 + " P1", "11-30 11:00:30 resolve " + g1}},
		{name: "retained offline before any message fires once",
			run: func(h *enginetest.Harness) {
				h.Event(status(g1, "offline", true))
				h.Event(status(g1, "offline", true))
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:00:00 fire " + g1 + " P1"}},
		{name: "retained offline after a live message is stale",
			run: func(h *enginetest.Harness) {
				h.Event(heartbeat(g1))
				h.Event(status(g1, "offline", true))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:00:00 resolve " + g1}},
		{name: "retained online is not presence",
			run: func(h *enginetest.Harness) {
				h.Advance(2 * time.Minute)
				h.Event(status(g1, "online", true))
				h.Advance(2 * time.Minute)
			},
			want: []string{"11-30 10:03:00 fire " + g1 + " P1"}},
		{name: "HeartbeatMisses",
			run: func(h *enginetest.Harness) {
				h.Par.HeartbeatMisses = 5
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:05:00 fire " + g1 + " P1"}},
	}, "门禁控制器已")
}

// TestReload: a Start after a registry reload picks up a new gate and
// resolves what a removed one had open.
func TestReload(t *testing.T) {
	h := newHarness(t, nil, at(11, 30, 10, 0))
	h.Start()
	h.Event(event(g1, "access.forced"))
	h.Advance(5 * time.Minute)
	h.Sch = testSchool(devices.Device{ID: g2, Kind: devices.KindAccess})
	h.Mod.Start(h, h.State())
	h.Advance(time.Hour)
	checkTrace(t, h, alerting.GateForced, []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:05:00 resolve " + g1})
	checkTrace(t, h, alerting.AccessOffline, []string{
		"11-30 10:00:00 resolve " + g1, // the forced event is g1's first sign of life
		"11-30 10:03:00 fire " + g1 + " P1",
		"11-30 10:05:00 resolve " + g1,
		"11-30 10:08:00 fire " + g2 + " P1",
	})
	for _, k := range h.Timers() {
		if strings.Contains(k, g1) {
			t.Errorf("timer of a removed gate left: %s", k)
		}
	}
}
