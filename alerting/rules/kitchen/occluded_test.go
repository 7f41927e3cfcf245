package kitchen

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

func TestCamOccluded(t *testing.T) {
	covered := []devices.Event{kstatus("cam-1", true, true, 0.4, true)}
	coveredHB := []devices.Event{heartbeat("cam-1", bv("occluded", true))}
	tests := []struct {
		name        string
		day         int
		cam1        script
		fire, clear []string
	}{
		{"covered in the lunch window fires at once, uncovered resolves", monday,
			phase(at(monday, 11, 0), at(monday, 11, 5), covered, coveredHB),
			[]string{"12-07 11:00:00"}, []string{"12-07 11:05:00"}},
		{"covered outside windows is only recorded", monday,
			phase(at(monday, 14, 0), at(monday, 16, 0), covered, coveredHB), nil, nil},
		{"covered before the window fires when it opens", monday,
			phase(at(monday, 9, 0), at(monday, 10, 0), covered, coveredHB),
			[]string{"12-07 09:50:00"}, []string{"12-07 10:00:00"}},
		{"window end resolves a camera still covered", monday,
			phase(at(monday, 12, 30), at(monday, 15, 0), covered, coveredHB),
			[]string{"12-07 12:30:00"}, []string{"12-07 13:00:00"}},
		{"weekend is quiet", saturday,
			phase(at(saturday, 9, 0), at(saturday, 14, 0), covered, coveredHB), nil, nil},
		{"holiday is quiet", holiday,
			phase(at(holiday, 9, 0), at(holiday, 14, 0), covered, coveredHB), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, at(tc.day, 0, 0))
			run(h, at(tc.day+1, 0, 0), tc.cam1)
			fired, cleared := h.Fired(alerting.KitchenCamOccluded), h.Resolved(alerting.KitchenCamOccluded)
			if !equal(times(fired), tc.fire) || !equal(times(cleared), tc.clear) {
				t.Fatalf("fired %v resolved %v, want %v and %v\n%s", times(fired), times(cleared), tc.fire, tc.clear, h)
			}
			for _, c := range fired {
				if c.Subject != "cam-1" || c.Device != "cam-1" || c.Severity != alerting.P2 {
					t.Errorf("condition %+v", c)
				}
				if want := "测试小学 食堂 操作间摄像头被遮挡（午餐运营时段 09:50–13:00）"; c.MessageZH != want {
					t.Errorf("message %q, want %q", c.MessageZH, want)
				}
			}
			if n := len(h.Conds) - len(fired) - len(cleared); n != 0 {
				t.Errorf("%d other conditions (an occluded camera is not offline):\n%s", n, h)
			}
		})
	}
}

// TestOccludedRecorded: occlusion is accounted inside and outside windows.
func TestOccludedRecorded(t *testing.T) {
	h := newHarness(t, at(monday, 0, 0))
	run(h, at(monday+1, 0, 0), func(t time.Time) []devices.Event {
		l := t.In(loc)
		if (l.Hour() == 12 && l.Minute() < 15) || l.Hour() == 20 {
			return []devices.Event{heartbeat("cam-1", bv("occluded", true))}
		}
		return []devices.Event{good("cam-1")}
	})
	cd := state(h).OnlineStats(date(monday), h.Now())[0]
	if cd.Device != "cam-1" || cd.Windows[0].Occluded != 15*time.Minute || cd.OutsideOccluded != time.Hour ||
		cd.Windows[0].Bad != 0 || cd.OutsideBad != 0 {
		t.Fatalf("stats %+v", cd)
	}
}
