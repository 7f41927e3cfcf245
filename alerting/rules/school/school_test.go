package school_test

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/devices"
)

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, devices.Location())

func testSchool() *devices.School {
	return &devices.School{ID: "cd-0001", Name: "双桥区第一小学", Region: "130802", Type: devices.SchoolPrimary,
		Devices: []devices.Device{
			{ID: "a1", Kind: devices.KindAlarm},
			{ID: "g1", Kind: devices.KindAccess},
			{ID: "k1", Kind: devices.KindKitchenCam, Heartbeat: devices.Duration(30 * time.Second)},
		}}
}

func hb(dev string) devices.Event {
	return devices.Event{Device: dev, Channel: devices.ChannelHeartbeat, Type: "heartbeat"}
}

func TestSchoolOffline(t *testing.T) {
	for _, tc := range []struct {
		name       string
		run        func(h *enginetest.Harness)
		fires      int
		resolves   int
		stillFires bool
	}{
		{"never a word from any device since start", func(h *enginetest.Harness) { h.Advance(4 * time.Minute) }, 1, 0, true},
		// The first live message resolves once (a school_offline left
		// open across a restart; a no-op in the lifecycle otherwise).
		{"one device keeps talking", func(h *enginetest.Harness) {
			for i := 0; i < 8; i++ {
				h.Advance(30 * time.Second)
				h.Event(hb("g1"))
			}
		}, 0, 1, false},
		{"all silent then one comes back", func(h *enginetest.Harness) {
			h.Advance(4 * time.Minute)
			h.Event(hb("k1"))
		}, 1, 1, false},
		{"all say offline (last will)", func(h *enginetest.Harness) {
			for _, d := range []string{"a1", "g1", "k1"} {
				h.Event(devices.Event{Device: d, Channel: devices.ChannelStatus, Type: "status",
					Values: []devices.Value{{Name: "status", Type: devices.TypeEnum, Str: "offline"}}})
			}
		}, 1, 0, true},
		{"retained offline replays do not count", func(h *enginetest.Harness) {
			for _, d := range []string{"a1", "g1", "k1"} {
				h.Event(devices.Event{Device: d, Channel: devices.ChannelStatus, Type: "status", Retained: true,
					Values: []devices.Value{{Name: "status", Type: devices.TypeEnum, Str: "offline"}}})
			}
		}, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := enginetest.New(t, school.New(), testSchool(), t0)
			h.Start()
			tc.run(h)
			if f, r := len(h.Fired(alerting.SchoolOffline)), len(h.Resolved(alerting.SchoolOffline)); f != tc.fires || r != tc.resolves {
				t.Fatalf("fired %d resolved %d, want %d and %d\n%s", f, r, tc.fires, tc.resolves, h)
			}
			if _, on := h.Firing()[alerting.Key{Rule: alerting.SchoolOffline, School: "cd-0001"}]; on != tc.stillFires {
				t.Fatalf("firing at the end = %v, want %v\n%s", on, tc.stillFires, h)
			}
		})
	}
}

// TestOutageHoldSequence: the hold goes on when every device has missed a
// heartbeat (before any offline deadline), stays on through school_offline
// and after the return until the devices still offline have had their
// window, and never goes on while one device keeps talking.
func TestOutageHoldSequence(t *testing.T) {
	h := enginetest.New(t, school.New(), testSchool(), t0)
	h.Start()
	if hs := h.Holds(); len(hs) != 1 || hs[0] {
		t.Fatalf("holds at start %v, want one off (clears a hold left by an earlier state)", hs)
	}
	h.Reset()
	h.Advance(89 * time.Second) // a1, g1: 60 s interval, quiet at 90 s
	if h.Held() {
		t.Fatalf("held before every device missed a heartbeat\n%s", h)
	}
	h.Advance(time.Second)
	if !h.Held() || len(h.Fired(alerting.SchoolOffline)) != 0 {
		t.Fatalf("at 90 s: want the hold on, no school_offline\n%s", h)
	}
	h.Advance(90 * time.Second) // 180 s: every deadline passed
	if !h.Held() || len(h.Fired(alerting.SchoolOffline)) != 1 {
		t.Fatalf("at 180 s: want school_offline and the hold\n%s", h)
	}
	h.Advance(time.Minute)
	h.Event(hb("k1")) // back at 240 s: a1 and g1 have until 420 s
	if !h.Held() || len(h.Resolved(alerting.SchoolOffline)) != 1 {
		t.Fatalf("on return: want school_offline resolved, the hold on\n%s", h)
	}
	for i := 0; i < 8; i++ { // k1 and a1 talk, g1 does not
		h.Advance(20 * time.Second)
		h.Event(hb("a1"))
		h.Event(hb("k1"))
	}
	h.AdvanceTo(t0.Add(420*time.Second - time.Millisecond))
	if !h.Held() {
		t.Fatalf("hold ended before g1's window\n%s", h)
	}
	h.AdvanceTo(t0.Add(420 * time.Second))
	if hs := h.Holds(); h.Held() || len(hs) != 2 {
		t.Fatalf("holds %v, want on then off at 420 s\n%s", hs, h)
	}

	h = enginetest.New(t, school.New(), testSchool(), t0)
	h.Start()
	h.Reset()
	for i := 0; i < 20; i++ {
		h.Advance(30 * time.Second)
		h.Event(hb("g1"))
	}
	if hs := h.Holds(); len(hs) != 0 {
		t.Fatalf("holds %v while g1 keeps talking\n%s", hs, h)
	}
}

// TestReloadForgetsRemovedDevices: after a registry reload drops a device
// that was offline, the school goes offline as a whole when the devices
// still registered fall silent (the removed one no longer counts).
func TestReloadForgetsRemovedDevices(t *testing.T) {
	h := enginetest.New(t, school.New(), testSchool(), t0)
	h.Start()
	h.Advance(2 * time.Minute) // k1 (30 s heartbeat) past its deadline at +1.5 min
	h.Event(hb("a1"))
	h.Event(hb("g1"))
	h.Reset() // the first live message resolved once (a school_offline left from a restart)
	sch := testSchool()
	sch.Devices = sch.Devices[:2] // k1 removed
	h.Sch = sch
	h.Mod.Start(h, h.State())
	if n := len(h.Fired(alerting.SchoolOffline)); n != 0 {
		t.Fatalf("school_offline fired at the reload with a1 and g1 talking: %d", n)
	}
	h.Advance(4 * time.Minute) // a1 and g1 silent since +2 min: offline at +5 min
	if f, r := len(h.Fired(alerting.SchoolOffline)), len(h.Resolved(alerting.SchoolOffline)); f != 1 || r != 0 {
		t.Errorf("school_offline fired %d and resolved %d times after every registered device fell silent, want 1 and 0\n%s", f, r, h)
	}
	for _, k := range h.Timers() {
		if strings.Contains(k, "k1") {
			t.Errorf("deadline of the removed device left: %s", k)
		}
	}
}
