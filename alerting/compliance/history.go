package compliance

import (
	"context"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// HistoryDays is how many past days of verdicts the Store keeps (frozen
// days and days read back from InfluxDB): enough for a school year's two
// terms, the longest period served.
const HistoryDays = 400

// verdict is one school's day in the history: the verdicts and values of
// the five measures (in Measures order), compact so that a city's
// HistoryDays fit in memory (about 50 bytes a school-day).
type verdict struct {
	region string
	status [5]uint8 // index into statusCodes
	value  [5]float32
}

// statusCodes numbers the verdicts for verdict.status (0: not judged).
var statusCodes = [...]Status{NotJudged, Met, NotMet, NotApplicable}

func codeOf(s Status) uint8 {
	for i, c := range statusCodes {
		if c == s {
			return uint8(i)
		}
	}
	return 0
}

func verdictOf(sd *SchoolDay) verdict {
	v := verdict{region: sd.Region}
	for i, m := range Measures {
		r := sd.Measures[m]
		v.status[i], v.value[i] = codeOf(r.Status), float32(r.Value)
	}
	return v
}

// schoolDay expands v (no details: they are not kept).
func (v verdict) schoolDay(school string, d devices.Date) SchoolDay {
	sd := SchoolDay{School: school, Region: v.region, Date: d, Measures: make(map[Measure]Result, len(Measures))}
	for i, m := range Measures {
		sd.Measures[m] = Result{Value: float64(v.value[i])}.withStatus(statusCodes[v.status[i]])
	}
	sd.fourHundred()
	return sd
}

// DayRecord is one school's verdicts on one day as read back from storage
// (the rows LineProtocol writes).
type DayRecord struct {
	School string
	Region string
	Date   devices.Date
	Status map[Measure]Status
	Value  map[Measure]float64
}

// HistorySource reads the stored day records of [from, to] (InfluxDB in
// production: see package influxhistory).
type HistorySource interface {
	ReadDays(ctx context.Context, from, to devices.Date) ([]DayRecord, error)
}

// Restore reads the last HistoryDays days (up to and including today at
// now) from src into the history: after a restart "yesterday", last week
// and the term so far are there again. Records of days the Store already
// watched are merged (a day that failed before the restart stays failed).
func (s *Store) Restore(ctx context.Context, src HistorySource, now time.Time) (int, error) {
	today := dateOf(now)
	recs, err := src.ReadDays(ctx, today.AddDays(-HistoryDays), today)
	if err != nil {
		return 0, err
	}
	s.Load(recs)
	return len(recs), nil
}

// Load adds records to the history (see Restore). A measure a record
// lacks is NotJudged; a NotMet already held stays.
func (s *Store) Load(recs []DayRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range recs {
		r := &recs[i]
		school, region := r.School, r.Region
		if s.reg != nil { // share the registry's strings: one copy per school, not per day
			if sch, ok := s.reg.School(school); ok {
				school = sch.ID
				if sch.Region == region {
					region = sch.Region
				}
			}
		}
		v := verdict{region: region}
		for j, m := range Measures {
			v.status[j] = codeOf(r.Status[m])
			v.value[j] = float32(r.Value[m])
		}
		s.putLocked(school, r.Date, v)
	}
}

// record keeps a frozen day in the history. Call without s.mu held.
func (s *Store) record(sd *SchoolDay) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked(sd.School, sd.Date, verdictOf(sd))
}

// putLocked stores v, keeping a NotMet the history already has (a day
// that failed before a restart stays failed).
func (s *Store) putLocked(school string, d devices.Date, v verdict) {
	day := s.hist[d]
	if day == nil {
		day = map[string]verdict{}
		s.hist[d] = day
	}
	notMet := codeOf(NotMet)
	if old, ok := day[school]; ok {
		for i := range v.status {
			if old.status[i] == notMet && v.status[i] != notMet {
				v.status[i], v.value[i] = notMet, old.value[i]
			}
		}
	}
	day[school] = v
}

// mergeHistory turns a measure of sd NotMet when the history says it
// failed that day (before a restart).
func (s *Store) mergeHistory(sd *SchoolDay) {
	s.mu.RLock()
	old, ok := s.hist[sd.Date][sd.School]
	s.mu.RUnlock()
	if !ok {
		return
	}
	changed := false
	for i, m := range Measures {
		if r := sd.Measures[m]; statusCodes[old.status[i]] == NotMet && r.Status != NotMet {
			r = r.withStatus(NotMet)
			r.Value = min(r.Value, float64(old.value[i]))
			r = r.withDetail("重启前已不达标", "not met before a restart")
			sd.Measures[m] = r
			changed = true
		}
	}
	if changed {
		sd.fourHundred()
	}
}

// historic returns the history's record of school on d.
func (s *Store) historic(school string, d devices.Date) (verdict, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.hist[d][school]
	return v, ok
}

// pruneHistory forgets days before keep.
func (s *Store) pruneHistory(keep devices.Date) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d := range s.hist {
		if d.Before(keep) {
			delete(s.hist, d)
		}
	}
}
