package devices

import (
	"fmt"
	"regexp"
	"sort"
)

// idPattern is the shape of every id of the registry (schools, devices,
// posts, kitchens, guards, calendars): it appears in MQTT topics.
var idPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// validID reports whether id matches idPattern, without the regexp (it
// runs for every device and guard of a registry).
func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

var regionCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

// Validate checks the registry's meaning: ids well formed and unique,
// references resolving, windows ordered, calendars consistent, and so on
// (see the package tests for the full list). It returns every problem (up to
// MaxErrors) joined; each is a *FieldError naming the field path, and the file
// and line when the registry came from Parse or Load. Parse and Load have
// already called it.
func (r *Registry) Validate() error {
	issues := r.check()
	if len(issues) == 0 {
		return nil
	}
	return joinErrors(located(issues, r.locator()))
}

// checker collects issues.
type checker struct{ issues []issue }

func (c *checker) add(path, format string, args ...any) {
	c.issues = append(c.issues, issue{path: path, msg: fmt.Sprintf(format, args...)})
}

// addRef adds an issue that refers to a second field, shown as
// "(<label> line N)".
func (c *checker) addRef(path, label, ref, format string, args ...any) {
	c.issues = append(c.issues, issue{path: path, ref: ref, refLabel: label, msg: fmt.Sprintf(format, args...)})
}

// id checks an id's shape; what names the id in messages ("device id").
func (c *checker) id(path, what, id string) bool {
	switch {
	case id == "":
		c.add(path, "missing %s", what)
	case !validID(id):
		c.add(path, "bad %s %q (want 1-64 of a-z, 0-9 and -)", what, id)
	default:
		return true
	}
	return false
}

// unique remembers the path of each id it has seen and reports repeats.
type unique map[string]string

func (c *checker) unique(seen unique, path, what, id string) {
	if first, dup := seen[id]; dup {
		c.addRef(path, "first at", first, "duplicate %s %q", what, id)
		return
	}
	seen[id] = path
}

// check runs every semantic check and returns the issues in registry order.
func (r *Registry) check() []issue {
	c := &checker{}
	regions := unique{}
	for i, g := range r.Regions {
		p := indexPath("regions", i)
		if !regionCodePattern.MatchString(g.Code) {
			c.add(p+".code", "bad region code %q (want 6 digits, e.g. 130802)", g.Code)
		} else {
			c.unique(regions, p+".code", "region code", g.Code)
		}
		if g.Name == "" {
			c.add(p+".name", "missing region name")
		}
	}
	calendars := unique{}
	for i := range r.Calendars {
		p := indexPath("calendars", i)
		if c.id(p+".id", "calendar id", r.Calendars[i].ID) {
			c.unique(calendars, p+".id", "calendar id", r.Calendars[i].ID)
		}
		c.calendar(p, &r.Calendars[i])
	}
	if len(r.Schools) == 0 {
		c.add("schools", "no schools: an empty registry is a mistake")
	}
	schools := unique{}
	// Device ids are checked against one map of their indexes rather than
	// of paths: a million paths would be built only to be dropped.
	devices := make(map[string][2]int32, len(r.Schools)*6)
	for i := range r.Schools {
		s := &r.Schools[i]
		p := indexPath("schools", i)
		if c.id(p+".id", "school id", s.ID) {
			c.unique(schools, p+".id", "school id", s.ID)
		}
		c.school(p, s, regions, calendars)
		devicesPath := p + ".devices"
		for j := range s.Devices {
			dp := indexPath(devicesPath, j)
			if id := s.Devices[j].ID; validID(id) || c.id(dp+".id", "device id", id) {
				if first, dup := devices[id]; dup {
					c.addRef(dp+".id", "first at", indexPath(indexPath("schools", int(first[0]))+".devices", int(first[1]))+".id", "duplicate %s %q", "device id", id)
				} else {
					devices[id] = [2]int32{int32(i), int32(j)}
				}
			}
			c.device(dp, s, &s.Devices[j])
		}
	}
	for i, f := range r.HolidayFiles {
		if f == "" {
			c.add(indexPath("holiday_files", i), "empty path")
		}
	}
	c.checkClosures(r, regions, schools)
	return c.issues
}

