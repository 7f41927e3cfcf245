package devices

import "time"

// AlarmTestSchedule is a school's recurring alarm test window: every month
// on Day, from Start to End local time (Asia/Shanghai), a panic press at
// the school's alarm terminals (or at Device only, when set) is a test, not
// a P0. Schools test monthly; one-off windows are registered through the
// HTTP API instead.
//
//	alarm_tests:
//	  - day: 15          # day of the month, 1–28 (every month has it)
//	    start: "09:00"
//	    end: "09:30"     # at most MaxAlarmTestWindow after start
//	    device: sq-no1-alarm-01   # optional: one terminal only
type AlarmTestSchedule struct {
	Day    int       `yaml:"day"`
	Start  ClockTime `yaml:"start"`
	End    ClockTime `yaml:"end"`
	Device string    `yaml:"device,omitempty"`
}

// MaxAlarmTestWindow bounds one alarm test window, scheduled or
// registered: a long window would silence real panics for that long.
const MaxAlarmTestWindow = 2 * time.Hour

// On returns the schedule's window on date d, and whether d is its day.
func (a AlarmTestSchedule) On(d Date) (start, end time.Time, ok bool) {
	if d.Day != a.Day {
		return time.Time{}, time.Time{}, false
	}
	return a.Start.At(d), a.End.At(d), true
}

// Covers reports whether the schedule covers device at t.
func (a AlarmTestSchedule) Covers(device string, t time.Time) bool {
	if a.Device != "" && a.Device != device {
		return false
	}
	start, end, ok := a.On(DateOf(t))
	return ok && !t.Before(start) && t.Before(end)
}

// alarmTests checks a school's alarm test schedules: a day every month has,
// a window of at most MaxAlarmTestWindow, and a device that is one of the
// school's alarm terminals.
func (c *checker) alarmTests(p string, s *School) {
	for i, a := range s.AlarmTests {
		ap := indexPath(p, i)
		if a.Day < 1 || a.Day > 28 {
			c.add(ap+".day", "alarm test day %d outside 1-28 (every month must have it)", a.Day)
		}
		switch d := time.Duration(a.End-a.Start) * time.Minute; {
		case a.Start >= a.End:
			c.add(ap, "alarm test window starts at %s, not before its end %s", a.Start, a.End)
		case d > MaxAlarmTestWindow:
			c.add(ap+".end", "alarm test window %s-%s longer than %s", a.Start, a.End, MaxAlarmTestWindow)
		}
		if a.Device != "" && !s.hasAlarmDevice(a.Device) {
			c.add(ap+".device", "device %q is not an alarm terminal of school %q", a.Device, s.ID)
		}
	}
}

// hasAlarmDevice reports whether id is one of the school's alarm terminals.
func (s *School) hasAlarmDevice(id string) bool {
	for i := range s.Devices {
		if s.Devices[i].ID == id && s.Devices[i].Kind == KindAlarm {
			return true
		}
	}
	return false
}
