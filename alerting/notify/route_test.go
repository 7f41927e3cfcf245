package notify

import (
	"slices"
	"testing"

	"github.com/campusguard/campusguard/alerting"
)

func TestRouteMatches(t *testing.T) {
	police := Route{Name: "police", Audiences: []alerting.Audience{alerting.Police}, Regions: []string{"130802"}, MinSeverity: alerting.P1}
	city := Route{Name: "edu-city", Audiences: []alerting.Audience{alerting.Education}, Regions: []string{"130800"}}
	province := Route{Name: "province", Regions: []string{"130000"}}
	all := Route{Name: "all"}
	tests := []struct {
		name  string
		route Route
		alert alerting.Alert
		want  bool
	}{
		{"police P0 in region", police, alertWith("a", alerting.P0, "130802", alerting.Police, alerting.SchoolAud), true},
		{"police P1 in region", police, alertWith("a", alerting.P1, "130802", alerting.Police), true},
		{"police P2 too mild", police, alertWith("a", alerting.P2, "130802", alerting.Police), false},
		{"police other region", police, alertWith("a", alerting.P0, "130803", alerting.Police), false},
		{"police not audience", police, alertWith("a", alerting.P0, "130802", alerting.SchoolAud), false},
		{"police no audience", police, alertWith("a", alerting.P0, "130802"), false},
		{"police unknown severity", police, alertWith("a", "P9", "130802", alerting.Police), false},
		{"city code covers district", city, alertWith("a", alerting.P3, "130828", alerting.Education), true},
		{"city code covers management unit", city, alertWith("a", alerting.P3, "130871", alerting.Education), true},
		{"city code covers itself", city, alertWith("a", alerting.P3, "130800", alerting.Education), true},
		{"city code not another city", city, alertWith("a", alerting.P3, "130902", alerting.Education), false},
		{"province covers its cities", province, alertWith("a", alerting.P3, "130828"), true},
		{"province not another", province, alertWith("a", alerting.P3, "110101"), false},
		{"empty route: every audience", all, alertWith("a", alerting.P3, "130802", alerting.Market), true},
		{"empty route: no audience", all, alertWith("a", alerting.P3, "130802"), true},
		{"empty route: unknown severity", all, alertWith("a", "", "130802"), true},
		{"district code is exact", Route{Regions: []string{"130802"}}, alertWith("a", alerting.P3, "130803"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.route.Matches(&tc.alert); got != tc.want {
				t.Errorf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSendRoutes checks which receivers' queues Send fills, before Run.
func TestSendRoutes(t *testing.T) {
	police, edu, market, topic := newFake(nil), newFake(nil), newFake(nil), newFake(nil)
	routes := []Route{
		{Name: "alert-topic", Notifier: topic},
		{Name: "police-110", Audiences: []alerting.Audience{alerting.Police}, Regions: []string{"130802"}, MinSeverity: alerting.P1, Notifier: police},
		// A second route to the same receiver: a notification matching both is queued once.
		{Name: "police-110", Audiences: []alerting.Audience{alerting.Police, alerting.SchoolAud}, Regions: []string{"130802", "130803"}, MinSeverity: alerting.P0, Notifier: police},
		{Name: "education", Audiences: []alerting.Audience{alerting.Education}, Regions: []string{"130800"}, MinSeverity: alerting.P2, Notifier: edu},
		{Name: "market", Audiences: []alerting.Audience{alerting.Market}, Notifier: market},
	}
	tests := []struct {
		name  string
		alert alerting.Alert
		want  []string
	}{
		{"panic in 130802", panicAlert(), []string{"alert-topic", "police-110", "education"}},
		{"P0 school-only in 130803 via second route", alertWith("a", alerting.P0, "130803", alerting.SchoolAud), []string{"alert-topic", "police-110"}},
		{"P1 police in 130803", alertWith("a", alerting.P1, "130803", alerting.Police), []string{"alert-topic"}},
		{"P3 education", alertWith("a", alerting.P3, "130821", alerting.Education), []string{"alert-topic"}},
		{"P2 education in county", alertWith("a", alerting.P2, "130821", alerting.Education, alerting.Police), []string{"alert-topic", "education"}},
		{"kitchen", alertWith("a", alerting.P2, "130881", alerting.Market, alerting.SchoolAud), []string{"alert-topic", "market"}},
		{"no audience", alertWith("a", alerting.P0, "130802"), []string{"alert-topic"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := newTestDispatcher(t, Options{}, routes)
			d.Send(Notification{Alert: tc.alert, Event: EventFired})
			var got []string
			for _, r := range d.receivers {
				switch r.q.len() {
				case 0:
				case 1:
					got = append(got, r.name)
				default:
					t.Errorf("receiver %s queued %d copies", r.name, r.q.len())
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("queued for %v, want %v", got, tc.want)
			}
		})
	}
}
