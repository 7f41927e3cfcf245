package compliance

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Measure names one compliance measure of domain.md.
type Measure string

// The five measures; the first four are the "four 100%".
const (
	ClosedCampus   Measure = "closed_campus"   // 封闭化管理
	GuardStaffing  Measure = "guard_staffing"  // 专职保安员配备
	ProtectionPost Measure = "protection_post" // 护学岗 / 高峰勤务
	AlarmLink      Measure = "alarm_link"      // 一键报警联网
	BrightKitchen  Measure = "bright_kitchen"  // 互联网+明厨亮灶
)

// Measures lists every measure in report order.
var Measures = []Measure{ClosedCampus, GuardStaffing, ProtectionPost, AlarmLink, BrightKitchen}

// FourHundredMeasures are the measures of the "four 100%" (四个100%).
var FourHundredMeasures = Measures[:4]

// Thresholds of domain.md that are not rule parameters (config.Params
// holds the others).
const (
	GateOnlineMin    = 0.95           // closed_campus: gate controllers online share of school hours (assumed)
	AlarmOnlineMin   = 0.99           // alarm_link: one terminal online share of school hours (assumed)
	KitchenOnlineMin = 0.95           // bright_kitchen: camera online share of operating windows (assumed)
	GateAlertMaxOpen = 24 * time.Hour // closed_campus: a gate_forced/gate_intrusion alert open this long fails the day
)

// Retention is how many past days the Store keeps besides today.
const Retention = 31

// Result is one measure of one school on one day.
type Result struct {
	// Applicable is false when the school has no device of the kind the
	// measure needs: the measure is then left out of every rate.
	Applicable bool `json:"applicable"`
	// OK reports whether the measure holds (false when not applicable).
	OK bool `json:"ok"`
	// Value is the measure's figure between 0 and 1: the online share
	// (closed_campus, alarm_link: the best terminal, bright_kitchen), the
	// fewest licensed guards on duty ÷ required (guard_staffing), staffed
	// ÷ judged windows (protection_post). 1 when there was nothing to judge.
	Value float64 `json:"value"`
	// Detail says, in Chinese then English ("中文 / English"), why the
	// measure does not hold or is not applicable; empty when it holds.
	Detail string `json:"detail,omitempty"`
}

// SchoolDay is one school's measures on one local day: frozen at local
// midnight for past days, today so far for today.
type SchoolDay struct {
	School   string             `json:"school"`
	Region   string             `json:"region"`
	Date     devices.Date       `json:"date"`
	Measures map[Measure]Result `json:"measures"`
	// FourHundred is true only when each of the first four measures is
	// applicable and holds.
	FourHundred bool `json:"four_hundred"`
}

// RegionRollup aggregates the schools of one region (or of the city).
type RegionRollup struct {
	Region  string `json:"region"` // division code
	Name    string `json:"name"`
	Schools int    `json:"schools"`
	// Rates is, per measure, the share of the schools where it is
	// applicable that are at 100% on it; a measure applicable nowhere is
	// absent.
	Rates map[Measure]float64 `json:"rates"`
	// FourHundredRate is the share of all the schools that are four-100%
	// compliant.
	FourHundredRate float64 `json:"four_hundred_rate"`
}

// Report is the compliance of every school on one day, per region and for
// the city.
type Report struct {
	Date    devices.Date   `json:"date"`
	Schools []SchoolDay    `json:"schools"` // by region, then school id
	Regions []RegionRollup `json:"regions"` // by region code
	City    RegionRollup   `json:"city"`
}
