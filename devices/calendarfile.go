package devices

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ParseHolidayFile parses and checks one year of the national public-holiday
// table (devices/calendars/holidays/cn-YYYY.yaml, or an operator's file
// named by a registry's holiday_files). Decoding is strict like Parse's;
// errors name the file, line and field path.
//
// The checks: a year between 2000 and 2100; every festival named, its days
// off in order, at most 15 of them, within a month of the year; make-up
// workdays on weekends, near the year, never also a day off; no date off
// or worked twice.
func ParseHolidayFile(name string, data []byte) (*HolidayYear, error) {
	y := &HolidayYear{}
	if err := decodeStrict(name, data, "holiday file", "want a mapping with year, notice and festivals", y, y.check); err != nil {
		return nil, err
	}
	return y, nil
}

// ParseCalendarFile parses and checks one school calendar (terms, and
// whether the national holidays apply) written on its own, like the shipped
// devices/calendars/terms/*.yaml: the same fields as an item of a registry's
// calendars.
func ParseCalendarFile(name string, data []byte) (*Calendar, error) {
	c := &Calendar{}
	check := func() []issue {
		ch := &checker{}
		ch.id("id", "calendar id", c.ID)
		ch.calendar("", c)
		return ch.issues
	}
	if err := decodeStrict(name, data, "calendar file", "want a mapping with id, national and terms", c, check); err != nil {
		return nil, err
	}
	return c, nil
}

// near reports whether d lies within a month of year y (a festival may
// begin in late December of the year before, like 元旦 did in 2024).
func near(d Date, y int) bool {
	return !d.Before(Date{y - 1, time.December, 1}) && !(Date{y + 1, time.January, 31}).Before(d)
}

func (y *HolidayYear) check() []issue {
	c := &checker{}
	if y.Year < 2000 || y.Year > 2100 {
		c.add("year", "bad year %d (want the year of the notice, 2000-2100)", y.Year)
		return c.issues
	}
	if y.Notice == "" {
		c.add("notice", "missing notice (the title and date of the State Council notice)")
	}
	if len(y.Festivals) == 0 {
		c.add("festivals", "no festivals")
	}
	days := unique{}
	for i, f := range y.Festivals {
		p := indexPath("festivals", i)
		if f.Name == "" {
			c.add(p+".name", "missing festival name")
		}
		switch o := f.Off; {
		case o.From.IsZero():
			c.add(p+".off.from", "missing first day off")
		case o.To.IsZero():
			c.add(p+".off.to", "missing last day off")
		case o.To.Before(o.From):
			c.add(p+".off", "days off end %s before they start %s", o.To, o.From)
		case !near(o.From, y.Year) || !near(o.To, y.Year):
			c.add(p+".off", "days off %s..%s are not in or next to %d", o.From, o.To, y.Year)
		case o.From.AddDays(14).Before(o.To):
			c.add(p+".off", "%s..%s is more than 15 days off", o.From, o.To)
		default:
			for d := o.From; !o.To.Before(d); d = d.AddDays(1) {
				c.unique(days, p+".off", "date", d.String())
			}
		}
		for j, d := range f.Workdays {
			wp := indexPath(p+".workdays", j)
			switch wd := d.Weekday(); {
			case d.IsZero():
				c.add(wp, "missing date")
				continue
			case !near(d, y.Year):
				c.add(wp, "workday %s is not in or next to %d", d, y.Year)
			case wd != time.Saturday && wd != time.Sunday:
				c.add(wp, "workday %s is a %s: make-up workdays are weekend days", d, wd)
			}
			c.unique(days, wp, "date", d.String())
		}
	}
	return c.issues
}

// loadHolidayFiles reads the registry's holiday_files (relative to the
// registry file's directory) and sets the registry's holiday table: the
// shipped years with the files' years added or replacing them.
func (r *Registry) loadHolidayFiles(registryPath string) error {
	if len(r.HolidayFiles) == 0 {
		return nil
	}
	years := ShippedHolidayYears()
	var errs []*FieldError
	seen := map[int]string{}
	for i, f := range r.HolidayFiles {
		p := f
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(registryPath), p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, located([]issue{{path: indexPath("holiday_files", i), msg: fmt.Sprintf("read holiday file: %v", err)}}, r.locator())...)
			continue
		}
		y, err := ParseHolidayFile(p, data)
		if err != nil {
			return err
		}
		if first, dup := seen[y.Year]; dup {
			errs = append(errs, located([]issue{{path: indexPath("holiday_files", i), msg: fmt.Sprintf("%s holds %d again (first in %s)", f, y.Year, first)}}, r.locator())...)
			continue
		}
		seen[y.Year] = f
		years = append(years, *y)
	}
	if err := joinErrors(errs); err != nil {
		return err
	}
	r.holidays = NewHolidayTable(years...)
	return nil
}

// locator returns the locator of the registry's source.
func (r *Registry) locator() locator {
	if r.src == nil {
		return pathOnly{}
	}
	data := r.src.data
	if data == nil && r.src.path == "" {
		return pathOnly{file: r.src.name} // compiled: no lines to name
	}
	if data == nil {
		var err error
		if data, err = os.ReadFile(r.src.path); err != nil {
			return pathOnly{file: r.src.name}
		}
	}
	if root, err := parseNode(r.src.name, data, "registry", registryWant); err == nil {
		return nodeLocator{file: r.src.name, root: root}
	}
	return pathOnly{file: r.src.name}
}
