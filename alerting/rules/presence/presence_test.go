package presence_test

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/alerting/rules/presence"
	"github.com/campusguard/campusguard/devices"
)

// one watches a single device with a presence.Device.
type one struct{}

func (one) Name() string             { return "p" }
func (one) Rules() []alerting.RuleID { return []alerting.RuleID{alerting.AccessOffline} }
func (one) NewState(s *devices.School) any {
	return &presence.Device{ID: "g1", Dev: &s.Devices[0], Interval: time.Minute, HoursKey: "p:hours", Rule: alerting.AccessOffline, Describe: describe}
}

// The presence deadline is the device's only deadline slot.
func (one) TimerSlots(devices.Kind) int          { return 1 }
func (one) TimerKey(*devices.Device, int) string { return "p:hb" }
func (one) OnDeviceTimer(c engine.Ctx, st any, _ *devices.Device, _ int) {
	st.(*presence.Device).Deadline(c)
}
func (one) Start(c engine.Ctx, st any) { st.(*presence.Device).Arm(c) }
func (one) OnEvent(c engine.Ctx, st any, ev *devices.Event) {
	d := st.(*presence.Device)
	if ev.Channel == devices.ChannelStatus {
		d.Status(c, ev)
		return
	}
	if !ev.Retained {
		d.Present(c)
	}
}
func (one) OnTimer(c engine.Ctx, st any, key string) {
	d := st.(*presence.Device)
	if key == "p:hours" {
		d.RaiseInSchoolHours(c)
	}
}

func describe(_ engine.Ctx, will bool, silent time.Duration) (string, string) {
	if will {
		return "遗嘱", "will"
	}
	return "离线", "silent " + silent.String()
}

func status(v string, retained bool) devices.Event {
	return devices.Event{Device: "g1", Channel: devices.ChannelStatus, Type: "status", Retained: retained,
		Values: []devices.Value{{Name: "status", Type: devices.TypeEnum, Str: v}}}
}

var hb = devices.Event{Device: "g1", Channel: devices.ChannelHeartbeat}

func TestPresence(t *testing.T) {
	loc := devices.Location()
	mon := time.Date(2026, 11, 30, 0, 0, 0, 0, loc) // a Monday
	s := &devices.School{ID: "s1", Name: "测试小学", Region: "130802", Devices: []devices.Device{{ID: "g1", Kind: devices.KindAccess}}}
	weekdays := func(t time.Time) bool { wd := t.In(loc).Weekday(); return wd != time.Saturday && wd != time.Sunday }
	for _, tc := range []struct {
		name  string
		start time.Time
		play  func(h *enginetest.Harness)
		want  []string // "fire P1 silent 3m0s", "resolve"
	}{
		{"silent since start, in school hours: P1 after 3 intervals", mon.Add(9 * time.Hour),
			func(h *enginetest.Harness) { h.Advance(3*time.Minute - time.Second); h.Advance(time.Second) },
			[]string{"fire P1 silent 3m0s"}},
		{"heartbeats keep it quiet; the first resolves an alert left from before a restart", mon.Add(9 * time.Hour),
			func(h *enginetest.Harness) {
				for i := 0; i < 5; i++ {
					h.Advance(time.Minute)
					h.Event(hb)
				}
			}, []string{"resolve"}},
		{"night: P2, raised to P1 when school hours begin", mon.Add(2 * time.Hour),
			func(h *enginetest.Harness) { h.AdvanceTo(mon.Add(8 * time.Hour)) },
			[]string{"fire P2 silent 3m0s", "fire P1 silent 5h0m0s"}},
		{"last will: offline at once; a live online resolves", mon.Add(9 * time.Hour),
			func(h *enginetest.Harness) {
				h.Event(hb)
				h.Event(status("offline", false))
				h.Advance(time.Minute)
				h.Event(status("online", false))
			}, []string{"resolve", "fire P1 will", "resolve"}},
		{"a retained offline is ignored once the device has spoken, a retained online is not presence", mon.Add(9 * time.Hour),
			func(h *enginetest.Harness) {
				h.Event(hb)
				h.Event(status("offline", true))
				h.Advance(2 * time.Minute)
				h.Event(status("online", true))
				h.Advance(2 * time.Minute)
			}, []string{"resolve", "fire P1 silent 3m0s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := enginetest.New(t, one{}, s, tc.start)
			h.Cal = weekdays
			h.Start()
			tc.play(h)
			var got []string
			for _, c := range h.Conds {
				if c.Firing {
					got = append(got, "fire "+string(c.Severity)+" "+c.MessageEN)
				} else {
					got = append(got, "resolve")
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}
