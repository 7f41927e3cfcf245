package compliance

import (
	"fmt"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// BenchmarkPeriodTermCity: the term report of a city of 1,600 schools
// whose 120 days so far were read back from InfluxDB (Load), as the API
// answers ?period=term after a restart.
func BenchmarkPeriodTermCity(b *testing.B) {
	const schools, days = 1600, 120
	var sch []devices.School
	for i := 0; i < schools; i++ {
		sch = append(sch, testSchool(fmt.Sprintf("s%04d", i), []string{"130802", "130803"}[i%2]))
	}
	reg := testRegistry(sch...)
	store := NewStore(reg, nil)
	start := devices.Date{Year: 2026, Month: 9, Day: 1}
	recs := make([]DayRecord, 0, schools*days)
	for d := 0; d < days; d++ {
		for i := range reg.Schools {
			r := DayRecord{School: reg.Schools[i].ID, Region: reg.Schools[i].Region, Date: start.AddDays(d),
				Status: map[Measure]Status{}, Value: map[Measure]float64{}}
			for _, m := range Measures {
				r.Status[m], r.Value[m] = Met, 1
			}
			recs = append(recs, r)
		}
	}
	store.Load(recs)
	now := devices.Clock(12, 0).At(start.AddDays(days))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := store.PeriodAt(PeriodTerm, start.AddDays(days), now)
		if rep.City.Schools != schools {
			b.Fatalf("%d schools", rep.City.Schools)
		}
	}
	b.ReportMetric(float64(schools*days), "school-days/op")
}
