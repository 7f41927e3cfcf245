package api

import (
	"net/http"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// schoolPage is the answer of GET /api/v1/schools/{id}: the registry
// entry (without the guard roster's ids: only how many licensed guards it
// lists), the open alerts the viewer may see and today's compliance so far
// (null before the school has a record today).
type schoolPage struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Region     string             `json:"region"`
	RegionName string             `json:"region_name,omitempty"`
	Type       devices.SchoolType `json:"type"`
	Pupils     int                `json:"pupils"`
	Boarders   int                `json:"boarders"`
	Address    string             `json:"address,omitempty"`
	Contact    *contactJSON       `json:"contact,omitempty"`
	Windows    windowsJSON        `json:"windows"`
	Posts      []postJSON         `json:"posts"`
	Kitchens   []kitchenJSON      `json:"kitchens"`
	Guards     int                `json:"licensed_guards"`
	Devices    []deviceJSON       `json:"devices"`
	OpenAlerts []alerting.Alert   `json:"open_alerts"`
	Compliance *schoolDayJSON     `json:"compliance"`
}

// contactJSON is whom to call about the school (devices.Contact).
type contactJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type windowsJSON struct {
	Gate  []windowJSON `json:"gate"`
	Peaks []windowJSON `json:"peaks"`
	Meals []windowJSON `json:"meals"`
}

type windowJSON struct {
	Name  string `json:"name,omitempty"`
	Start string `json:"start"` // "HH:MM", Asia/Shanghai
	End   string `json:"end"`
}

type postJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	MinStaff int    `json:"min_staff,omitempty"`
}

type kitchenJSON struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type deviceJSON struct {
	ID        string       `json:"id"`
	Kind      devices.Kind `json:"kind"`
	Location  string       `json:"location,omitempty"`
	Post      string       `json:"post,omitempty"`
	Kitchen   string       `json:"kitchen,omitempty"`
	Gate      string       `json:"gate,omitempty"`
	Heartbeat float64      `json:"heartbeat_s"`
}

func windowsOut(ws []devices.Window) []windowJSON {
	out := make([]windowJSON, 0, len(ws))
	for _, w := range ws {
		out = append(out, windowJSON{Name: w.Name, Start: w.Start.String(), End: w.End.String()})
	}
	return out
}

// visibleSchool returns the registry entry of school id if v may see it;
// one v may not see is "not found" too.
func (a *API) visibleSchool(id string, v Viewer) (*devices.Registry, *devices.School, *apiError) {
	reg, e := a.registry()
	if e != nil {
		return nil, nil, e
	}
	sch, ok := reg.School(id)
	if !ok || !v.CanSee(sch.Region, sch.ID) {
		return nil, nil, notFound("学校 "+id, "school "+id)
	}
	return reg, sch, nil
}

func (a *API) school(w http.ResponseWriter, r *http.Request, v Viewer) {
	if e := checkParams(r.URL.Query()); e != nil {
		writeError(w, e)
		return
	}
	reg, sch, e := a.visibleSchool(r.PathValue("id"), v)
	if e != nil {
		writeError(w, e)
		return
	}
	p := schoolPage{
		ID: sch.ID, Name: sch.Name, Region: sch.Region, Type: sch.Type,
		Pupils: sch.Pupils, Boarders: sch.Boarders, Address: sch.Address,
		Windows: windowsJSON{
			Gate:  windowsOut(sch.Windows.Gate),
			Peaks: windowsOut(sch.Windows.Peaks),
			Meals: windowsOut(sch.Windows.Meals),
		},
		Posts:    make([]postJSON, 0, len(sch.Posts)),
		Kitchens: make([]kitchenJSON, 0, len(sch.Kitchens)),
		Guards:   len(sch.Guards),
		Devices:  make([]deviceJSON, 0, len(sch.Devices)),
	}
	if sch.Contact != (devices.Contact{}) {
		p.Contact = &contactJSON{Name: sch.Contact.Name, Phone: sch.Contact.Phone}
	}
	if rg, ok := reg.Region(sch.Region); ok {
		p.RegionName = rg.Name
	}
	for _, po := range sch.Posts {
		p.Posts = append(p.Posts, postJSON{ID: po.ID, Name: po.Name, MinStaff: po.MinStaff})
	}
	for _, k := range sch.Kitchens {
		p.Kitchens = append(p.Kitchens, kitchenJSON{ID: k.ID, Name: k.Name})
	}
	for i := range sch.Devices {
		d := &sch.Devices[i]
		p.Devices = append(p.Devices, deviceJSON{ID: d.ID, Kind: d.Kind, Location: d.Location, Post: d.Post,
			Kitchen: d.Kitchen, Gate: d.Gate, Heartbeat: time.Duration(d.HeartbeatInterval()).Seconds()})
	}
	p.OpenAlerts = a.visibleAlerts(lifecycle.Filter{
		States:  []alerting.State{alerting.Firing, alerting.Acknowledged},
		Schools: []string{sch.ID},
	}, v)
	if sd, ok := a.opts.Compliance.School(sch.ID, a.today()); ok {
		out := schoolDayOut(sd)
		p.Compliance = &out
	}
	writeJSON(w, http.StatusOK, p)
}
