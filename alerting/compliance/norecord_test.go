package compliance

import (
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// noRecordStatuses must give exactly the verdicts of the day noRecord builds.
func TestNoRecordStatusesMatchNoRecord(t *testing.T) {
	d := devices.Date{Year: 2026, Month: 12, Day: 3}
	for _, sch := range []*devices.School{
		{ID: "with-kitchen", Region: "130802", Kitchens: []devices.Kitchen{{ID: "k1"}}},
		{ID: "no-kitchen", Region: "130802"},
	} {
		sd := noRecord(sch, d)
		got := noRecordStatuses(sch)
		for j, m := range Measures {
			if got[j] != sd.Measures[m].Status {
				t.Errorf("%s %s: %v, noRecord says %v", sch.ID, m, got[j], sd.Measures[m].Status)
			}
		}
	}
}
