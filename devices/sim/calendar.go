package sim

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Virtual time is int64 Unix nanoseconds throughout the package.
const (
	nsSecond = int64(time.Second)
	nsMinute = int64(time.Minute)
	nsHour   = int64(time.Hour)
	nsDay    = 24 * nsHour

	maxTime = int64(1<<63 - 1)

	// tzOffset is Asia/Shanghai's UTC offset. China has kept +08:00 without
	// daylight saving since 1991, so a fixed zone is exact and needs no tzdata.
	tzOffset = 8 * 60 * 60
)

// shanghai is the schools' time zone.
var shanghai = time.FixedZone("CST", tzOffset)

// localDayStart returns local midnight (Asia/Shanghai) of the day holding t.
func localDayStart(t int64) int64 {
	local := t + tzOffset*nsSecond
	return floorDiv(local, nsDay)*nsDay - tzOffset*nsSecond
}

// dayNumber returns the local day of t counted from 1970-01-01.
func dayNumber(t int64) int64 { return floorDiv(t+tzOffset*nsSecond, nsDay) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civil returns the date of day number days (days since 1970-01-01), after
// Howard Hinnant's days_from_civil inverse.
func civil(days int64) (year int64, month, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	year = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	if month <= 2 {
		year++
	}
	return year, month, day
}

// window is a daily interval [start, end) in minutes after local midnight.
type window struct {
	name       string
	start, end int
}

// at returns the window's bounds on the day starting at dayStart.
func (w window) at(dayStart int64) (from, to int64) {
	return dayStart + int64(w.start)*nsMinute, dayStart + int64(w.end)*nsMinute
}

func windowsOf(ws []devices.Window) []window {
	out := make([]window, len(ws))
	for i, w := range ws {
		out[i] = window{name: w.Name, start: int(w.Start), end: int(w.End)}
	}
	return out
}

// kitchenLead is how long before a meal the kitchen operates (docs/rules.md).
const kitchenLead = 90

// schoolWindows returns the school's peak, gate and kitchen operating
// windows; a list the registry leaves empty takes devices.DefaultWindows.
func schoolWindows(s *devices.School) (peaks, gates, kitchen []window) {
	def := devices.DefaultWindows(s.Type, s.Boarders > 0)
	pick := func(own, fallback []devices.Window) []window {
		if len(own) > 0 {
			return windowsOf(own)
		}
		return windowsOf(fallback)
	}
	peaks = pick(s.Windows.Peaks, def.Peaks)
	gates = pick(s.Windows.Gate, def.Gate)
	for _, m := range pick(s.Windows.Meals, def.Meals) {
		kitchen = append(kitchen, window{name: m.name, start: max(m.start-kitchenLead, 0), end: m.end})
	}
	return peaks, gates, kitchen
}

// schoolDayFunc returns how the simulator decides school days for a school:
// Options.SchoolDay, else the school's calendar and closures, else Monday to Friday when
// the registry has no such calendar.
func schoolDayFunc(opts *Options, s *devices.School) func(day time.Time) bool {
	if opts.SchoolDay != nil {
		return func(day time.Time) bool { return opts.SchoolDay(s, day) }
	}
	if _, ok := opts.Registry.Calendar(s.Calendar); ok {
		return s.IsSchoolDay // the calendar and the school's closures (停课)
	}
	return weekday
}

// weekday is the fallback calendar: Monday to Friday.
func weekday(day time.Time) bool {
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}
