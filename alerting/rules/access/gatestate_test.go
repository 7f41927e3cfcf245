package access_test

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

// stateAt sets the state of g1 at local times of the given day: pairs of
// hm(hour, minute), state.
func stateAt(h *enginetest.Harness, month, day int, steps ...any) {
	for i := 0; i+1 < len(steps); i += 2 {
		hm := steps[i].([2]int)
		h.AdvanceTo(at(month, day, hm[0], hm[1]))
		h.Event(gateState(g1, steps[i+1].(string)))
	}
}

func hm(h, m int) [2]int { return [2]int{h, m} }

func TestGateHeldOpen(t *testing.T) {
	runCases(t, alerting.GateHeldOpen, at(11, 30, 5, 0), []ruleCase{
		{name: "open 5 min outside the windows fires P2; closed resolves",
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(10, 0), "open", hm(10, 30), "closed") },
			want: []string{"11-30 10:05:00 fire " + g1 + " P2", "11-30 10:30:00 resolve " + g1}},
		{name: "closed within 5 min: quiet",
			run: func(h *enginetest.Harness) {
				stateAt(h, 11, 30, hm(10, 0), "closed", hm(10, 1), "open", hm(10, 5), "closed")
			},
			want: []string{"11-30 10:00:00 resolve " + g1}}, // the first state after start
		{name: "open inside a window: quiet",
			run: func(h *enginetest.Harness) {
				stateAt(h, 11, 30, hm(7, 0), "open", hm(8, 19), "closed")
				h.Advance(time.Hour)
			},
			want: []string{}},
		{name: "open past the window end by 5 min fires at the end + 5 min",
			run: func(h *enginetest.Harness) {
				stateAt(h, 11, 30, hm(7, 0), "open", hm(9, 0), "closed")
			},
			want: []string{"11-30 08:25:00 fire " + g1 + " P2", "11-30 09:00:00 resolve " + g1}},
		{name: "closed within 5 min of the window end: quiet",
			run: func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(7, 0), "open", hm(8, 24), "closed") }},
		{name: "opened 3 min before a window: quiet",
			run: func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(6, 47), "open", hm(8, 0), "closed") }},
		{name: "opened 10 min before a window fires before it starts; closing resolves",
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(6, 40), "open", hm(7, 30), "closed") },
			want: []string{"11-30 06:45:00 fire " + g1 + " P2", "11-30 07:30:00 resolve " + g1}},
		{name: "weekend: no windows", start: at(11, 28, 5, 0),
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 28, hm(7, 0), "open", hm(7, 30), "closed") },
			want: []string{"11-28 07:05:00 fire " + g1 + " P2", "11-28 07:30:00 resolve " + g1}},
		{name: "holiday: no windows", start: at(12, 2, 5, 0),
			run:  func(h *enginetest.Harness) { stateAt(h, 12, 2, hm(7, 0), "open"); h.Advance(time.Hour) },
			want: []string{"12-02 07:05:00 fire " + g1 + " P2"}},
		{name: "access.held_open counts as open since duration_s ago",
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(11, 30, 10, 0))
				h.Event(event(g1, "access.held_open", devices.Value{Name: "duration_s", Type: devices.TypeNumber, Num: 240}))
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:01:00 fire " + g1 + " P2"}},
		{name: "heartbeat state counts",
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(11, 30, 10, 0))
				for range 10 {
					h.Event(heartbeat(g1, enumV("state", "open")))
					h.Advance(time.Minute)
				}
				h.Event(heartbeat(g1, enumV("state", "closed")))
			},
			want: []string{"11-30 10:05:00 fire " + g1 + " P2", "11-30 10:10:00 resolve " + g1}},
		{name: "always open is not held open",
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(10, 0), "always_open"); h.Advance(time.Hour) },
			want: []string{"11-30 10:00:00 resolve " + g1}},
		{name: "always open to open: counts from the change",
			run: func(h *enginetest.Harness) {
				stateAt(h, 11, 30, hm(10, 0), "always_open", hm(10, 30), "open")
				h.Advance(time.Hour)
			},
			want: []string{"11-30 10:00:00 resolve " + g1, "11-30 10:35:00 fire " + g1 + " P2"}},
		{name: "HeldOpenAfter",
			run: func(h *enginetest.Harness) {
				h.Par.HeldOpenAfter = 20 * time.Minute
				stateAt(h, 11, 30, hm(10, 0), "open", hm(10, 15), "open", hm(11, 0), "closed")
			},
			want: []string{"11-30 10:20:00 fire " + g1 + " P2", "11-30 11:00:00 resolve " + g1}},
	}, "正门")
}

