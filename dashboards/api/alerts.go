package api

import (
	"net/http"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// alertList is the answer of GET /api/v1/alerts.
type alertList struct {
	Alerts []alertView `json:"alerts"`
	Count  int         `json:"count"`
}

// alertView is an alert as the API answers it to one viewer: the alert,
// and the handling steps the viewer may take on it now ("can": ack,
// report, close, return), by alerting.Permit and the alert's state
// (lifecycle.Allowed).
type alertView struct {
	alerting.Alert
	Can []alerting.Action `json:"can"`
	// OpenViolation marks an open kitchen violation (alerting.OpenViolation):
	// what the market board counts, as the monthly report does.
	OpenViolation bool `json:"open_violation,omitempty"`
	*Site              // P0 only: where it happens (site.go)
}

// viewOf returns al as v sees it.
func (a *API) viewOf(al alerting.Alert, v Viewer) alertView {
	return alertView{Alert: al, Can: lifecycle.Allowed(&al, v.Actor()), OpenViolation: alerting.OpenViolation(&al), Site: a.siteOf(&al)}
}

// visibleAlerts lists the alerts f selects that v may see. f is narrowed
// to v's jurisdiction and audiences first, where it leaves them open, so
// that the lifecycle copies fewer alerts; the final check is SeesAlert.
func (a *API) visibleAlerts(f lifecycle.Filter, v Viewer) []alerting.Alert {
	if len(f.Regions) == 0 {
		f.Regions = v.Regions
	}
	if len(f.Schools) == 0 {
		f.Schools = v.Schools
	}
	if len(f.Audiences) == 0 && v.Role != RoleAdmin {
		if len(v.Audiences) == 0 {
			return []alerting.Alert{}
		}
		f.Audiences = v.Audiences
	}
	all := a.opts.Alerts.List(f)
	out := make([]alerting.Alert, 0, len(all))
	for i := range all {
		if v.SeesAlert(&all[i]) {
			out = append(out, all[i])
		}
	}
	return out
}

func (a *API) listAlerts(w http.ResponseWriter, r *http.Request, v Viewer) {
	f, e := parseAlertFilter(r.URL.Query(), a.opts.Clock())
	if e != nil {
		writeError(w, e)
		return
	}
	list := a.visibleAlerts(f, v)
	out := make([]alertView, len(list))
	for i := range list {
		out[i] = a.viewOf(list[i], v)
	}
	writeJSON(w, http.StatusOK, alertList{Alerts: out, Count: len(out)})
}

// visibleAlert returns alert id if v may see it. An alert v may not see
// is "not found" too, so that its existence does not leak.
func (a *API) visibleAlert(id string, v Viewer) (alerting.Alert, *apiError) {
	al, ok := a.opts.Alerts.Get(id)
	if !ok || !v.SeesAlert(&al) {
		return alerting.Alert{}, notFound("告警 "+id, "alert "+id)
	}
	return al, nil
}

func (a *API) getAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	al, e := a.visibleAlert(r.PathValue("id"), v)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, a.viewOf(al, v))
}
