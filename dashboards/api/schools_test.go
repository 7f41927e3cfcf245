package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

func TestSchoolPage(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed()
	if _, err := e.m.Close(s.kitchenA.ID, actorOf("admin"), "done"); err != nil {
		t.Fatal(err)
	}
	rec := e.do("GET", "/api/v1/schools/"+schoolA, "admin", "")
	got := decode[schoolPage](t, rec, http.StatusOK)
	if got.Name != "双桥第一小学" || got.Region != regionSQ || got.RegionName != "双桥区" || got.Type != devices.SchoolPrimary ||
		got.Pupils != 800 || got.Boarders != 40 || got.Guards != 2 {
		t.Fatalf("page %+v", got)
	}
	if len(got.Windows.Gate) != 1 || got.Windows.Gate[0].Start != "07:00" || got.Windows.Meals[0].End != "12:30" {
		t.Fatalf("windows %+v", got.Windows)
	}
	if len(got.Posts) != 2 || got.Posts[1].MinStaff != 2 || len(got.Kitchens) != 1 {
		t.Fatalf("posts %+v kitchens %+v", got.Posts, got.Kitchens)
	}
	if len(got.Devices) != 3 || got.Devices[0].Location != "传达室" || got.Devices[2].Kind != devices.KindKitchenCam ||
		got.Devices[2].Heartbeat != 30 || got.Devices[0].Heartbeat != 60 {
		t.Fatalf("devices %+v", got.Devices)
	}
	for _, secret := range []string{"g-secret", "LIC-SECRET"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Fatalf("the guard roster leaks (%s): %s", secret, rec.Body)
		}
	}
	// Open alerts only (the kitchen alert was resolved).
	if r := rulesOf(got.OpenAlerts); len(r) != 1 || r[0] != string(alerting.AlarmPanic) {
		t.Fatalf("open alerts %q", r)
	}
	if got.Compliance == nil || got.Compliance.Date != "2026-11-30" || !got.Compliance.FourHundred {
		t.Fatalf("compliance %+v", got.Compliance)
	}
}

func TestSchoolPageVisibility(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	// The market viewer sees the school, but only the alerts told to market.
	got := decode[schoolPage](t, e.do("GET", "/api/v1/schools/"+schoolA, "market", ""), http.StatusOK)
	if r := rulesOf(got.OpenAlerts); len(r) != 1 || r[0] != string(alerting.KitchenViolation) {
		t.Fatalf("market sees %q", r)
	}
	// No compliance record today: null.
	e.comp.mu.Lock()
	e.comp.rep.Schools = nil
	e.comp.mu.Unlock()
	rec := e.do("GET", "/api/v1/schools/"+schoolA, "school-a", "")
	if !strings.Contains(rec.Body.String(), `"compliance":null`) {
		t.Fatalf("body %s", rec.Body)
	}
	errorOf(t, e.do("GET", "/api/v1/schools/"+schoolB, "school-a", ""), http.StatusNotFound, codeNotFound)
	errorOf(t, e.do("GET", "/api/v1/schools/"+schoolC, "police-sq", ""), http.StatusNotFound, codeNotFound)
	errorOf(t, e.do("GET", "/api/v1/schools/no-such", "admin", ""), http.StatusNotFound, codeNotFound)
}

func TestRegistryNotLoaded(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Registry = func() *devices.Registry { return nil } })
	errorOf(t, e.do("GET", "/api/v1/schools/"+schoolA, "admin", ""), http.StatusServiceUnavailable, codeUnavailable)
	errorOf(t, e.do("GET", "/api/v1/silences", "admin", ""), http.StatusServiceUnavailable, codeUnavailable)
}
