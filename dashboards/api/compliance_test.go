package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// reportOut mirrors complianceReport for decoding.
type reportOut struct {
	Date    string `json:"date"`
	Schools []struct {
		School   string                                   `json:"school"`
		Region   string                                   `json:"region"`
		Date     string                                   `json:"date"`
		Measures map[compliance.Measure]compliance.Result `json:"measures"`
	} `json:"schools"`
	Regions []compliance.RegionRollup `json:"regions"`
	City    *compliance.RegionRollup  `json:"city"`
}

func TestComplianceFiltering(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		viewer  string
		schools []string
		regions []string
		city    bool
	}{
		{"admin", []string{schoolA, schoolB, schoolC}, []string{regionSQ, regionSL}, true},
		{"market", []string{schoolA, schoolB, schoolC}, []string{regionSQ, regionSL}, true},
		{"police-sq", []string{schoolA, schoolB}, []string{regionSQ}, false},
		{"police-sl", []string{schoolC}, []string{regionSL}, false},
		// A school sees its own record, no rollup of schools it cannot see.
		{"school-a", []string{schoolA}, []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.viewer, func(t *testing.T) {
			got := decode[reportOut](t, e.do("GET", "/api/v1/compliance?format=full&date=2026-11-27", tt.viewer, ""), http.StatusOK)
			if got.Date != "2026-11-27" {
				t.Errorf("date %q", got.Date)
			}
			var schools, regions []string
			for _, s := range got.Schools {
				schools = append(schools, s.School)
				if s.Date != "2026-11-27" {
					t.Errorf("school date %q", s.Date)
				}
			}
			for _, r := range got.Regions {
				regions = append(regions, r.Region)
			}
			if !slices.Equal(schools, tt.schools) || !slices.Equal(append([]string{}, regions...), tt.regions) {
				t.Errorf("schools %q regions %q, want %q %q", schools, regions, tt.schools, tt.regions)
			}
			if (got.City != nil) != tt.city {
				t.Errorf("city %+v, want present=%v", got.City, tt.city)
			}
		})
	}
}

func TestComplianceDate(t *testing.T) {
	e := newEnv(t, nil)
	// Late afternoon UTC is already the next day in Shanghai.
	e.clock.Set(time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC))
	got := decode[reportOut](t, e.do("GET", "/api/v1/compliance", "admin", ""), http.StatusOK)
	if got.Date != "2026-12-01" {
		t.Fatalf("default date %q, want today in Asia/Shanghai", got.Date)
	}
	if last := e.comp.asked[len(e.comp.asked)-1]; last != (devices.Date{Year: 2026, Month: 12, Day: 1}) {
		t.Fatalf("asked %v", last)
	}
	for _, q := range []string{"date=2026-13-01", "date=yesterday", "date=2026-11-1", "date=2026-11-01&date=2026-11-02"} {
		errorOf(t, e.do("GET", "/api/v1/compliance?"+q, "admin", ""), http.StatusBadRequest, codeBadParameter)
	}
	errorOf(t, e.do("GET", "/api/v1/compliance?day=2026-11-01", "admin", ""), http.StatusBadRequest, codeUnknownParameter)
}

func TestComplianceSchool(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.do("GET", "/api/v1/compliance/schools/"+schoolA+"?date=2026-11-27", "school-a", "")
	var got map[string]json.RawMessage
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if string(got["date"]) != `"2026-11-27"` || string(got["school"]) != `"`+schoolA+`"` || string(got["four_hundred"]) != "true" {
		t.Fatalf("body %s", rec.Body)
	}
	// Invisible, unknown and without a record: all 404.
	errorOf(t, e.do("GET", "/api/v1/compliance/schools/"+schoolB, "school-a", ""), http.StatusNotFound, codeNotFound)
	errorOf(t, e.do("GET", "/api/v1/compliance/schools/"+schoolC, "police-sq", ""), http.StatusNotFound, codeNotFound)
	errorOf(t, e.do("GET", "/api/v1/compliance/schools/no-such", "admin", ""), http.StatusNotFound, codeNotFound)
	e.comp.mu.Lock()
	e.comp.rep.Schools = e.comp.rep.Schools[:1]
	e.comp.mu.Unlock()
	errorOf(t, e.do("GET", "/api/v1/compliance/schools/"+schoolC, "admin", ""), http.StatusNotFound, codeNotFound)
	errorOf(t, e.do("GET", "/api/v1/compliance/schools/"+schoolA+"?date=bad", "admin", ""), http.StatusBadRequest, codeBadParameter)
}
