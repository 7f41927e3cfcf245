package compliance

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/devices"
)

// OpenAlertsFunc returns the open alerts of a school for the given rules
// (the lifecycle's view). It must be safe for concurrent use and must not
// block for long: the module calls it on engine workers.
type OpenAlertsFunc func(school string, rules ...alerting.RuleID) []alerting.Alert

// Store keeps every school's compliance record: the module writes it from
// the engine's shard workers, the HTTP API and the periodic writer read
// it. It is safe for concurrent use.
type Store struct {
	reg        *devices.Registry
	openAlerts OpenAlertsFunc

	// Now is the clock Day and School read "today so far" at; it defaults
	// to the wall clock. Set it before use (tests use the fake clock).
	Now func() time.Time
	// TestWindows are the alarm test windows (a panic press inside one is
	// a test for alarm_link); nil: none. Set it before use.
	TestWindows alarmtest.Covers

	mu      sync.RWMutex
	schools map[string]*schoolState
}

// NewStore returns an empty store. reg names the regions (and the city)
// of the rollups; openAlerts may be nil (no alert is ever open).
func NewStore(reg *devices.Registry, openAlerts func(school string, rules ...alerting.RuleID) []alerting.Alert) *Store {
	return &Store{reg: reg, openAlerts: openAlerts, Now: time.Now, schools: map[string]*schoolState{}}
}

// add starts a record for school sch. After a registry reload it takes
// over the school's previous record (history, people, devices still
// registered), so a reload loses nothing.
func (s *Store) add(sch *devices.School) *schoolState {
	st := newSchoolState(sch)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.schools[sch.ID]; old != nil {
		st.takeOver(old)
	}
	s.schools[sch.ID] = st
	return st
}

// SetRegistry swaps the registry after a reload: region names come from
// reg, and the records of schools no longer in it are dropped (they leave
// the reports). Records of the schools that remain were handed over by the
// module's Reload.
func (s *Store) SetRegistry(reg *devices.Registry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reg = reg
	for id := range s.schools {
		if _, ok := reg.School(id); !ok {
			delete(s.schools, id)
		}
	}
}

func (s *Store) open(school string, rules ...alerting.RuleID) []alerting.Alert {
	if s.openAlerts == nil {
		return nil
	}
	return s.openAlerts(school, rules...)
}

// alertsOf fetches the open alerts the school's measures read (only those
// of the kinds it has). Call without st.mu held.
func (s *Store) alertsOf(st *schoolState) openAlerts {
	var al openAlerts
	var gates, cams bool
	for _, d := range st.devs { // devs never change after creation
		gates = gates || d.kind == devices.KindAccess
		cams = cams || d.kind == devices.KindKitchenCam
	}
	if gates {
		al.gate = s.open(st.sch.ID, alerting.GateForced, alerting.GateIntrusion)
	}
	if cams {
		al.kitchen = s.open(st.sch.ID, alerting.KitchenOverdue)
	}
	return al
}

// School returns one school's measures on date: frozen for a past day,
// today so far (at Store.Now) for today. It is false for an unknown
// school, a future day, a day before watching began or older than
// Retention days.
func (s *Store) School(id string, date devices.Date) (SchoolDay, bool) {
	return s.SchoolAt(id, date, s.Now())
}

// SchoolAt is School evaluated at now.
func (s *Store) SchoolAt(id string, date devices.Date, now time.Time) (SchoolDay, bool) {
	s.mu.RLock()
	st := s.schools[id]
	s.mu.RUnlock()
	if st == nil {
		return SchoolDay{}, false
	}
	return s.schoolDay(st, date, now)
}

func (s *Store) schoolDay(st *schoolState, date devices.Date, now time.Time) (SchoolDay, bool) {
	st.mu.Lock()
	if fr, ok := st.frozen[date]; ok {
		st.mu.Unlock()
		fr.Measures = maps.Clone(fr.Measures) // the caller may keep or change it
		return fr, true
	}
	known := st.started && dayStart(date).Before(now) && dayStart(date.AddDays(1)).After(st.since) &&
		!date.Before(st.today)
	st.mu.Unlock()
	if !known {
		return SchoolDay{}, false
	}
	al := s.alertsOf(st) // outside the lock: the lifecycle has locks of its own
	st.mu.Lock()
	defer st.mu.Unlock()
	if fr, ok := st.frozen[date]; ok { // frozen meanwhile
		fr.Measures = maps.Clone(fr.Measures)
		return fr, true
	}
	return st.evaluate(date, earlier(now, dayStart(date.AddDays(1))), al), true
}

// Day returns the report of date at Store.Now.
func (s *Store) Day(date devices.Date) Report { return s.DayAt(date, s.Now()) }

// DayAt returns the report of date evaluated at now: every school with a
// record that day (by region, then id), each region's rollup (by code)
// and the city's.
func (s *Store) DayAt(date devices.Date, now time.Time) Report {
	s.mu.RLock()
	sts := make([]*schoolState, 0, len(s.schools))
	for _, st := range s.schools {
		sts = append(sts, st)
	}
	s.mu.RUnlock()
	rep := Report{Date: date}
	for _, st := range sts {
		if sd, ok := s.schoolDay(st, date, now); ok {
			rep.Schools = append(rep.Schools, sd)
		}
	}
	slices.SortFunc(rep.Schools, func(a, b SchoolDay) int {
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return strings.Compare(a.School, b.School)
	})
	for i := 0; i < len(rep.Schools); {
		j := i
		for j < len(rep.Schools) && rep.Schools[j].Region == rep.Schools[i].Region {
			j++
		}
		code := rep.Schools[i].Region
		rep.Regions = append(rep.Regions, rollup(code, s.regionName(code), rep.Schools[i:j]))
		i = j
	}
	city := cityOf(rep.Schools)
	rep.City = rollup(city, cityName(city), rep.Schools)
	return rep
}

func (s *Store) regionName(code string) string {
	s.mu.RLock()
	reg := s.reg
	s.mu.RUnlock()
	if reg == nil {
		return ""
	}
	if r, ok := reg.Region(code); ok {
		return r.Name
	}
	return ""
}

// rollup aggregates schools: per measure the share at 100% among those
// where it applies; the share of all that are four-100% compliant.
func rollup(code, name string, schools []SchoolDay) RegionRollup {
	r := RegionRollup{Region: code, Name: name, Schools: len(schools), Rates: map[Measure]float64{}}
	for _, m := range Measures {
		applicable, ok := 0, 0
		for i := range schools {
			if res := schools[i].Measures[m]; res.Applicable {
				applicable++
				if res.OK {
					ok++
				}
			}
		}
		if applicable > 0 {
			r.Rates[m] = float64(ok) / float64(applicable)
		}
	}
	four := 0
	for i := range schools {
		if schools[i].FourHundred {
			four++
		}
	}
	if len(schools) > 0 {
		r.FourHundredRate = float64(four) / float64(len(schools))
	}
	return r
}

// cityOf returns the prefecture code of the schools' regions (the first
// four digits and "00"), or "" when they span more than one city.
func cityOf(schools []SchoolDay) string {
	city := ""
	for i := range schools {
		reg := schools[i].Region
		if len(reg) != 6 {
			return ""
		}
		c := reg[:4] + "00"
		if city != "" && c != city {
			return ""
		}
		city = c
	}
	return city
}

func cityName(code string) string {
	if code == devices.CityChengde {
		return "承德市"
	}
	return ""
}
