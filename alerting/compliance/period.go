package compliance

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Period is the span a compliance figure covers.
type Period string

// The periods served: a local day, an ISO week (Monday to Sunday), a
// calendar month, and a term of the school's calendar.
const (
	PeriodDay   Period = "day"
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
	PeriodTerm  Period = "term"
)

// Periods lists every period.
var Periods = []Period{PeriodDay, PeriodWeek, PeriodMonth, PeriodTerm}

// ParsePeriod returns the period named s.
func ParsePeriod(s string) (Period, error) {
	for _, p := range Periods {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("compliance: unknown period %q (day, week, month or term)", s)
}

// Bounds returns the first and last day of the period p containing d; for
// PeriodTerm, the term of cal containing d, else the last one that ended
// before d (ok is false when there is none).
func Bounds(p Period, d devices.Date, cal *devices.Calendar) (from, to devices.Date, ok bool) {
	switch p {
	case PeriodDay:
		return d, d, true
	case PeriodWeek:
		off := (int(d.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
		from = d.AddDays(-off)
		return from, from.AddDays(6), true
	case PeriodMonth:
		from = devices.Date{Year: d.Year, Month: d.Month, Day: 1}
		first := time.Date(d.Year, d.Month+1, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		return from, devices.Date{Year: first.Year(), Month: first.Month(), Day: first.Day()}, true
	case PeriodTerm:
		if cal == nil {
			return from, to, false
		}
		var best *devices.Term
		for i := range cal.Terms {
			t := &cal.Terms[i]
			if !d.Before(t.Start) && !t.End.Before(d) {
				return t.Start, t.End, true
			}
			if t.End.Before(d) && (best == nil || best.End.Before(t.End)) {
				best = t
			}
		}
		if best != nil {
			return best.Start, best.End, true
		}
	}
	return from, to, false
}

// SchoolPeriod is one school's verdicts over a period. A school meets a
// measure for a period only when it met it on every judged day of the
// period (at least one): NotMet if any day was not met, else Met if any
// day was met, else NotApplicable if any day was, else NotJudged.
type SchoolPeriod struct {
	School string       `json:"school"`
	Region string       `json:"region"`
	From   devices.Date `json:"from"`
	To     devices.Date `json:"to"`
	// Measures holds each measure's verdict and how many days of the
	// period had each verdict (Days.All = the period's days so far).
	Measures map[Measure]PeriodResult `json:"measures"`
	// FourHundredStatus is the four-100% verdict from the first four
	// measures' period verdicts (as for a day).
	FourHundredStatus Status `json:"four_hundred_status"`
	FourHundred       bool   `json:"four_hundred"`
	// RecordedDays counts the days of the period (so far) that have a
	// record (watched, or read back from InfluxDB); 0 means "no data
	// recorded" for the whole period.
	RecordedDays int `json:"recorded_days"`
}

// PeriodResult is one measure of one school over a period.
type PeriodResult struct {
	Status Status `json:"status"`
	Days   Counts `json:"days"`
}

// PeriodReport is the compliance of every school over a period, per
// region and for the city. Complete is false while the period runs (its
// days so far are judged; the rest count nowhere).
type PeriodReport struct {
	Period   Period         `json:"period"`
	Date     devices.Date   `json:"date"` // the day asked for
	From     devices.Date   `json:"from"`
	To       devices.Date   `json:"to"`
	Complete bool           `json:"complete"`
	Schools  []SchoolPeriod `json:"schools"` // by region, then school id
	Regions  []RegionRollup `json:"regions"`
	City     RegionRollup   `json:"city"`
}

// PeriodAt returns the report of period p containing date, evaluated at
// now (days after now's date do not count yet). A term is each school's
// own calendar's; From and To span them all.
func (s *Store) PeriodAt(p Period, date devices.Date, now time.Time) PeriodReport {
	today := dateOf(now)
	rep := PeriodReport{Period: p, Date: date, Complete: true}
	s.mu.RLock()
	reg := s.reg
	s.mu.RUnlock()
	scope := s.inScope()
	type bounds struct {
		from, to devices.Date
		ok       bool
	}
	bs := make([]bounds, len(scope))
	for i, sch := range scope {
		var cal *devices.Calendar
		if reg != nil {
			cal, _ = reg.Calendar(sch.Calendar)
		}
		b := &bs[i]
		b.from, b.to, b.ok = Bounds(p, date, cal)
		rep.Schools = append(rep.Schools, SchoolPeriod{School: sch.ID, Region: sch.Region, From: b.from, To: b.to,
			Measures: make(map[Measure]PeriodResult, len(Measures))})
		if !b.ok {
			continue
		}
		if rep.From.IsZero() || b.from.Before(rep.From) {
			rep.From = b.from
		}
		if rep.To.Before(b.to) {
			rep.To = b.to
		}
		if !b.to.Before(today) {
			rep.Complete = false
		}
	}
	// Each school counts the days inside its own bounds.
	for i, sch := range scope {
		if !bs[i].ok {
			continue
		}
		var days [5]Counts
		for d := bs[i].from; !bs[i].to.Before(d) && !today.Before(d); d = d.AddDays(1) {
			st, rec := s.dayStatuses(sch, d, now)
			if rec {
				rep.Schools[i].RecordedDays++
			}
			for j := range days {
				days[j].add(st[j])
			}
		}
		for j, m := range Measures {
			rep.Schools[i].Measures[m] = PeriodResult{Days: days[j]}
		}
	}
	for i := range rep.Schools {
		sp := &rep.Schools[i]
		sd := SchoolDay{Measures: make(map[Measure]Result, len(Measures))}
		for _, m := range Measures {
			pr := sp.Measures[m]
			pr.Status = pr.Days.verdict()
			sp.Measures[m] = pr
			sd.Measures[m] = Result{}.withStatus(pr.Status)
		}
		sd.fourHundred()
		sp.FourHundredStatus, sp.FourHundred = sd.FourHundredStatus, sd.FourHundred
	}
	rows := make([]rollupRow, len(rep.Schools))
	for i := range rep.Schools {
		sp := &rep.Schools[i]
		rows[i] = rollupRow{region: sp.Region, four: sp.FourHundredStatus}
		for j, m := range Measures {
			rows[i].status[j] = sp.Measures[m].Status
		}
	}
	rep.Regions, rep.City = s.rollups(rows)
	return rep
}

// verdict is a period's verdict from its days' (see SchoolPeriod).
func (c Counts) verdict() Status {
	switch {
	case c.NotMet > 0:
		return NotMet
	case c.Met > 0:
		return Met
	case c.NotApplicable > 0:
		return NotApplicable
	}
	return NotJudged
}

// dayStatuses returns the verdicts (in Measures order) of sch on d: its
// own record, else the history's (without expanding it), else no record
// (recorded false).
func (s *Store) dayStatuses(sch *devices.School, d devices.Date, now time.Time) (out [5]Status, recorded bool) {
	s.mu.RLock()
	st := s.schools[sch.ID]
	s.mu.RUnlock()
	if st != nil {
		if sd, ok := s.schoolDay(st, d, now); ok {
			for j, m := range Measures {
				out[j] = sd.Measures[m].Status
			}
			return out, true
		}
	}
	if dayStart(d).Before(now) {
		if v, ok := s.historic(sch.ID, d); ok {
			for j := range out {
				out[j] = statusCodes[v.status[j]]
			}
			return out, true
		}
	}
	return noRecordStatuses(sch), false
}

// noRecordStatuses are the verdicts of noRecord (in Measures order),
// without building its day: a term's report asks them for every school and
// every day without a record, and building each day (a map and its
// details) allocated ~150 MB for the demo city at start-up.
func noRecordStatuses(sch *devices.School) (out [5]Status) {
	for j, m := range Measures {
		out[j] = NotJudged
		if m == BrightKitchen && len(sch.Kitchens) == 0 {
			out[j] = NotApplicable
		}
	}
	return out
}