func TestGateHeldOpenMessage(t *testing.T) {
	h := newHarness(t, nil, at(11, 30, 7, 0))
	h.Start()
	h.Event(gateState(g1, "open"))
	h.AdvanceTo(at(11, 30, 9, 0))
	checkConds(t, h, alerting.GateHeldOpen, "正门", "08:20", "已超时 5 分钟")
}

func TestGateOpenAfterHours(t *testing.T) {
	runCases(t, alerting.GateOpenAfterHours, at(11, 30, 5, 0), []ruleCase{
		{name: "always open outside the windows fires P2 at once; closed resolves",
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(10, 0), "always_open", hm(10, 30), "closed") },
			want: []string{"11-30 10:00:00 fire " + g1 + " P2", "11-30 10:30:00 resolve " + g1}},
		{name: "open (not always) resolves",
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(10, 0), "always_open", hm(10, 30), "open") },
			want: []string{"11-30 10:00:00 fire " + g1 + " P2", "11-30 10:30:00 resolve " + g1}},
		{name: "always open in a window: quiet until the window ends, then fires at the end",
			run: func(h *enginetest.Harness) {
				stateAt(h, 11, 30, hm(7, 0), "always_open")
				h.AdvanceTo(at(11, 30, 12, 0))
			},
			want: []string{"11-30 07:00:00 resolve " + g1, "11-30 08:20:00 fire " + g1 + " P2"}},
		{name: "persisting: the next window resolves, its end fires again, the night holds",
			run: func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(7, 0), "always_open"); h.AdvanceTo(at(12, 1, 7, 0)) },
			want: []string{"11-30 07:00:00 resolve " + g1, "11-30 08:20:00 fire " + g1 + " P2",
				"11-30 16:00:00 resolve " + g1, "11-30 17:50:00 fire " + g1 + " P2", "12-01 06:50:00 resolve " + g1}},
		{name: "closed before the window ends: quiet",
			run:  func(h *enginetest.Harness) { stateAt(h, 11, 30, hm(7, 0), "always_open", hm(8, 10), "closed") },
			want: []string{"11-30 07:00:00 resolve " + g1}},
		{name: "weekend: fires at any hour and holds until Monday's first window", start: at(11, 28, 5, 0),
			run: func(h *enginetest.Harness) {
				stateAt(h, 11, 28, hm(10, 0), "always_open")
				h.AdvanceTo(at(11, 30, 7, 0))
			},
			want: []string{"11-28 10:00:00 fire " + g1 + " P2", "11-30 06:50:00 resolve " + g1}},
		{name: "holiday: the windows do not apply", start: at(12, 2, 5, 0),
			run:  func(h *enginetest.Harness) { stateAt(h, 12, 2, hm(7, 0), "always_open"); h.AdvanceTo(at(12, 2, 17, 0)) },
			want: []string{"12-02 07:00:00 fire " + g1 + " P2"}},
		{name: "heartbeat state counts",
			run: func(h *enginetest.Harness) {
				h.AdvanceTo(at(11, 30, 21, 0))
				h.Event(heartbeat(g1, enumV("state", "always_open")))
				h.Advance(time.Minute)
				h.Event(heartbeat(g1, enumV("state", "always_open")))
				h.Advance(time.Minute)
				h.Event(heartbeat(g1, enumV("state", "closed")))
			},
			want: []string{"11-30 21:00:00 fire " + g1 + " P2", "11-30 21:02:00 resolve " + g1}},
	}, "正门", "常开")
}
