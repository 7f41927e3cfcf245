package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

func TestGateForced(t *testing.T) {
	runCases(t, alerting.GateForced, at(11, 30, 10, 0), []ruleCase{
		{name: "fires P1 and resolves 30 min later",
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.forced")); h.Advance(time.Hour) },
			want: []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:30:00 resolve " + g1}},
		{name: "a new forced opening restarts the 30 min",
			run: func(h *enginetest.Harness) {
				h.Event(event(g1, "access.forced"))
				h.Advance(20 * time.Minute)
				h.Event(event(g1, "access.forced"))
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:50:00 resolve " + g1}},
		{name: "closing the gate does not resolve it",
			run: func(h *enginetest.Harness) {
				h.Event(event(g1, "access.forced"))
				h.Advance(time.Minute)
				h.Event(gateState(g1, "closed"))
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:30:00 resolve " + g1}},
		{name: "any hour, any day", start: at(12, 2, 2, 0),
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.forced")) },
			want: []string{"12-02 02:00:00 fire " + g1 + " P1"}},
		{name: "a retained replay is ignored",
			run: func(h *enginetest.Harness) {
				ev := event(g1, "access.forced")
				ev.Retained = true
				h.Event(ev)
			}},
	}, "正门", "强行打开")
}

func TestGateIntrusion(t *testing.T) {
	runCases(t, alerting.GateIntrusion, at(11, 30, 10, 0), []ruleCase{
		{name: "tailgating fires P1 and resolves 30 min later",
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.tailgate")); h.Advance(time.Hour) },
			want: []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:30:00 resolve " + g1}},
		{name: "climbing fires P1",
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.climb")) },
			want: []string{"11-30 10:00:00 fire " + g1 + " P1"}},
		{name: "reverse entry (逆向进入) fires P1",
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.reverse")) },
			want: []string{"11-30 10:00:00 fire " + g1 + " P1"}},
		{name: "forced impact (暴力冲撞) fires P1",
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.impact")) },
			want: []string{"11-30 10:00:00 fire " + g1 + " P1"}},
		{name: "one more intrusion keeps it open 30 min more, without firing again",
			run: func(h *enginetest.Harness) {
				h.Event(event(g1, "access.tailgate"))
				h.Advance(10 * time.Minute)
				h.Event(event(g1, "access.climb"))
				h.Advance(time.Hour)
				h.Event(event(g1, "access.climb"))
			},
			want: []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:40:00 resolve " + g1, "11-30 11:10:00 fire " + g1 + " P1"}},
		{name: "per gate", school: twoGates,
			run: func(h *enginetest.Harness) {
				h.Event(event(g1, "access.tailgate"))
				h.Event(event(g2, "access.climb"))
			},
			want: []string{"11-30 10:00:00 fire " + g1 + " P1", "11-30 10:00:00 fire " + g2 + " P1"}},
	}, "闯入")
}

// TestGateIntrusionNames: each intrusion event names what happened, in
// Chinese first.
func TestGateIntrusionNames(t *testing.T) {
	for typ, words := range map[string][2]string{
		"access.tailgate": {"尾随", "tailgating"},
		"access.climb":    {"翻越", "climbing over"},
		"access.reverse":  {"逆向进入", "reverse entry"},
		"access.impact":   {"暴力冲撞", "forced impact"},
	} {
		t.Run(typ, func(t *testing.T) {
			h := newHarness(t, testSchool(), at(11, 30, 10, 0))
			h.Start()
			h.Event(event(g1, typ))
			f := h.Fired(alerting.GateIntrusion)
			if len(f) != 1 {
				t.Fatalf("fired %d gate_intrusion, want 1", len(f))
			}
			if !strings.Contains(f[0].MessageZH, words[0]) || !strings.Contains(f[0].MessageEN, words[1]) {
				t.Errorf("messages %q / %q lack %q / %q", f[0].MessageZH, f[0].MessageEN, words[0], words[1])
			}
		})
	}
}

// TestIntrusionTypesInVocabulary keeps devices.IntrusionTypes and the
// vocabulary in step: each is an access event.
func TestIntrusionTypesInVocabulary(t *testing.T) {
	for _, typ := range devices.IntrusionTypes {
		if s := devices.LookupEvent(typ); s == nil || s.Kind != devices.KindAccess {
			t.Errorf("%s is not an access event of the vocabulary", typ)
		}
	}
}

func TestGateBlacklist(t *testing.T) {
	person := devices.Value{Name: "person", Type: devices.TypeString, Str: "p-77"}
	runCases(t, alerting.GateBlacklist, at(11, 30, 7, 30), []ruleCase{
		{name: "fires P0 with the person id",
			run:  func(h *enginetest.Harness) { h.Event(event(g1, "access.blacklist", person)) },
			want: []string{"11-30 07:30:00 fire " + g1 + " P0"}},
		{name: "every presentation fires; none resolves by itself",
			run: func(h *enginetest.Harness) {
				h.Event(event(g1, "access.blacklist", person))
				h.Advance(time.Minute)
				h.Event(event(g1, "access.blacklist", person))
				h.Advance(72 * time.Hour)
			},
			want: []string{"11-30 07:30:00 fire " + g1 + " P0", "11-30 07:31:00 fire " + g1 + " P0"}},
	}, "黑名单", "p-77")
}

func TestGateDeniedBurst(t *testing.T) {
	deniedAt := func(h *enginetest.Harness, minutes ...int) {
		for _, m := range minutes {
			h.AdvanceTo(at(11, 30, 10, m))
			h.Event(denied(g1))
		}
	}
	runCases(t, alerting.GateDeniedBurst, at(11, 30, 10, 0), []ruleCase{
		{name: "3 within 5 min fire P1; a quiet window resolves",
			run:  func(h *enginetest.Harness) { deniedAt(h, 0, 2, 4); h.Advance(time.Hour) },
			want: []string{"11-30 10:04:00 fire " + g1 + " P1", "11-30 10:09:00 resolve " + g1}},
		{name: "2 denials: quiet",
			run: func(h *enginetest.Harness) { deniedAt(h, 0, 1); h.Advance(time.Hour) }},
		{name: "3 spread over more than 5 min: quiet until 3 fall within 5",
			run:  func(h *enginetest.Harness) { deniedAt(h, 0, 3, 6, 7); h.Advance(time.Hour) },
			want: []string{"11-30 10:07:00 fire " + g1 + " P1", "11-30 10:12:00 resolve " + g1}},
		{name: "denials while firing keep it open",
			run:  func(h *enginetest.Harness) { deniedAt(h, 0, 1, 2, 6, 10); h.Advance(time.Hour) },
			want: []string{"11-30 10:02:00 fire " + g1 + " P1", "11-30 10:15:00 resolve " + g1}},
		{name: "per gate: 2 at each of two gates is quiet", school: twoGates,
			run: func(h *enginetest.Harness) {
				for range 2 {
					h.Event(denied(g1))
					h.Event(denied(g2))
					h.Advance(time.Minute)
				}
			}},
		{name: "DeniedBurstCount and DeniedBurstWindow",
			run: func(h *enginetest.Harness) {
				h.Par.DeniedBurstCount, h.Par.DeniedBurstWindow = 4, 10*time.Minute
				deniedAt(h, 0, 3, 6, 9)
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:09:00 fire " + g1 + " P1", "11-30 10:19:00 resolve " + g1}},
	}, "分钟内", "次拒绝通行")
}
