package devices

import "time"

// Registry is the source of truth for what exists: every region, school,
// device, guard roster, post, kitchen and calendar. Build one with Load (YAML)
// or ImportCSV; call Index before lookups (Load does).
type Registry struct {
	Regions   []Region   `yaml:"regions"`
	Calendars []Calendar `yaml:"calendars"`
	Schools   []School   `yaml:"schools"`
	// HolidayFiles are public-holiday files (one year each, the format of
	// devices/calendars/holidays/cn-YYYY.yaml) that add years to the
	// shipped national table or replace shipped ones; paths relative to the
	// registry file. Load reads them.
	HolidayFiles []string `yaml:"holiday_files,omitempty"`
	// Closures close schools for a range of dates (停课).
	Closures []Closure `yaml:"closures,omitempty"`
	// Timetables replace schools' daily windows from a date (冬季/夏季作息).
	Timetables []Timetable `yaml:"timetables,omitempty"`

	regionByCode map[string]*Region
	schoolByID   map[string]*School
	deviceByID   map[string]*Device
	deviceAt     []*Device // by dense index (Device.Index), in registry order
	calendarByID map[string]*Calendar
	holidays     *HolidayTable // shipped years plus HolidayFiles; nil: NationalHolidays()

	src *source // the YAML it was parsed from, for error lines; nil when built in memory
}

// Region is a county-level administrative division (6-digit code).
type Region struct {
	Code string `yaml:"code"` // e.g. "130802"
	Name string `yaml:"name"` // e.g. "双桥区"
}

// SchoolType classifies a school for rules (windows, guard counts).
type SchoolType string

// School types.
const (
	SchoolKindergarten SchoolType = "kindergarten"
	SchoolPrimary      SchoolType = "primary"
	SchoolSecondary    SchoolType = "secondary"
	SchoolTeachingPt   SchoolType = "teaching_point"
	SchoolSpecial      SchoolType = "special"
)

// SchoolTypes lists every school type.
var SchoolTypes = []SchoolType{SchoolKindergarten, SchoolPrimary, SchoolSecondary, SchoolTeachingPt, SchoolSpecial}

// School is one school, kindergarten or rural teaching point.
type School struct {
	ID       string     `yaml:"id"`
	Name     string     `yaml:"name"`
	Region   string     `yaml:"region"`
	Type     SchoolType `yaml:"type"`
	Pupils   int        `yaml:"pupils"`
	Boarders int        `yaml:"boarders,omitempty"`
	Calendar string     `yaml:"calendar"`
	Address  string     `yaml:"address,omitempty"`
	// Contact is whom the police call about the school (its security
	// office's duty contact); optional. The police wall shows it in the
	// panic view.
	Contact  Contact   `yaml:"contact,omitempty"`
	Windows  Windows   `yaml:"windows"`
	Posts    []Post    `yaml:"posts,omitempty"`
	Kitchens []Kitchen `yaml:"kitchens,omitempty"`
	Guards   []Guard   `yaml:"guards,omitempty"` // licensed full-time guard roster
	Devices  []Device  `yaml:"devices"`
	// AlarmTests are the school's recurring alarm test windows (a panic
	// press inside one is a test, not a P0); see AlarmTestSchedule.
	AlarmTests []AlarmTestSchedule `yaml:"alarm_tests,omitempty"`

	calendar   *Calendar    // set by Registry.Index
	closures   []*Closure   // the closures naming the school or its region (Index)
	timetables []*Timetable // the timetables naming the school or its region, by From (Index)
}

// Windows are a school's daily time windows (local time, Asia/Shanghai).
type Windows struct {
	Gate  []Window `yaml:"gate,omitempty"`  // gate opening windows
	Peaks []Window `yaml:"peaks,omitempty"` // protection-post peak windows
	Meals []Window `yaml:"meals,omitempty"` // meal windows (kitchen operating windows derive from them)
}

// Window is a daily interval [Start, End) in local clock time, "HH:MM".
type Window struct {
	Name  string    `yaml:"name,omitempty"`
	Start ClockTime `yaml:"start"`
	End   ClockTime `yaml:"end"`
}

// ClockTime is minutes since local midnight, written "HH:MM" in YAML.
type ClockTime int

// Post is a staffed position: the guard room or a school-protection post.
type Post struct {
	ID       string `yaml:"id"` // [a-z0-9-]{1,64}; "guardroom" is the guard room
	Name     string `yaml:"name,omitempty"`
	MinStaff int    `yaml:"min_staff,omitempty"` // people required during a peak (default 2 at the main gate)
}

// Kitchen is a school canteen kitchen watched by kitchen cameras.
type Kitchen struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name,omitempty"`
}

// Guard is a licensed full-time security guard on the school's roster.
// ID is pseudonymous (never a name or an ID-card number).
type Guard struct {
	ID      string `yaml:"id"`
	License string `yaml:"license,omitempty"` // licence number reference (保安员证), opaque
	// Company is the security company employing the guard (保安服务公司).
	Company string `yaml:"company,omitempty"`
	// LicenseExpires is the last day the licence is valid (zero: no expiry
	// known). From the next day the guard counts as unlicensed; within
	// guard_license_warn_before of it guard_license_expiring fires.
	LicenseExpires Date `yaml:"license_expires,omitempty"`
}

// Device is one security device of a school.
type Device struct {
	ID        string   `yaml:"id"`
	Kind      Kind     `yaml:"kind"`
	Location  string   `yaml:"location,omitempty"`  // free text, e.g. "传达室" / "north gate"
	Heartbeat Duration `yaml:"heartbeat,omitempty"` // expected heartbeat interval; default 60s
	Post      string   `yaml:"post,omitempty"`      // for guard terminals: the post it serves
	Kitchen   string   `yaml:"kitchen,omitempty"`   // for kitchen cameras: the kitchen it watches
	Gate      string   `yaml:"gate,omitempty"`      // for access controllers: gate name

	school *School
	index  int32 // dense index in the registry (Registry.Index sets it)
}

// Duration is a time.Duration written like "60s" or "2m" in YAML.
type Duration time.Duration

// Calendar is a school calendar: terms, public holidays, make-up working
// days (调休). Dates are "YYYY-MM-DD" in Asia/Shanghai. With National set,
// the national public-holiday table (devices/calendars/holidays plus the
// registry's holiday_files) gives the holidays and make-up workdays, and
// Holidays and Workdays add local ones.
type Calendar struct {
	ID       string `yaml:"id"`
	National bool   `yaml:"national,omitempty"` // apply the State Council's public holidays and 调休
	Terms    []Term `yaml:"terms"`
	Holidays []Date `yaml:"holidays,omitempty"`
	Workdays []Date `yaml:"workdays,omitempty"` // make-up working days on weekends

	table *HolidayTable // the national table (Registry.Index); nil: NationalHolidays()
}

// Term is an inclusive date range of teaching days.
type Term struct {
	Name  string `yaml:"name,omitempty"`
	Start Date   `yaml:"start"`
	End   Date   `yaml:"end"`
}

// Date is a civil date written "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DefaultHeartbeat is the heartbeat interval of a device that states none.
const DefaultHeartbeat = 60 * time.Second
