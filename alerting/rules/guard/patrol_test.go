package guard

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
)

func TestPatrolShortfall(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(5, 11, hh, mm) }
	tue := func(hh, mm int) time.Time { return at(5, 12, hh, mm) }
	tests := []struct {
		name  string
		start time.Time
		play  func(h *enginetest.Harness)
		until time.Time
		want  []want
	}{
		{
			name: "none by noon is P2; reaching the minimum resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(13, 0))
				for r := 1; r <= 5; r++ {
					round(h, r)
					if r == 4 && len(only(h, alerting.PatrolShortfall)) != 1 {
						t.Errorf("resolved before the minimum")
					}
				}
			},
			until: tue(0, 0),
			want: []want{
				fire(alerting.PatrolShortfall, "", mon(12, 0), alerting.P2),
				resolve(alerting.PatrolShortfall, "", mon(13, 0)),
			},
		},
		{
			name: "some by noon but fewer than five when the day ends (midnight) is P3; the next day's start resolves",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(9, 0))
				round(h, 1)
				round(h, 2)
				round(h, 2) // checkpoints of one round count once
				h.AdvanceTo(mon(15, 0))
				round(h, 3)
			},
			until: tue(11, 0),
			want: []want{
				fire(alerting.PatrolShortfall, "", tue(0, 0), alerting.P3),
				resolve(alerting.PatrolShortfall, "", tue(6, 50)),
			},
		},
		{
			name: "a P2 still open at the day's end is not reported again",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(14, 0))
				round(h, 1)
				round(h, 2)
			},
			until: mon(23, 0),
			want:  []want{fire(alerting.PatrolShortfall, "", mon(12, 0), alerting.P2)},
		},
		{
			name: "five rounds raise nothing",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(1, 0))
				round(h, 1)
				round(h, 2)
				h.AdvanceTo(mon(16, 0))
				round(h, 3)
				round(h, 4)
				round(h, 5)
			},
			until: tue(0, 0),
		},
		{
			name: "rounds of yesterday do not count today",
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(mon(20, 0))
				for r := 1; r <= 5; r++ {
					round(h, r)
				}
			},
			until: tue(12, 30),
			want: []want{
				fire(alerting.PatrolShortfall, "", mon(12, 0), alerting.P2),
				resolve(alerting.PatrolShortfall, "", mon(20, 0)),
				fire(alerting.PatrolShortfall, "", tue(12, 0), alerting.P2),
			},
		},
		{
			name:  "Friday's shortfall resolves at Monday's start, the weekend stays quiet",
			start: at(5, 15, 0, 0),
			play: func(h *enginetest.Harness) {
				h.AdvanceTo(at(5, 15, 8, 0))
				round(h, 1)
			},
			until: at(5, 18, 7, 0),
			want: []want{
				fire(alerting.PatrolShortfall, "", at(5, 16, 0, 0), alerting.P3),
				resolve(alerting.PatrolShortfall, "", at(5, 18, 6, 50)),
			},
		},
		{
			name:  "weekend without any round is quiet",
			start: at(5, 16, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 17, 23, 0),
		},
		{
			name:  "holiday without any round is quiet",
			start: at(5, 1, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 5, 23, 0),
		},
		{
			name:  "make-up Saturday is counted",
			start: at(5, 9, 0, 0),
			play:  func(h *enginetest.Harness) {},
			until: at(5, 9, 23, 0),
			want:  []want{fire(alerting.PatrolShortfall, "", at(5, 9, 12, 0), alerting.P2)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := tt.start
			if start.IsZero() {
				start = mon(0, 0)
			}
			h := newHarness(t, start, nil)
			tt.play(h)
			h.AdvanceTo(tt.until)
			expect(t, h, rules(alerting.PatrolShortfall), tt.want)
		})
	}
}

func TestPatrolShortfallParamsAndMessages(t *testing.T) {
	h := newHarness(t, at(5, 11, 0, 0), nil)
	h.Par.PatrolMinRounds = 2
	h.AdvanceTo(at(5, 11, 9, 0))
	round(h, 7)
	h.AdvanceTo(at(5, 12, 0, 0)) // the day's count closes at midnight
	f := h.Fired(alerting.PatrolShortfall)
	if len(f) != 1 || f[0].Severity != alerting.P3 || !strings.Contains(f[0].MessageZH, "1 轮") ||
		!strings.Contains(f[0].MessageZH, "2 轮") || !strings.Contains(f[0].MessageEN, "1 patrol rounds on 2026-05-11, 2 required") {
		t.Fatalf("fired = %+v", f)
	}
	h.AdvanceTo(at(5, 12, 1, 0))
	round(h, 8)
	round(h, 9)
	if r := h.Resolved(alerting.PatrolShortfall); len(r) != 1 {
		t.Errorf("the second round should resolve with PatrolMinRounds 2:\n%s", h)
	}

	h = newHarness(t, at(5, 11, 0, 0), nil)
	h.AdvanceTo(at(5, 11, 12, 0))
	f = h.Fired(alerting.PatrolShortfall)
	if len(f) != 1 || f[0].Severity != alerting.P2 || !strings.Contains(f[0].MessageZH, "12:00") ||
		!strings.Contains(f[0].MessageEN, "no patrol round by 12:00") {
		t.Fatalf("fired = %+v", f)
	}
}
