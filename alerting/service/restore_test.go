package service_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/service"
	"github.com/campusguard/campusguard/devices"
)

// flakyHistory is a compliance.HistorySource that fails until ok is set,
// then answers yesterday's verdicts for s000.
type flakyHistory struct {
	mu    sync.Mutex
	calls int
	ok    bool
}

func (f *flakyHistory) ReadDays(_ context.Context, from, to devices.Date) ([]compliance.DayRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if !f.ok {
		return nil, errors.New("influxdb down")
	}
	y := to.AddDays(-1)
	rec := compliance.DayRecord{School: "s000", Region: "130802", Date: y, Status: map[compliance.Measure]compliance.Status{}}
	for _, m := range compliance.Measures {
		rec.Status[m] = compliance.Met
	}
	rec.Status[compliance.AlarmLink] = compliance.NotMet
	return []compliance.DayRecord{rec}, nil
}

func (f *flakyHistory) state() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.ok
}

// rowsHistory stores every record and counts the compliance ones.
type rowsHistory struct {
	mu   sync.Mutex
	rows int
}

func (h *rowsHistory) Append(_ context.Context, rec []byte, done func(error)) {
	h.mu.Lock()
	if bytes.HasPrefix(rec, []byte(compliance.Measurement+",")) {
		h.rows++
	}
	h.mu.Unlock()
	done(nil)
}

func (h *rowsHistory) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rows
}

// TestComplianceRestoredBeforeRowsWritten: the service reads the stored
// compliance days back, retrying while InfluxDB is away, and writes no
// compliance row before that (a row written first would overwrite the
// stored day with what was observed since the restart); afterwards
// yesterday is there.
func TestComplianceRestoredBeforeRowsWritten(t *testing.T) {
	src := &flakyHistory{}
	rows := &rowsHistory{}
	h := start(t, service.Options{Registry: registry(t, "s000", "s001"), History: rows, ComplianceHistory: src,
		TickEvery: 5 * time.Millisecond})
	waitFor(t, "two failed read-backs", func() (bool, string) {
		n, _ := src.state()
		return n >= 2, "calls so far"
	})
	if h.svc.Restored() || rows.count() != 0 {
		t.Fatalf("restored %v, %d compliance rows written before the history was read back", h.svc.Restored(), rows.count())
	}
	src.mu.Lock()
	src.ok = true
	src.mu.Unlock()
	waitFor(t, "restored and rows written", func() (bool, string) {
		return h.svc.Restored() && rows.count() > 0, "waiting"
	})
	yesterday := devices.DateOf(t0).AddDays(-1)
	sd, ok := h.svc.Compliance().SchoolAt("s000", yesterday, t0)
	if !ok || sd.Measures[compliance.AlarmLink].Status != compliance.NotMet || sd.Measures[compliance.ClosedCampus].Status != compliance.Met {
		t.Errorf("yesterday after restore = %+v, %v", sd, ok)
	}
}
