package compliance

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Measure names one compliance measure of docs/compliance.md.
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

// Thresholds of docs/compliance.md that are not rule parameters (config.Params
// holds the others).
const (
	GateOnlineMin    = 0.95           // closed_campus: gate controllers online share of school hours (assumed)
	AlarmOnlineMin   = 0.99           // alarm_link: one terminal online share of school hours (assumed)
	KitchenOnlineMin = 0.95           // bright_kitchen: camera online share of operating windows (assumed)
	GateAlertMaxOpen = 24 * time.Hour // closed_campus: a gate_forced/gate_intrusion alert open this long fails the day
)

// Retention is how many past days the Store keeps in full (with values
// and details) besides today; older days, and days read back from
// InfluxDB, keep their verdicts only (HistoryDays).
const Retention = 31

// Status is the verdict of one measure (or of the four 100%) for one
// school over a day or a period.
type Status string

// The four verdicts. Only Met and NotMet are "judged"; a rate is
// Met ÷ (Met + NotMet), with NotApplicable and NotJudged counted apart.
const (
	// Met: the measure held over the whole judged window.
	Met Status = "met"
	// NotMet: the measure failed, or the school cannot show it (a school
	// without the devices a measure needs does not meet it).
	NotMet Status = "not_met"
	// NotApplicable: nothing is required of the school (no kitchen
	// registered for bright_kitchen, no peak windows for protection_post).
	NotApplicable Status = "not_applicable"
	// NotJudged: not yet judged — a day without school, a window that has
	// not ended (and has not already failed), a day campusguard did not
	// watch, or no record.
	NotJudged Status = "not_judged"
)

// Judged reports whether s counts in a rate's denominator.
func (s Status) Judged() bool { return s == Met || s == NotMet }

// Result is one measure of one school on one day.
type Result struct {
	// Status is the verdict (see Status).
	Status Status `json:"status"`
	// Applicable is false only when Status is NotApplicable (kept for
	// older readers).
	Applicable bool `json:"applicable"`
	// OK reports whether Status is Met.
	OK bool `json:"ok"`
	// Value is the measure's figure between 0 and 1: the online share
	// (closed_campus, alarm_link: the best terminal, bright_kitchen), the
	// fewest licensed guards on duty ÷ required (guard_staffing), staffed
	// ÷ judged windows (protection_post). 1 when there was nothing to
	// judge yet, 0 when the school has no device to show it.
	Value float64 `json:"value"`
	// DetailZH and DetailEN say, each in its own language, why the
	// measure does not hold, is not applicable or not judged yet; empty
	// when it holds. They are two fields, never one mixed string: a page
	// shows the one of its language. (An older answer's single "detail",
	// "中文 / English", is read into both: UnmarshalJSON.)
	DetailZH string `json:"detail_zh,omitempty"`
	DetailEN string `json:"detail_en,omitempty"`
}

// Detail returns both reasons as "中文 / English", for the bilingual CSV
// export and logs; "" when there is none.
func (r Result) Detail() string {
	if r.DetailZH == "" || r.DetailEN == "" {
		return r.DetailZH + r.DetailEN
	}
	return r.DetailZH + " / " + r.DetailEN
}

// withDetail returns r with its reason in both languages.
func (r Result) withDetail(zh, en string) Result {
	r.DetailZH, r.DetailEN = zh, en
	return r
}

// UnmarshalJSON reads a Result, also from an older writer whose one field
// "detail" held "中文 / English": it is split at its first " / ".
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result // no UnmarshalJSON: no recursion
	var v struct {
		plain
		Legacy string `json:"detail"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Result(v.plain)
	if v.Legacy != "" && r.DetailZH == "" && r.DetailEN == "" {
		if zh, en, ok := strings.Cut(v.Legacy, " / "); ok {
			r.DetailZH, r.DetailEN = zh, en
		} else {
			r.DetailZH, r.DetailEN = v.Legacy, v.Legacy
		}
	}
	return nil
}

// withStatus returns r with Status, Applicable and OK set from s.
func (r Result) withStatus(s Status) Result {
	r.Status, r.Applicable, r.OK = s, s != NotApplicable, s == Met
	return r
}

// SchoolDay is one school's measures on one local day: frozen at local
// midnight for past days, today so far for today.
type SchoolDay struct {
	School   string             `json:"school"`
	Region   string             `json:"region"`
	Date     devices.Date       `json:"date"`
	Measures map[Measure]Result `json:"measures"`
	// FourHundredStatus is the four-100% verdict: NotMet when any of the
	// first four is not met, else NotJudged when any is not judged yet,
	// else Met (a measure not applicable requires nothing).
	FourHundredStatus Status `json:"four_hundred_status"`
	// FourHundred is FourHundredStatus == Met.
	FourHundred bool `json:"four_hundred"`
	// NoRecord is true when campusguard has nothing for the school that
	// day (not watched, and nothing read back from InfluxDB): every
	// measure is then not judged ("no record"), which a board must say as
	// "no data recorded", not as a rate.
	NoRecord bool `json:"no_record,omitempty"`
}

// fourHundred sets the four-100% verdict from the first four measures.
func (sd *SchoolDay) fourHundred() {
	st := Met
	for _, m := range FourHundredMeasures {
		switch sd.Measures[m].Status {
		case NotMet:
			st = NotMet
		case NotJudged, "":
			if st != NotMet {
				st = NotJudged
			}
		}
	}
	sd.FourHundredStatus, sd.FourHundred = st, st == Met
}

// Counts are how many schools have each verdict on a measure. The rate
// is Met ÷ (Met + NotMet); All = Met + NotMet + NotApplicable + NotJudged
// is every school in scope.
type Counts struct {
	All           int `json:"all"`
	Met           int `json:"met"`
	NotMet        int `json:"not_met"`
	NotApplicable int `json:"not_applicable"`
	NotJudged     int `json:"not_judged"`
}

func (c *Counts) add(s Status) {
	c.All++
	switch s {
	case Met:
		c.Met++
	case NotMet:
		c.NotMet++
	case NotApplicable:
		c.NotApplicable++
	default:
		c.NotJudged++
	}
}

// Rate returns Met ÷ (All − NotApplicable − NotJudged), and false when
// no school is judged.
func (c Counts) Rate() (float64, bool) {
	if n := c.Met + c.NotMet; n > 0 {
		return float64(c.Met) / float64(n), true
	}
	return 0, false
}

// RegionRollup aggregates the schools of one region (or of the city).
type RegionRollup struct {
	Region string `json:"region"` // division code
	Name   string `json:"name"`
	// Schools is every school in scope (the registry's schools of the
	// region), with or without a record.
	Schools int `json:"schools"`
	// Counts is, per measure, how many schools met it, did not, were not
	// applicable and not judged yet.
	Counts map[Measure]Counts `json:"counts"`
	// Rates is, per measure, Counts.Rate(); a measure judged at no school
	// is absent.
	Rates map[Measure]float64 `json:"rates"`
	// FourHundredCounts and FourHundredRate are the same for the four-100%
	// verdict (FourHundredRate is 0 when no school is judged).
	FourHundredCounts Counts  `json:"four_hundred_counts"`
	FourHundredRate   float64 `json:"four_hundred_rate"`
}

// Report is the compliance of every school on one day, per region and for
// the city.
type Report struct {
	Date    devices.Date   `json:"date"`
	Schools []SchoolDay    `json:"schools"` // by region, then school id
	Regions []RegionRollup `json:"regions"` // by region code
	City    RegionRollup   `json:"city"`
}
