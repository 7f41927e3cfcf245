package devices

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"sync"
	"time"
)

// HolidayYear is one year of the State Council's notice on public holidays
// (国务院办公厅关于部分节假日安排的通知, published each November for the
// next year): the days off and the make-up workdays (调休) of each festival.
// It is written one year per file (devices/calendars/holidays/cn-YYYY.yaml,
// ParseHolidayFile).
type HolidayYear struct {
	Year      int        `yaml:"year"`
	Notice    string     `yaml:"notice"` // the notice's title and date, for the reader
	Festivals []Festival `yaml:"festivals"`
}

// Festival is one festival of a HolidayYear: a run of days off and the
// weekend days worked to make up for it.
type Festival struct {
	Name     string `yaml:"name"`               // 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
	Off      Span   `yaml:"off"`                // the days off, inclusive
	Workdays []Date `yaml:"workdays,omitempty"` // make-up workdays (weekend days)
}

// Span is an inclusive range of dates.
type Span struct {
	From Date `yaml:"from"`
	To   Date `yaml:"to"`
}

// Contains reports whether d lies in the span (both ends included).
func (s Span) Contains(d Date) bool { return !d.Before(s.From) && !s.To.Before(d) }

// HolidayTable is the national public-holiday table of several years: which
// dates are days off and which weekend dates are worked. Build one with
// NewHolidayTable; NationalHolidays is the table shipped in the binary.
type HolidayTable struct {
	years []*HolidayYear // by year
	off   map[Date]string
	work  map[Date]string
}

// NewHolidayTable builds a table from years. A later entry for a year
// replaces an earlier one (an operator's file over the shipped one). The
// years are assumed valid (ParseHolidayFile checks them).
func NewHolidayTable(years ...HolidayYear) *HolidayTable {
	by := map[int]*HolidayYear{}
	for i := range years {
		y := years[i]
		by[y.Year] = &y
	}
	t := &HolidayTable{off: map[Date]string{}, work: map[Date]string{}}
	for _, y := range by {
		t.years = append(t.years, y)
	}
	sort.Slice(t.years, func(i, j int) bool { return t.years[i].Year < t.years[j].Year })
	for _, y := range t.years {
		for _, f := range y.Festivals {
			for d := f.Off.From; !f.Off.To.Before(d); d = d.AddDays(1) {
				t.off[d] = f.Name
			}
			for _, d := range f.Workdays {
				t.work[d] = f.Name
			}
		}
	}
	return t
}

// Years returns the years the table covers, in order.
func (t *HolidayTable) Years() []int {
	out := make([]int, len(t.years))
	for i, y := range t.years {
		out[i] = y.Year
	}
	return out
}

// Has reports whether the table holds the notice of year.
func (t *HolidayTable) Has(year int) bool {
	i := sort.Search(len(t.years), func(i int) bool { return t.years[i].Year >= year })
	return i < len(t.years) && t.years[i].Year == year
}

// Off returns the festival whose day off d is, if it is one.
func (t *HolidayTable) Off(d Date) (festival string, ok bool) {
	festival, ok = t.off[d]
	return festival, ok
}

// Workday returns the festival d is a make-up workday for, if it is one.
func (t *HolidayTable) Workday(d Date) (festival string, ok bool) {
	festival, ok = t.work[d]
	return festival, ok
}

// CoveredUntil returns the last day of the unbroken run of years the table
// holds from year from on: Dec 31 of the last such year, or Dec 31 of
// from-1 when it lacks from itself.
func (t *HolidayTable) CoveredUntil(from int) Date {
	y := from
	for t.Has(y) {
		y++
	}
	return Date{Year: y - 1, Month: time.December, Day: 31}
}

// Shipped calendar data: the national public-holiday table (one file a
// year) and the terms of the default calendar.
//
//go:embed calendars/holidays/*.yaml calendars/terms/*.yaml
var shippedCalendars embed.FS

// ShippedHolidayYears returns the public-holiday years shipped in the
// binary (devices/calendars/holidays), in year order.
func ShippedHolidayYears() []HolidayYear { return slices.Clone(shipped().years) }

// NationalHolidays returns the table of the shipped public-holiday years.
// A registry's holiday_files add years to it or replace shipped ones
// (Load).
func NationalHolidays() *HolidayTable { return shipped().table }

type shippedData struct {
	years []HolidayYear
	table *HolidayTable
	terms map[string]Calendar
}

// shipped parses the embedded files once; a bad shipped file is a bug the
// package tests catch, so it panics.
var shipped = sync.OnceValue(func() *shippedData {
	d := &shippedData{terms: map[string]Calendar{}}
	files, _ := fs.Glob(shippedCalendars, "calendars/holidays/*.yaml")
	for _, name := range files {
		data, _ := shippedCalendars.ReadFile(name)
		y, err := ParseHolidayFile(path.Base(name), data)
		if err != nil {
			panic(fmt.Sprintf("devices: shipped holiday file: %v", err))
		}
		d.years = append(d.years, *y)
	}
	sort.Slice(d.years, func(i, j int) bool { return d.years[i].Year < d.years[j].Year })
	d.table = NewHolidayTable(d.years...)
	files, _ = fs.Glob(shippedCalendars, "calendars/terms/*.yaml")
	for _, name := range files {
		data, _ := shippedCalendars.ReadFile(name)
		c, err := ParseCalendarFile(path.Base(name), data)
		if err != nil {
			panic(fmt.Sprintf("devices: shipped calendar file: %v", err))
		}
		d.terms[c.ID] = *c
	}
	return d
})

// ShippedCalendar returns a copy of the calendar with id shipped in the
// binary (devices/calendars/terms).
func ShippedCalendar(id string) (Calendar, bool) {
	c, ok := shipped().terms[id]
	if !ok {
		return Calendar{}, false
	}
	c.Terms = append([]Term(nil), c.Terms...)
	c.Holidays = append([]Date(nil), c.Holidays...)
	c.Workdays = append([]Date(nil), c.Workdays...)
	return c, true
}

// ShippedCalendarIDs returns the ids of the shipped calendars, sorted.
func ShippedCalendarIDs() []string {
	var ids []string
	for id := range shipped().terms {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
