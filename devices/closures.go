package devices

import (
	"slices"
	"sort"
)

// Closure closes schools for a range of dates (停课: snowstorm, epidemic,
// exam venue): on those days they have no school day, so no rule that
// follows the calendar expects anyone at the gate or the post. It names
// regions (every school of the county) and/or single schools.
type Closure struct {
	From    Date     `yaml:"from"`
	To      Date     `yaml:"to"` // inclusive
	Reason  string   `yaml:"reason"`
	Regions []string `yaml:"regions,omitempty"`
	Schools []string `yaml:"schools,omitempty"`
}

// Timetable replaces schools' daily windows from a date (冬季作息 /
// 夏季作息): each list it gives (gate, peaks, meals) replaces the school's
// own; a list it leaves out keeps the school's. It applies from From until
// To when set, else until a later timetable for the same school begins.
type Timetable struct {
	Name    string   `yaml:"name"` // e.g. 冬季作息
	From    Date     `yaml:"from"`
	To      Date     `yaml:"to,omitempty"` // inclusive; zero: until the next timetable
	Regions []string `yaml:"regions,omitempty"`
	Schools []string `yaml:"schools,omitempty"`
	Windows Windows  `yaml:"windows"`
}

// ClosureOn returns the closure that closes the school on d, if any.
func (s *School) ClosureOn(d Date) (*Closure, bool) {
	for _, c := range s.closures {
		if !d.Before(c.From) && !c.To.Before(d) {
			return c, true
		}
	}
	return nil, false
}

// TimetableOn returns the timetable in force for the school on d: of those
// naming it or its region with From <= d (and d <= To when To is set), the
// one with the latest From; on the same From, one naming the school beats
// one naming its region.
func (s *School) TimetableOn(d Date) (*Timetable, bool) {
	for i := len(s.timetables) - 1; i >= 0; i-- {
		t := s.timetables[i]
		if !d.Before(t.From) && (t.To.IsZero() || !t.To.Before(d)) {
			return t, true
		}
	}
	return nil, false
}

// WindowsOn returns the school's daily windows on d: its own windows with
// the lists of the timetable in force (TimetableOn) put in their place.
// Rules ask this rather than reading School.Windows, so a seasonal
// timetable reaches every rule at once. Lists the result leaves empty are
// filled by the rules' defaults as before (DefaultWindows).
func (s *School) WindowsOn(d Date) Windows {
	w := s.Windows
	t, ok := s.TimetableOn(d)
	if !ok {
		return w
	}
	if len(t.Windows.Gate) > 0 {
		w.Gate = t.Windows.Gate
	}
	if len(t.Windows.Peaks) > 0 {
		w.Peaks = t.Windows.Peaks
	}
	if len(t.Windows.Meals) > 0 {
		w.Meals = t.Windows.Meals
	}
	return w
}

// names reports whether a closure or timetable naming regions and schools
// names s, and whether by its id.
func names(regions, schools []string, s *School) (yes, bySchool bool) {
	if slices.Contains(schools, s.ID) {
		return true, true
	}
	return slices.Contains(regions, s.Region), false
}

// indexClosures hands each school the closures and timetables that name it
// or its region (Index).
func (r *Registry) indexClosures() {
	for i := range r.Schools {
		s := &r.Schools[i]
		s.closures, s.timetables = nil, nil
		for j := range r.Closures {
			if ok, _ := names(r.Closures[j].Regions, r.Closures[j].Schools, s); ok {
				s.closures = append(s.closures, &r.Closures[j])
			}
		}
		var bySchool []bool
		for j := range r.Timetables {
			t := &r.Timetables[j]
			if ok, own := names(t.Regions, t.Schools, s); ok {
				s.timetables = append(s.timetables, t)
				bySchool = append(bySchool, own)
			}
		}
		// Sort by From, a school's own after its region's on the same
		// From, so that TimetableOn can take the last one in force.
		idx := make([]int, len(s.timetables))
		for k := range idx {
			idx[k] = k
		}
		sort.SliceStable(idx, func(a, b int) bool {
			ta, tb := s.timetables[idx[a]], s.timetables[idx[b]]
			if c := ta.From.Compare(tb.From); c != 0 {
				return c < 0
			}
			return !bySchool[idx[a]] && bySchool[idx[b]]
		})
		sorted := make([]*Timetable, len(idx))
		for k, j := range idx {
			sorted[k] = s.timetables[j]
		}
		s.timetables = sorted
	}
}

// checkClosures checks the closures and timetables: dates in order, a
// reason or name, at least one region or school, every one known, and the
// timetable windows like a school's.
func (c *checker) checkClosures(r *Registry, regions, schools unique) {
	targets := func(p string, rs, ss []string) {
		if len(rs) == 0 && len(ss) == 0 {
			c.add(p, "names no regions and no schools")
		}
		for i, g := range rs {
			if _, ok := regions[g]; !ok {
				c.add(indexPath(p+".regions", i), "unknown region %q (not in regions)", g)
			}
		}
		for i, id := range ss {
			if _, ok := schools[id]; !ok {
				c.add(indexPath(p+".schools", i), "unknown school %q (not in schools)", id)
			}
		}
	}
	for i, cl := range r.Closures {
		p := indexPath("closures", i)
		switch {
		case cl.From.IsZero():
			c.add(p+".from", "missing first day")
		case cl.To.IsZero():
			c.add(p+".to", "missing last day")
		case cl.To.Before(cl.From):
			c.add(p, "closure ends %s before it starts %s", cl.To, cl.From)
		}
		if cl.Reason == "" {
			c.add(p+".reason", "missing reason (停课原因)")
		}
		targets(p, cl.Regions, cl.Schools)
	}
	for i, t := range r.Timetables {
		p := indexPath("timetables", i)
		if t.Name == "" {
			c.add(p+".name", "missing timetable name")
		}
		switch {
		case t.From.IsZero():
			c.add(p+".from", "missing first day")
		case !t.To.IsZero() && t.To.Before(t.From):
			c.add(p, "timetable ends %s before it starts %s", t.To, t.From)
		}
		if len(t.Windows.Gate)+len(t.Windows.Peaks)+len(t.Windows.Meals) == 0 {
			c.add(p+".windows", "no windows: a timetable gives gate, peaks or meals")
		}
		c.windows(p+".windows.gate", t.Windows.Gate)
		c.windows(p+".windows.peaks", t.Windows.Peaks)
		c.windows(p+".windows.meals", t.Windows.Meals)
		targets(p, t.Regions, t.Schools)
	}
}
