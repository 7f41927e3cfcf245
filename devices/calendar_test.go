package devices

import (
	"testing"
	"time"
)

// notice2026 is the State Council's notice of 2025-11-04 on the public
// holidays of 2026, typed from its text (not from the data file it checks):
// the days off of each festival and its make-up workdays.
var notice2026 = []struct {
	name     string
	from, to string
	workdays []string
}{
	{"元旦", "2026-01-01", "2026-01-03", []string{"2026-01-04"}},
	{"春节", "2026-02-15", "2026-02-23", []string{"2026-02-14", "2026-02-28"}},
	{"清明节", "2026-04-04", "2026-04-06", nil},
	{"劳动节", "2026-05-01", "2026-05-05", []string{"2026-05-09"}},
	{"端午节", "2026-06-19", "2026-06-21", nil},
	{"中秋节", "2026-09-25", "2026-09-27", nil},
	{"国庆节", "2026-10-01", "2026-10-07", []string{"2026-09-20", "2026-10-10"}},
}

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNational2026AgainstNotice checks every day of 2026, inside a term that
// spans the year, against the notice: each day off of each festival is no
// school day, each make-up workday is one, and every other day is a school
// day exactly when it is Monday to Friday (the ordinary weekdays and
// weekends around the holidays).
func TestNational2026AgainstNotice(t *testing.T) {
	cal := Calendar{ID: "y2026", National: true, Terms: []Term{{Start: mustDate(t, "2026-01-01"), End: mustDate(t, "2026-12-31")}}}
	off, work := map[Date]string{}, map[Date]string{}
	for _, f := range notice2026 {
		for d := mustDate(t, f.from); !mustDate(t, f.to).Before(d); d = d.AddDays(1) {
			off[d] = f.name
		}
		for _, w := range f.workdays {
			work[mustDate(t, w)] = f.name
		}
	}
	var school, offDays, workDays, ordinary int
	for d := mustDate(t, "2026-01-01"); d.Year == 2026; d = d.AddDays(1) {
		wd := d.Weekday()
		weekday := wd != time.Saturday && wd != time.Sunday
		want, why := weekday, "ordinary "+wd.String()
		if name, ok := off[d]; ok {
			want, why = false, name+" day off"
			offDays++
		} else if name, ok := work[d]; ok {
			want, why = true, name+" make-up workday ("+wd.String()+")"
			workDays++
		} else {
			ordinary++
		}
		if got := cal.IsSchoolDate(d); got != want {
			t.Errorf("%s (%s): school day = %v, want %v", d, why, got, want)
		}
		if got := cal.IsSchoolDay(d.In(Location()).Add(7 * time.Hour)); got != want {
			t.Errorf("%s 07:00 (%s): IsSchoolDay = %v, want %v", d, why, got, want)
		}
		if want {
			school++
		}
	}
	// By hand from the notice: 261 weekdays in 2026; 19 of them off
	// (元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1, 中秋 1, 国庆 5); 6 weekend
	// days worked: 261 - 19 + 6 = 248 school days. 33 days off, 6 workdays.
	if school != 248 || offDays != 33 || workDays != 6 || ordinary != 365-33-6 {
		t.Errorf("school days %d, days off %d, workdays %d, ordinary %d; want 248, 33, 6, 326", school, offDays, workDays, ordinary)
	}
	// And the table says which festival each day belongs to.
	tab := NationalHolidays()
	for d, name := range off {
		if got, ok := tab.Off(d); !ok || got != name {
			t.Errorf("table: %s off = %q %v, want %q", d, got, ok, name)
		}
	}
	for d, name := range work {
		if got, ok := tab.Workday(d); !ok || got != name {
			t.Errorf("table: %s workday = %q %v, want %q", d, got, ok, name)
		}
	}
}

