package api

import (
	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// Site says where a P0 alert happens, for the police wall's panic
// view: the school's name and address, whom to call there, and where the
// device is. Only P0 alerts carry it (a handful at a time), so that the
// thousands of other alerts in a list or a snapshot cost nothing more;
// whoever may see the alert may see its school (SeesAlert checks the
// jurisdiction). Empty fields are left out.
type Site struct {
	SchoolName     string `json:"school_name,omitempty"`
	SchoolAddress  string `json:"school_address,omitempty"`
	ContactName    string `json:"contact_name,omitempty"`
	ContactPhone   string `json:"contact_phone,omitempty"`
	DeviceLocation string `json:"device_location,omitempty"`
}

// siteOf returns the site of al from the current registry, nil when al is
// not P0 or its school is not in the registry.
func (a *API) siteOf(al *alerting.Alert) *Site {
	if al.Severity != alerting.P0 {
		return nil
	}
	reg := a.opts.Registry()
	if reg == nil {
		return nil
	}
	s, ok := reg.School(al.School)
	if !ok {
		return nil
	}
	site := &Site{SchoolName: s.Name, SchoolAddress: s.Address, ContactName: s.Contact.Name, ContactPhone: s.Contact.Phone}
	if d := deviceOf(reg, al); d != nil && d.School() == s {
		site.DeviceLocation = d.Location
	}
	return site
}

// deviceOf returns the registry device al names (Device, else Subject).
func deviceOf(reg *devices.Registry, al *alerting.Alert) *devices.Device {
	for _, id := range []string{al.Device, al.Subject} {
		if id == "" {
			continue
		}
		if d, ok := reg.Device(id); ok {
			return d
		}
	}
	return nil
}
