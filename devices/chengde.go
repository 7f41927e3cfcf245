package devices

// CityChengde is the division code of 承德市, the city campusguard watches.
const CityChengde = "130800"

// ChengdeRegions returns the twelve county-level divisions of 承德市
// (docs/rules.md), in code order; 130871 (承德高新区) is a management unit.
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

// DefaultCalendar returns the school calendar of the demo generator and the
// one CSV import offers by name: the shipped calendar
// devices/calendars/terms/chengde-2026-2027.yaml, whose terms are the 2026
// spring term and the 2026-2027 school year (assumed: the usual 河北 pattern)
// and whose holidays and make-up workdays are the national table's
// (devices/calendars/holidays, from the State Council's notices).
func DefaultCalendar() Calendar {
	c, ok := ShippedCalendar(DefaultCalendarID)
	if !ok {
		panic("devices: shipped calendar " + DefaultCalendarID + " missing") // the package tests catch this
	}
	return c
}
