package api

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// alertList is the answer of GET /api/v1/alerts.
type alertList struct {
	Alerts []alerting.Alert `json:"alerts"`
	Count  int              `json:"count"`
}

var errNoteRequired = &apiError{Status: http.StatusBadRequest, Body: errorBody{Code: codeNoteRequired,
	MessageZH: "手动关闭告警须填写处置说明", MessageEN: "resolving an alert needs a note", Param: "note"}}

// maxNote bounds a note, in characters.
const maxNote = 2000

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
	writeJSON(w, http.StatusOK, alertList{Alerts: list, Count: len(list)})
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
	writeJSON(w, http.StatusOK, al)
}

// noteBody is the body of ack and resolve.
type noteBody struct {
	Note string `json:"note"`
}

// readNote reads the optional {"note": "..."} body.
func readNote(w http.ResponseWriter, r *http.Request) (string, *apiError) {
	var b noteBody
	if _, e := readBody(w, r, &b); e != nil {
		return "", e
	}
	note := strings.TrimSpace(b.Note)
	if utf8.RuneCountInString(note) > maxNote {
		e := newError(http.StatusBadRequest, codeBadBody, "备注过长", "the note is too long")
		e.Body.Param = "note"
		return "", e
	}
	return note, nil
}

func (a *API) ackAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	a.act(w, r, v, false)
}

func (a *API) resolveAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	a.act(w, r, v, true)
}

// act acknowledges or resolves the alert of the path for v.
func (a *API) act(w http.ResponseWriter, r *http.Request, v Viewer, resolve bool) {
	id := r.PathValue("id")
	note, e := readNote(w, r)
	if e != nil {
		writeError(w, e)
		return
	}
	if resolve && note == "" {
		writeError(w, errNoteRequired)
		return
	}
	if _, e := a.visibleAlert(id, v); e != nil {
		writeError(w, e)
		return
	}
	var al alerting.Alert
	var err error
	if resolve {
		al, err = a.opts.Alerts.Resolve(id, v.Name, note)
	} else {
		al, err = a.opts.Alerts.Ack(id, v.Name, note)
	}
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, al)
	case errors.Is(err, lifecycle.ErrNoteRequired):
		writeError(w, errNoteRequired)
	case errors.Is(err, lifecycle.ErrNotFound):
		writeError(w, notFound("告警 "+id, "alert "+id))
	case errors.Is(err, lifecycle.ErrResolved):
		e := newError(http.StatusConflict, codeAlreadyResolved, "告警已关闭", "the alert is already resolved")
		e.Alert = &al
		writeError(w, e)
	case errors.Is(err, lifecycle.ErrAcknowledged):
		e := newError(http.StatusConflict, codeAlreadyAcked, "告警已被 "+al.AckedBy+" 确认", "the alert is already acknowledged by "+al.AckedBy)
		e.Alert = &al
		writeError(w, e)
	default:
		a.internal(w, r, err)
	}
}
