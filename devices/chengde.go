package devices

// CityChengde is the division code of 承德市, the city campusguard watches.
const CityChengde = "130800"

// ChengdeRegions returns the twelve county-level divisions of 承德市
// (domain.md), in code order; 130871 (承德高新区) is a management unit.
func ChengdeRegions() []Region {
	return []Region{
		{Code: "130802", Name: "双桥区"},
		{Code: "130803", Name: "双滦区"},
		{Code: "130804", Name: "鹰手营子矿区"},
		{Code: "130821", Name: "承德县"},
		{Code: "130822", Name: "兴隆县"},
		{Code: "130824", Name: "滦平县"},
		{Code: "130825", Name: "隆化县"},
		{Code: "130826", Name: "丰宁满族自治县"},
		{Code: "130827", Name: "宽城满族自治县"},
		{Code: "130828", Name: "围场满族蒙古族自治县"},
		{Code: "130871", Name: "承德高新区"},
		{Code: "130881", Name: "平泉市"},
	}
}

// DefaultCalendarID is the id of DefaultCalendar.
const DefaultCalendarID = "chengde-2026-2027"

// DefaultCalendar returns the school calendar used by CSV import and the
// demo generator: the 2026 spring term and the 2026-2027 school year.
//
// The term dates follow the usual 河北 pattern and the holidays and make-up
// workdays are ASSUMED (modelled on the State Council's yearly notice, not
// copied from one): replace them with the education bureau's calendar.
func DefaultCalendar() Calendar {
	d := func(s string) Date {
		v, err := ParseDate(s)
		if err != nil {
			panic(err)
		}
		return v
	}
	days := func(from, to string) []Date {
		var out []Date
		for x, end := d(from), d(to); !end.Before(x); x = x.AddDays(1) {
			out = append(out, x)
		}
		return out
	}
	var holidays []Date
	for _, h := range [][2]string{
		{"2026-04-06", "2026-04-06"}, // 清明 (Mon; 04-04/05 are the weekend) — assumed
		{"2026-05-01", "2026-05-05"}, // 劳动节 — assumed
		{"2026-06-19", "2026-06-19"}, // 端午 — assumed
		{"2026-09-25", "2026-09-25"}, // 中秋 — assumed
		{"2026-10-01", "2026-10-07"}, // 国庆 — assumed
		{"2027-01-01", "2027-01-01"}, // 元旦 — assumed
		{"2027-04-05", "2027-04-05"}, // 清明 — assumed
		{"2027-05-01", "2027-05-05"}, // 劳动节 — assumed
		{"2027-06-14", "2027-06-14"}, // 端午 — assumed
	} {
		holidays = append(holidays, days(h[0], h[1])...)
	}
	return Calendar{
		ID: DefaultCalendarID,
		Terms: []Term{
			{Name: "2026 spring", Start: d("2026-03-02"), End: d("2026-07-10")},
			{Name: "2026 autumn", Start: d("2026-09-01"), End: d("2027-01-22")},
			{Name: "2027 spring", Start: d("2027-02-22"), End: d("2027-07-09")},
		},
		Holidays: holidays,
		// Make-up workdays (调休) — assumed: Sat 2026-05-09 for 劳动节,
		// Sun 2026-09-27 and Sat 2026-10-10 for 国庆.
		Workdays: []Date{d("2026-05-09"), d("2026-09-27"), d("2026-10-10")},
	}
}