func TestIsSchoolDay(t *testing.T) {
	cal := DefaultCalendar()
	day := func(s string, hour int) time.Time {
		return mustDate(t, s).In(Location()).Add(time.Duration(hour) * time.Hour)
	}
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"first day of spring term (Mon)", day("2026-03-02", 8), true},
		{"before the spring term: 春节 make-up Saturday 02-28 is outside a term", day("2026-02-28", 8), false},
		{"first day of autumn term (Tue)", day("2026-09-01", 8), true},
		{"day before the term (Mon)", day("2026-08-31", 8), false},
		{"ordinary Saturday", day("2026-09-05", 8), false},
		{"ordinary Wednesday", day("2026-09-16", 8), true},
		{"调休: make-up workday on Sunday 09-20 (国庆)", day("2026-09-20", 8), true},
		{"中秋 holiday (Fri)", day("2026-09-25", 8), false},
		{"中秋 Sunday 09-27 is a day off, not a workday", day("2026-09-27", 8), false},
		{"国庆 first day (Thu)", day("2026-10-01", 8), false},
		{"国庆 Monday inside the holiday", day("2026-10-05", 8), false},
		{"国庆 last day (Wed)", day("2026-10-07", 8), false},
		{"first school day after 国庆 (Thu)", day("2026-10-08", 8), true},
		{"调休: make-up workday on a Saturday", day("2026-10-10", 8), true},
		{"Sunday after the make-up Saturday", day("2026-10-11", 8), false},
		{"last day of autumn term (Fri)", day("2027-01-22", 8), true},
		{"winter break (Mon)", day("2027-01-25", 8), false},
		{"first day of spring term (Mon)", day("2027-02-22", 8), true},
		{"summer break", day("2027-08-02", 8), false},
		{"in UTC: still 09-30 23:30 in UTC but 10-01 07:30 in Shanghai",
			time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC), false},
		{"in UTC: Sunday 09-27 16:30 UTC is Monday 09-28 00:30 in Shanghai",
			time.Date(2026, 9, 27, 16, 30, 0, 0, time.UTC), true},
		{"in UTC: Friday 10-09 17:00 UTC is make-up Saturday 10-10 01:00",
			time.Date(2026, 10, 9, 17, 0, 0, 0, time.UTC), true},
		{"in UTC: Saturday 09-19 17:00 UTC is make-up Sunday 09-20 01:00",
			time.Date(2026, 9, 19, 17, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.IsSchoolDay(tt.t); got != tt.want {
				t.Errorf("IsSchoolDay(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

// TestUntil: a calendar runs out at its last term's end or, with national
// holidays, at the end of the last year of the national table, whichever is
// first.
func TestUntil(t *testing.T) {
	d := func(s string) Date { return mustDate(t, s) }
	only2026 := NewHolidayTable(ShippedHolidayYears()...)
	with2027 := NewHolidayTable(append(ShippedHolidayYears(), HolidayYear{Year: 2027, Notice: "test",
		Festivals: []Festival{{Name: "元旦", Off: Span{d("2027-01-01"), d("2027-01-03")}}}})...)
	terms := []Term{{Start: d("2026-09-01"), End: d("2027-01-22")}, {Start: d("2027-02-22"), End: d("2027-07-09")}}
	tests := []struct {
		name string
		cal  Calendar
		want Date
	}{
		{"national, table ends 2026", Calendar{National: true, Terms: terms, table: only2026}, d("2026-12-31")},
		{"national, table has 2027", Calendar{National: true, Terms: terms, table: with2027}, d("2027-07-09")},
		{"own holidays: last term end", Calendar{Terms: terms, Holidays: []Date{d("2026-10-01")}}, d("2027-07-09")},
		{"terms in a year the table lacks", Calendar{National: true, Terms: []Term{{Start: d("2030-03-01"), End: d("2030-07-01")}}, table: only2026}, d("2029-12-31")},
		{"no terms", Calendar{National: true}, Date{}},
	}
	for _, tt := range tests {
		if got := tt.cal.Until(); got != tt.want {
			t.Errorf("%s: Until = %s, want %s", tt.name, got, tt.want)
		}
	}
	if cal := (Calendar{National: true, Terms: terms, table: with2027}); cal.IsSchoolDate(d("2027-01-01")) {
		t.Error("2027-01-01 is a school day although a holiday file for 2027 says it is off")
	}
}

func TestSchoolIsSchoolDayUsesItsCalendar(t *testing.T) {
	r, err := Load(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.School("sq-no3-primary")
	sunday := time.Date(2026, 9, 20, 9, 0, 0, 0, s.Location())
	if !s.IsSchoolDay(sunday) {
		t.Error("make-up Sunday is not a school day")
	}
	var orphan School
	if orphan.IsSchoolDay(sunday) {
		t.Error("a school without calendar has school days")
	}
}

func TestWindowContains(t *testing.T) {
	w := Window{Start: Clock(7, 0), End: Clock(8, 10)}
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 2, h, m, s, 0, Location()) }
	tests := []struct {
		t    time.Time
		want bool
	}{
		{at(6, 59, 59), false},
		{at(7, 0, 0), true},
		{at(8, 9, 59), true},
		{at(8, 10, 0), false},
		{time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC), true}, // 07:30 in Shanghai
		{time.Date(2026, 11, 2, 7, 30, 0, 0, time.UTC), false}, // 15:30 in Shanghai
	}
	for _, tt := range tests {
		if got := w.Contains(tt.t); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
	late := Window{Start: Clock(21, 0), End: ClockMidnightEnd}
	if !late.Contains(at(23, 59, 59)) || late.Contains(at(0, 0, 0)) {
		t.Error("a window ending at 24:00 is wrong")
	}
}

func TestLocationIsShanghai(t *testing.T) {
	if got := Location().String(); got != "Asia/Shanghai" {
		t.Errorf("Location = %s", got)
	}
	_, off := time.Date(2026, 7, 1, 0, 0, 0, 0, Location()).Zone()
	if off != 8*3600 {
		t.Errorf("offset = %d, want +8h", off)
	}
}
