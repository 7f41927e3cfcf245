package alarmtest

import (
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// at is a local (Asia/Shanghai) time in 2026.
func at(month, day, hour, minute int) time.Time {
	return time.Date(2026, time.Month(month), day, hour, minute, 0, 0, devices.Location())
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// testRegistry has school s1 with alarm terminals a1, a2 and a gate, on a
// schedule of the 15th 09:00–09:30 for a2 only, and school s2 without an
// alarm terminal.
func testRegistry(t *testing.T) *devices.Registry {
	t.Helper()
	r := &devices.Registry{
		Regions:   []devices.Region{{Code: "130802", Name: "双桥区"}},
		Calendars: []devices.Calendar{devices.DefaultCalendar()},
		Schools: []devices.School{
			{ID: "s1", Name: "一小", Region: "130802", Type: devices.SchoolPrimary, Pupils: 100, Calendar: devices.DefaultCalendarID,
				Devices:    []devices.Device{{ID: "a1", Kind: devices.KindAlarm}, {ID: "a2", Kind: devices.KindAlarm}, {ID: "g1", Kind: devices.KindAccess}},
				AlarmTests: []devices.AlarmTestSchedule{{Day: 15, Start: devices.Clock(9, 0), End: devices.Clock(9, 30), Device: "a2"}}},
			{ID: "s2", Name: "二小", Region: "130802", Type: devices.SchoolPrimary, Pupils: 100, Calendar: devices.DefaultCalendarID,
				Devices: []devices.Device{{ID: "g2", Kind: devices.KindAccess}}},
		},
	}
	r.Index()
	return r
}