func (c *checker) school(p string, s *School, regions, calendars unique) {
	if s.Name == "" {
		c.add(p+".name", "missing school name")
	}
	switch _, ok := regions[s.Region]; {
	case s.Region == "":
		c.add(p+".region", "missing region")
	case !ok:
		c.add(p+".region", "unknown region %q (not in regions)", s.Region)
	}
	if s.Type == "" {
		c.add(p+".type", "missing school type")
	} else if !validSchoolType(s.Type) {
		c.add(p+".type", "unknown school type %q (want kindergarten, primary, secondary, teaching_point or special)", s.Type)
	}
	switch {
	case s.Pupils < 0:
		c.add(p+".pupils", "pupils %d must not be negative", s.Pupils)
	case s.Boarders < 0:
		c.add(p+".boarders", "boarders %d must not be negative", s.Boarders)
	case s.Boarders > s.Pupils:
		c.add(p+".boarders", "boarders %d exceed pupils %d", s.Boarders, s.Pupils)
	}
	c.contact(p+".contact", s.Contact)
	switch _, ok := calendars[s.Calendar]; {
	case s.Calendar == "":
		c.add(p+".calendar", "missing calendar")
	case !ok:
		c.add(p+".calendar", "unknown calendar %q (not in calendars)", s.Calendar)
	}
	c.windows(p+".windows.gate", s.Windows.Gate)
	c.windows(p+".windows.peaks", s.Windows.Peaks)
	c.windows(p+".windows.meals", s.Windows.Meals)
	posts := unique{}
	for i, post := range s.Posts {
		pp := indexPath(p+".posts", i)
		if c.id(pp+".id", "post id", post.ID) {
			c.unique(posts, pp+".id", "post id", post.ID)
		}
		if post.MinStaff < 0 {
			c.add(pp+".min_staff", "min_staff %d must not be negative", post.MinStaff)
		}
	}
	kitchens := unique{}
	for i, k := range s.Kitchens {
		kp := indexPath(p+".kitchens", i)
		if c.id(kp+".id", "kitchen id", k.ID) {
			c.unique(kitchens, kp+".id", "kitchen id", k.ID)
		}
	}
	guards := unique{}
	for i, g := range s.Guards {
		gp := indexPath(p+".guards", i)
		if c.id(gp+".id", "guard id", g.ID) {
			c.unique(guards, gp+".id", "guard id", g.ID)
		}
	}
	if len(s.Devices) == 0 {
		c.add(p+".devices", "school %q has no devices", s.ID)
	}
	c.alarmTests(p+".alarm_tests", s)
}

func validSchoolType(t SchoolType) bool {
	for _, v := range SchoolTypes {
		if v == t {
			return true
		}
	}
	return false
}

// windows checks one list of windows: each in order, none overlapping.
func (c *checker) windows(p string, ws []Window) {
	order := make([]int, 0, len(ws))
	for i, w := range ws {
		if w.Start >= w.End {
			c.add(indexPath(p, i), "window %s starts at %s, not before its end %s", windowName(w, i), w.Start, w.End)
			continue
		}
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool { return ws[order[a]].Start < ws[order[b]].Start })
	for k := 1; k < len(order); k++ {
		prev, cur := order[k-1], order[k]
		if ws[cur].Start < ws[prev].End {
			later, earlier := max(prev, cur), min(prev, cur)
			c.addRef(indexPath(p, later), "see", indexPath(p, earlier), "window %s %s-%s overlaps %s %s-%s",
				windowName(ws[later], later), ws[later].Start, ws[later].End,
				windowName(ws[earlier], earlier), ws[earlier].Start, ws[earlier].End)
		}
	}
}

func windowName(w Window, i int) string {
	if w.Name != "" {
		return fmt.Sprintf("%q", w.Name)
	}
	return fmt.Sprintf("#%d", i)
}

