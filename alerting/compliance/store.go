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
	hist    map[devices.Date]map[string]verdict // frozen and restored days (HistoryDays)
}

// NewStore returns an empty store. reg names the regions (and the city)
// of the rollups; openAlerts may be nil (no alert is ever open).
func NewStore(reg *devices.Registry, openAlerts func(school string, rules ...alerting.RuleID) []alerting.Alert) *Store {
	return &Store{reg: reg, openAlerts: openAlerts, Now: time.Now, schools: map[string]*schoolState{},
		hist: map[devices.Date]map[string]verdict{}}
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
	// Open, cleared or not: a cleared NeedsClose alert is open until closed.
	return slices.DeleteFunc(s.openAlerts(school, rules...), func(a alerting.Alert) bool { return !a.Open() })
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
// today so far (at Store.Now) for today, the stored verdicts (without
// details) for a day before a restart. It is false for an unknown school,
// a future day, or a day without any record.
func (s *Store) School(id string, date devices.Date) (SchoolDay, bool) {
	return s.SchoolAt(id, date, s.Now())
}

// SchoolAt is School evaluated at now.
func (s *Store) SchoolAt(id string, date devices.Date, now time.Time) (SchoolDay, bool) {
	s.mu.RLock()
	st := s.schools[id]
	s.mu.RUnlock()
	if st != nil {
		if sd, ok := s.schoolDay(st, date, now); ok {
			return sd, true
		}
	}
	if !dayStart(date).Before(now) {
		return SchoolDay{}, false
	}
	if v, ok := s.historic(id, date); ok {
		return v.schoolDay(id, date), true
	}
	return SchoolDay{}, false
}

// schoolDay returns st's own record of date, merged with the history.
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
	if fr, ok := st.frozen[date]; ok { // frozen meanwhile
		st.mu.Unlock()
		fr.Measures = maps.Clone(fr.Measures)
		return fr, true
	}
	sd := st.evaluate(date, earlier(now, dayStart(date.AddDays(1))), al)
	st.mu.Unlock()
	s.mergeHistory(&sd)
	return sd, true
}

// noRecord is the day of a school in scope that has no record: every
// measure not judged (bright_kitchen not applicable without a kitchen).
func noRecord(sch *devices.School, d devices.Date) SchoolDay {
	sd := SchoolDay{School: sch.ID, Region: sch.Region, Date: d, Measures: make(map[Measure]Result, len(Measures)), NoRecord: true}
	for _, m := range Measures {
		sd.Measures[m] = notJudged("无记录", "no record")
	}
	if len(sch.Kitchens) == 0 {
		sd.Measures[BrightKitchen] = notApplicable("未登记食堂后厨", "no kitchen registered")
	}
	sd.fourHundred()
	return sd
}

// Day returns the report of date at Store.Now.
func (s *Store) Day(date devices.Date) Report { return s.DayAt(date, s.Now()) }

// DayAt returns the report of date evaluated at now: every school of the
// registry (by region, then id) — one without a record that day with every
// measure not judged —, each region's rollup (by code) and the city's.
// Rollups count every school in scope.
func (s *Store) DayAt(date devices.Date, now time.Time) Report {
	rep := Report{Date: date}
	for _, sch := range s.inScope() {
		sd, ok := s.SchoolAt(sch.ID, date, now)
		if !ok {
			sd = noRecord(sch, date)
		}
		rep.Schools = append(rep.Schools, sd)
	}
	rows := make([]rollupRow, len(rep.Schools))
	for i := range rep.Schools {
		sd := &rep.Schools[i]
		rows[i] = rollupRow{region: sd.Region, four: sd.FourHundredStatus}
		for j, m := range Measures {
			rows[i].status[j] = sd.Measures[m].Status
		}
	}
	rep.Regions, rep.City = s.rollups(rows)
	return rep
}

// inScope returns the registry's schools by region, then id.
func (s *Store) inScope() []*devices.School {
	s.mu.RLock()
	reg := s.reg
	s.mu.RUnlock()
	if reg == nil {
		return nil
	}
	out := make([]*devices.School, 0, len(reg.Schools))
	for i := range reg.Schools {
		out = append(out, &reg.Schools[i])
	}
	slices.SortFunc(out, func(a, b *devices.School) int {
		if c := strings.Compare(a.Region, b.Region); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// rollupRow is one school's verdicts for a rollup.
type rollupRow struct {
	region string
	four   Status
	status [5]Status // in Measures order
}

// rollups aggregates rows (sorted by region) per region and for the city
// (whose code is the regions' first four digits and "00").
func (s *Store) rollups(rows []rollupRow) ([]RegionRollup, RegionRollup) {
	var regions []RegionRollup
	cityCode := ""
	for i := range rows {
		c := ""
		if len(rows[i].region) == 6 {
			c = rows[i].region[:4] + "00"
		}
		if i > 0 && c != cityCode {
			cityCode = ""
			break
		}
		cityCode = c
	}
	city := RegionRollup{Region: cityCode, Name: cityName(cityCode)}
	for i := range rows {
		if len(regions) == 0 || regions[len(regions)-1].Region != rows[i].region {
			regions = append(regions, RegionRollup{Region: rows[i].region, Name: s.regionName(rows[i].region)})
		}
		regions[len(regions)-1].count(&rows[i])
		city.count(&rows[i])
	}
	for i := range regions {
		regions[i].rates()
	}
	city.rates()
	return regions, city
}

// count adds one school's verdicts.
func (r *RegionRollup) count(row *rollupRow) {
	if r.Counts == nil {
		r.Counts = make(map[Measure]Counts, len(Measures))
	}
	r.Schools++
	r.FourHundredCounts.add(row.four)
	for i, m := range Measures {
		c := r.Counts[m]
		c.add(row.status[i])
		r.Counts[m] = c
	}
}

// rates fills Rates and FourHundredRate from the counts.
func (r *RegionRollup) rates() {
	r.Rates = make(map[Measure]float64, len(Measures))
	if r.Counts == nil {
		r.Counts = map[Measure]Counts{}
	}
	for m, c := range r.Counts {
		if rate, ok := c.Rate(); ok {
			r.Rates[m] = rate
		}
	}
	r.FourHundredRate, _ = r.FourHundredCounts.Rate()
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

func cityName(code string) string {
	if code == devices.CityChengde {
		return "承德市"
	}
	return ""
}

// Rollup aggregates schools (any order) as one region code, name: the
// counts of each verdict per measure and the rates (the API's rollups of
// what a viewer sees).
func Rollup(code, name string, schools []SchoolDay) RegionRollup {
	r := RegionRollup{Region: code, Name: name}
	for i := range schools {
		sd := &schools[i]
		row := rollupRow{region: sd.Region, four: sd.FourHundredStatus}
		if row.four == "" { // a SchoolDay built without verdicts (older callers)
			row.four = map[bool]Status{true: Met, false: NotMet}[sd.FourHundred]
		}
		for j, m := range Measures {
			row.status[j] = sd.Measures[m].Verdict()
		}
		r.count(&row)
	}
	r.rates()
	return r
}

// Verdict returns r.Status, or for a Result built without one (older
// callers) the verdict its Applicable and OK say.
func (r Result) Verdict() Status {
	switch {
	case r.Status != "":
		return r.Status
	case !r.Applicable:
		return NotApplicable
	case r.OK:
		return Met
	}
	return NotMet
}
