package api

import (
	"context"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
)

func TestViewerContext(t *testing.T) {
	if _, ok := ViewerFrom(context.Background()); ok {
		t.Fatal("viewer in an empty context")
	}
	v := viewers["police-sq"]
	got, ok := ViewerFrom(WithViewer(context.Background(), v))
	if !ok || got.Name != v.Name {
		t.Fatalf("got %+v, %v", got, ok)
	}
}

func TestViewerValidate(t *testing.T) {
	tests := []struct {
		name string
		v    Viewer
		want string
	}{
		{"admin", viewers["admin"], ""},
		{"school", viewers["school-a"], ""},
		{"no name", Viewer{Role: RoleAdmin}, "name is required"},
		{"bad role", viewers["invalid"], "role must be one of"},
		{"bad audience", Viewer{Name: "x", Role: RolePolice, Audiences: []alerting.Audience{"press"}}, "unknown audience"},
		{"school role city-wide", Viewer{Name: "x", Role: RoleSchool, Audiences: []alerting.Audience{alerting.SchoolAud}}, "needs schools"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate()
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCanSee(t *testing.T) {
	tests := []struct {
		viewer, region, school string
		want                   bool
	}{
		{"admin", regionSL, schoolC, true},
		{"police-sq", regionSQ, schoolB, true},
		{"police-sq", regionSL, schoolC, false},
		{"school-a", regionSQ, schoolA, true},
		{"school-a", regionSQ, schoolB, false},
		{"school-a", regionSL, schoolA, false}, // both lists must hold
	}
	for _, tt := range tests {
		if got := viewers[tt.viewer].CanSee(tt.region, tt.school); got != tt.want {
			t.Errorf("%s.CanSee(%s, %s) = %v, want %v", tt.viewer, tt.region, tt.school, got, tt.want)
		}
	}
}

func TestSeesAlert(t *testing.T) {
	alert := func(region, school string, aud ...alerting.Audience) *alerting.Alert {
		return &alerting.Alert{Region: region, School: school, Audience: aud}
	}
	tests := []struct {
		name, viewer string
		a            *alerting.Alert
		want         bool
	}{
		{"admin sees any audience", "admin", alert(regionSL, schoolC, alerting.Market), true},
		{"admin sees no audience", "admin", alert(regionSL, schoolC), true},
		{"audience overlap", "police", alert(regionSL, schoolC, alerting.Police, alerting.SchoolAud), true},
		{"no overlap", "market", alert(regionSL, schoolC, alerting.Police, alerting.SchoolAud), false},
		{"outside region", "police-sq", alert(regionSL, schoolC, alerting.Police), false},
		{"other school", "school-a", alert(regionSQ, schoolB, alerting.SchoolAud), false},
		{"own school", "school-a", alert(regionSQ, schoolA, alerting.SchoolAud), true},
		{"own school, not told", "school-a", alert(regionSQ, schoolA, alerting.Police), false},
		{"role without audiences", "no-audience", alert(regionSQ, schoolA, alerting.Police), false},
		{"nil", "admin", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := viewers[tt.viewer].SeesAlert(tt.a); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
