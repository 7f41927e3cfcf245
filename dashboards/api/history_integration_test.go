package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/compliance/influxhistory"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestHistoryAfterRestart writes four days of verdicts to a real influxd
// (the rows the service writes every day), restarts influxd and starts a
// new Store that reads them back through influxhistory, as a restarted
// campusguard does; the API then answers yesterday, last week and the
// 30-day trend with data: every school recorded, the failure of two days
// ago still there. A day before the stored ones says "no record" (rec 0),
// which the board shows as 无记录 / no data recorded.
func TestHistoryAfterRestart(t *testing.T) {
	srv := testenv.Influx(t)
	reg := testRegistry()
	today := devices.DateOf(t0) // Mon 11-30
	first := today.AddDays(-4)  // Thu 11-26 … Sun 11-29 stored

	before := compliance.NewStore(reg, nil)
	var recs []compliance.DayRecord
	for d := first; d.Before(today); d = d.AddDays(1) {
		for _, s := range reg.Schools {
			rec := compliance.DayRecord{School: s.ID, Region: s.Region, Date: d, Status: map[compliance.Measure]compliance.Status{},
				Value: map[compliance.Measure]float64{}}
			for _, m := range compliance.Measures {
				rec.Status[m], rec.Value[m] = compliance.Met, 1
			}
			if s.ID == schoolB && d == today.AddDays(-2) {
				rec.Status[compliance.ClosedCampus], rec.Value[compliance.ClosedCampus] = compliance.NotMet, 0.5
			}
			recs = append(recs, rec)
		}
	}
	before.Load(recs)
	var lines []byte
	for d := first; d.Before(today); d = d.AddDays(1) {
		lines = append(lines, before.LineProtocol(d, t0)...)
	}
	srv.Write(t, string(lines))
	srv.Stop(t)
	srv.Start(t)

	after := compliance.NewStore(reg, nil) // the restarted campusguard's
	after.Now = func() time.Time { return t0 }
	r, err := influxhistory.New(influxhistory.Options{URL: srv.URL(), Bucket: srv.Bucket()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := after.Restore(ctx, r, t0); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *Options) { o.Compliance = after })

	y := decode[compactAnswer](t, e.do("GET", "/api/v1/compliance?date="+today.AddDays(-1).String(), "admin", ""), http.StatusOK)
	if y.Scope.S != len(reg.Schools) || y.Scope.Rec != len(reg.Schools) || y.Scope.C[0] != [4]int{len(reg.Schools), 0, 0, 0} || y.Total != 0 {
		t.Errorf("yesterday after the restart: scope %+v, %d listed", y.Scope, y.Total)
	}
	w := decode[compactAnswer](t, e.do("GET", "/api/v1/compliance?period=week&date="+today.AddDays(-1).String(), "admin", ""), http.StatusOK)
	if w.Scope.Rec != len(reg.Schools) || len(w.Schools) != 1 || w.Schools[0].ID != schoolB || w.Schools[0].D[0] != [4]int{3, 1, 0, 3} {
		t.Errorf("last week after the restart: scope %+v schools %+v", w.Scope, w.Schools)
	}
	before5 := decode[compactAnswer](t, e.do("GET", "/api/v1/compliance?date="+first.AddDays(-1).String(), "admin", ""), http.StatusOK)
	if before5.Scope.Rec != 0 || before5.City == nil || before5.City.Rec != 0 {
		t.Errorf("a day never stored: scope %+v", before5.Scope)
	}

	tr := decode[trendAnswer](t, e.do("GET", "/api/v1/compliance/trend?days=30&per_school=false", "admin", ""), http.StatusOK)
	withData := 0
	for _, d := range tr.Days {
		if d.Scope.Recorded > 0 {
			withData++
			if _, ok := d.Scope.Rates[compliance.ClosedCampus]; !ok {
				t.Errorf("%s has records but no closed_campus rate: %+v", d.Date, d.Scope)
			}
		}
	}
	if len(tr.Days) != 30 || withData != 4 {
		t.Errorf("30-day trend after the restart: %d days, %d with data, want 30 and 4", len(tr.Days), withData)
	}
	if got := tr.Days[len(tr.Days)-3].Scope.Rates[compliance.ClosedCampus]; got != 2.0/3 {
		t.Errorf("two days ago closed_campus rate %v, want 2/3 (schoolB failed)", got)
	}
}
