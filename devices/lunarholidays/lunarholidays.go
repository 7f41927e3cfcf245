// Package lunarholidays reads the national public-holiday table of
// github.com/6tail/lunar-go (HolidayUtil, which transcribes the State
// Council's yearly notices) into devices.HolidayYear. It is the source for
// writing next year's devices/calendars/holidays/cn-YYYY.yaml (campusguard
// registry holidays) and a cross-check of the shipped files; the running
// service never reads it: the files are the runtime data.
package lunarholidays

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/6tail/lunar-go/HolidayUtil"

	"github.com/campusguard/campusguard/devices"
)

// names maps lunar-go's festival names to the notice's.
var names = map[string]string{"元旦节": "元旦"}

// Year returns lunar-go's holidays of year as a HolidayYear, festivals in
// the order of their first day off; false when lunar-go has none for it.
// Each festival's days off must form one unbroken run (they always have).
func Year(year int) (devices.HolidayYear, bool, error) {
	type fest struct {
		name     string
		off      []devices.Date
		workdays []devices.Date
	}
	by := map[string]*fest{} // by target day (the festival's own date) and name
	l := HolidayUtil.GetHolidaysByYear(year)
	for e := l.Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		name := strings.TrimSuffix(h.GetName(), "调休")
		if n, ok := names[name]; ok {
			name = n
		}
		d, err := devices.ParseDate(h.GetDay())
		if err != nil {
			return devices.HolidayYear{}, false, fmt.Errorf("lunarholidays: %v", err)
		}
		key := h.GetTarget() + name
		f := by[key]
		if f == nil {
			f = &fest{name: name}
			by[key] = f
		}
		if h.IsWork() {
			f.workdays = append(f.workdays, d)
		} else {
			f.off = append(f.off, d)
		}
	}
	if len(by) == 0 {
		return devices.HolidayYear{}, false, nil
	}
	out := devices.HolidayYear{Year: year,
		Notice: fmt.Sprintf("国务院办公厅关于%d年部分节假日安排的通知（transcribed by github.com/6tail/lunar-go; check against the notice）", year)}
	for _, f := range by {
		if len(f.off) == 0 {
			return devices.HolidayYear{}, false, fmt.Errorf("lunarholidays: %d %s has make-up workdays but no day off", year, f.name)
		}
		sortDates(f.off)
		sortDates(f.workdays)
		for i := 1; i < len(f.off); i++ {
			if f.off[i] != f.off[i-1].AddDays(1) {
				return devices.HolidayYear{}, false, fmt.Errorf("lunarholidays: %d %s: days off %s and %s are not consecutive", year, f.name, f.off[i-1], f.off[i])
			}
		}
		out.Festivals = append(out.Festivals, devices.Festival{Name: f.name,
			Off: devices.Span{From: f.off[0], To: f.off[len(f.off)-1]}, Workdays: f.workdays})
	}
	sort.Slice(out.Festivals, func(i, j int) bool { return out.Festivals[i].Off.From.Before(out.Festivals[j].Off.From) })
	return out, true, nil
}

func sortDates(ds []devices.Date) { sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) }) }

// Marshal writes y as a holiday file with a header saying where it came
// from and that it must be checked against the notice before it is used.
func Marshal(y devices.HolidayYear) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# 国务院办公厅关于%d年部分节假日安排的通知 — public holidays and make-up\n", y.Year)
	fmt.Fprintf(&b, "# workdays (调休) of %d, written by `campusguard registry holidays` from\n", y.Year)
	b.WriteString("# github.com/6tail/lunar-go. CHECK EVERY LINE against the notice on\n")
	b.WriteString("# www.gov.cn before use, then replace the notice line with its title and date.\n")
	if err := y.WriteYAML(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