func (c *checker) device(p string, s *School, d *Device) {
	if _, err := ParseKind(string(d.Kind)); err != nil {
		if d.Kind == "" {
			c.add(p+".kind", "missing device kind")
		} else {
			c.add(p+".kind", "%v", err)
		}
	}
	if d.Post != "" {
		switch {
		case d.Kind != KindGuard && d.Kind != KindAlarm:
			c.add(p+".post", "post is only for guard terminals and alarm terminals, not %s", d.Kind)
		case !s.HasPost(d.Post):
			c.add(p+".post", "unknown post %q (not in the school's posts)", d.Post)
		}
	}
	if d.Gate != "" && d.Kind != KindAccess {
		c.add(p+".gate", "gate is only for access controllers, not %s", d.Kind)
	}
	switch {
	case d.Kitchen != "" && d.Kind != KindKitchenCam:
		c.add(p+".kitchen", "kitchen is only for kitchen cameras, not %s", d.Kind)
	case d.Kitchen != "" && !s.hasKitchen(d.Kitchen):
		c.add(p+".kitchen", "unknown kitchen %q (not in the school's kitchens)", d.Kitchen)
	case d.Kind == KindKitchenCam && len(s.Kitchens) == 0:
		c.add(p+".kind", "kitchen camera in a school without kitchens (add one under kitchens)")
	case d.Kind == KindKitchenCam && d.Kitchen == "" && len(s.Kitchens) > 1:
		c.add(p+".kitchen", "missing kitchen: the school has %d kitchens, name the one the camera watches", len(s.Kitchens))
	}
}

func (s *School) hasKitchen(id string) bool {
	for i := range s.Kitchens {
		if s.Kitchens[i].ID == id {
			return true
		}
	}
	return false
}

func (c *checker) calendar(p string, cal *Calendar) {
	if len(cal.Terms) == 0 {
		c.add(keyPath(p, "terms"), "calendar %q has no terms", cal.ID)
	}
	order := make([]int, 0, len(cal.Terms))
	for i, t := range cal.Terms {
		tp := indexPath(keyPath(p, "terms"), i)
		switch {
		case t.Start.IsZero():
			c.add(tp+".start", "missing start date")
		case t.End.IsZero():
			c.add(tp+".end", "missing end date")
		case t.End.Before(t.Start):
			c.add(tp, "term ends %s before it starts %s", t.End, t.Start)
		default:
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return cal.Terms[order[a]].Start.Before(cal.Terms[order[b]].Start) })
	for k := 1; k < len(order); k++ {
		prev, cur := cal.Terms[order[k-1]], cal.Terms[order[k]]
		if !prev.End.Before(cur.Start) {
			later, earlier := max(order[k-1], order[k]), min(order[k-1], order[k])
			c.addRef(indexPath(keyPath(p, "terms"), later), "see", indexPath(keyPath(p, "terms"), earlier),
				"term %s..%s overlaps term %s..%s", cal.Terms[later].Start, cal.Terms[later].End,
				cal.Terms[earlier].Start, cal.Terms[earlier].End)
		}
	}
	holidays := unique{}
	for i, d := range cal.Holidays {
		if d.IsZero() {
			c.add(indexPath(keyPath(p, "holidays"), i), "missing date")
			continue
		}
		c.unique(holidays, indexPath(keyPath(p, "holidays"), i), "holiday", d.String())
	}
	workdays := unique{}
	for i, d := range cal.Workdays {
		wp := indexPath(keyPath(p, "workdays"), i)
		if d.IsZero() {
			c.add(wp, "missing date")
			continue
		}
		c.unique(workdays, wp, "workday", d.String())
		if first, ok := holidays[d.String()]; ok {
			c.addRef(wp, "see", first, "%s is both a holiday and a workday", d)
		}
		if wd := d.Weekday(); wd != 0 && wd != 6 {
			c.add(wp, "workday %s is a %s: make-up workdays are weekend days", d, wd)
		}
	}
}
