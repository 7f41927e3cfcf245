package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// siteFields are the fields site.go adds to a P0 alert.
type siteFields struct {
	ID             string          `json:"id"`
	Rule           alerting.RuleID `json:"rule"`
	SchoolName     string          `json:"school_name"`
	SchoolAddress  string          `json:"school_address"`
	ContactName    string          `json:"contact_name"`
	ContactPhone   string          `json:"contact_phone"`
	DeviceLocation string          `json:"device_location"`
}

// TestAlertSite checks that a P0 alert carries its school's name, address
// and contact and its device's location in the list, the single alert and
// the stream (the police wall's panic view shows them), and that other
// alerts do not.
func TestAlertSite(t *testing.T) {
	e := newEnv(t, nil)
	s, _ := e.reg.School(schoolA)
	s.Contact = devices.Contact{Name: "王主任", Phone: "0314-2051234"}
	stream := e.api.hub.add(viewers["police"], 16)
	defer e.api.hub.remove(stream)
	seeded := e.seed()
	want := siteFields{ID: seeded.panicA.ID, Rule: alerting.AlarmPanic, SchoolName: "双桥第一小学", SchoolAddress: "承德市双桥区示例路1号",
		ContactName: "王主任", ContactPhone: "0314-2051234", DeviceLocation: "传达室"}

	list := decode[struct {
		Alerts []siteFields `json:"alerts"`
	}](t, e.do("GET", "/api/v1/alerts", "police", ""), http.StatusOK)
	seen := 0
	for _, a := range list.Alerts {
		switch a.Rule {
		case alerting.AlarmPanic:
			if a != want {
				t.Errorf("panic in the list: %+v, want %+v", a, want)
			}
			seen++
		default:
			if a.SchoolName != "" || a.ContactPhone != "" || a.SchoolAddress != "" {
				t.Errorf("%s (not P0) carries the site: %+v", a.Rule, a)
			}
			seen++
		}
	}
	if seen < 2 {
		t.Fatalf("police see %d alerts, want the panic and the forced gate", seen)
	}
	one := decode[siteFields](t, e.do("GET", "/api/v1/alerts/"+seeded.panicA.ID, "police", ""), http.StatusOK)
	if one != want {
		t.Errorf("GET the panic: %+v, want %+v", one, want)
	}

	select {
	case data := <-stream.ch:
		var ev struct {
			Event string     `json:"event"`
			Alert siteFields `json:"alert"`
		}
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Alert != want {
			t.Errorf("the panic on the stream: %+v, want %+v", ev.Alert, want)
		}
	default:
		t.Fatal("the stream got no event for the panic")
	}

	// The school's page names the contact too.
	page := decode[struct {
		Contact *devices.Contact `json:"contact"`
	}](t, e.do("GET", "/api/v1/schools/"+schoolA, "police", ""), http.StatusOK)
	if page.Contact == nil || *page.Contact != s.Contact {
		t.Errorf("GET the school: contact %+v, want %+v", page.Contact, s.Contact)
	}

	// A school without a contact or address: the fields are left out.
	raw := e.do("GET", "/api/v1/alerts/"+e.fire(alerting.AlarmPanic, schoolB, "alarm-b1").ID, "police", "")
	var m map[string]any
	if err := json.Unmarshal(raw.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["school_name"] != "双桥第二幼儿园" {
		t.Errorf("school_name %v", m["school_name"])
	}
	for _, k := range []string{"school_address", "contact_name", "contact_phone", "device_location"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present without a value: %s", k, raw.Body)
		}
	}
}
