package api

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// The handling loop over HTTP (派单 → 处置 → 反馈 → 复核):
//
//	POST /api/v1/alerts/{id}/ack     {note}            acknowledge; a school's ack of a P0 is a receipt only
//	POST /api/v1/alerts/{id}/report  {note, evidence}  the school reports what it did
//	POST /api/v1/alerts/{id}/close   {note}            the owner verifies and closes (/resolve: alias)
//	POST /api/v1/alerts/{id}/return  {note}            the owner sends the report back
//
// The viewer must see the alert (404 otherwise, as if it did not exist);
// whether it may take the step is alerting.Permit's (403 forbidden). Each
// answers the alert as it is now, with "can".

// maxNote bounds a note, in characters.
const maxNote = 2000

// noteBody is the body of ack, close and return.
type noteBody struct {
	Note string `json:"note"`
}

// reportBody is the body of report.
type reportBody struct {
	Note     string `json:"note"`
	Evidence string `json:"evidence"`
}

// readNote reads an optional {"note": "..."} body (with evidence when
// report is set), trimmed and bounded.
func readNote(w http.ResponseWriter, r *http.Request, report bool) (note, evidence string, e *apiError) {
	var b reportBody
	if report {
		_, e = readBody(w, r, &b)
	} else {
		var n noteBody
		_, e = readBody(w, r, &n)
		b.Note = n.Note
	}
	if e != nil {
		return "", "", e
	}
	note, evidence = strings.TrimSpace(b.Note), strings.TrimSpace(b.Evidence)
	if utf8.RuneCountInString(note) > maxNote {
		e := newError(http.StatusBadRequest, codeBadBody, "备注过长", "the note is too long")
		e.Body.Param = "note"
		return "", "", e
	}
	if lifecycle.CheckEvidence(evidence) != nil {
		return "", "", errEvidence
	}
	return note, evidence, nil
}

var errEvidence = &apiError{Status: http.StatusBadRequest, Body: errorBody{Code: codeBadBody,
	MessageZH: "佐证链接须为 http 或 https 网址，且不超过 1024 字节",
	MessageEN: "evidence must be an http or https link of at most 1024 bytes", Param: "evidence"}}

// noteRequired is the 400 of a step without its note.
func noteRequired(act alerting.Action) *apiError {
	zh, en := "手动关闭告警须填写处置说明", "closing an alert needs a note"
	switch act {
	case alerting.ActReport:
		zh, en = "整改反馈须填写处置情况", "a report needs a note of what was done"
	case alerting.ActReturn:
		zh, en = "退回须填写原因", "sending a report back needs a reason"
	}
	return &apiError{Status: http.StatusBadRequest, Body: errorBody{Code: codeNoteRequired, MessageZH: zh, MessageEN: en, Param: "note"}}
}

var agencyZH = map[alerting.Audience]string{alerting.Police: "公安", alerting.Education: "教育局", alerting.Market: "市场监管"}

// forbidden is the 403 of a step the matrix refuses to the viewer.
func forbidden(act alerting.Action, al *alerting.Alert) *apiError {
	owner, ownerZH := string(al.Owner), agencyZH[al.Owner]
	var zh, en string
	switch act {
	case alerting.ActAck:
		zh, en = "无权确认此告警（P0 告警由"+ownerZH+"确认）", "you may not acknowledge this alert (its owner, "+owner+", acknowledges a P0)"
	case alerting.ActReport:
		zh, en = "只有学校可以提交整改反馈", "only the school reports what it did"
	case alerting.ActClose:
		zh, en = "只有主管部门（"+ownerZH+"）可以复核关闭此告警；学校请提交整改反馈",
			"only the owning agency ("+owner+") closes this alert; a school reports what it did"
	default:
		zh, en = "只有主管部门（"+ownerZH+"）可以退回整改反馈", "only the owning agency ("+owner+") sends a report back"
	}
	return newError(http.StatusForbidden, codeForbidden, zh, en)
}

func (a *API) ackAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	a.handle(w, r, v, alerting.ActAck)
}

func (a *API) reportAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	a.handle(w, r, v, alerting.ActReport)
}

func (a *API) closeAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	a.handle(w, r, v, alerting.ActClose)
}

func (a *API) returnAlert(w http.ResponseWriter, r *http.Request, v Viewer) {
	a.handle(w, r, v, alerting.ActReturn)
}

// handle takes the step act on the alert of the path for v.
func (a *API) handle(w http.ResponseWriter, r *http.Request, v Viewer, act alerting.Action) {
	id := r.PathValue("id")
	note, evidence, e := readNote(w, r, act == alerting.ActReport)
	if e != nil {
		writeError(w, e)
		return
	}
	if act != alerting.ActAck && note == "" {
		writeError(w, noteRequired(act))
		return
	}
	if _, e := a.visibleAlert(id, v); e != nil {
		writeError(w, e)
		return
	}
	who := v.Actor()
	var al alerting.Alert
	var err error
	switch act {
	case alerting.ActAck:
		al, err = a.opts.Alerts.Ack(id, who, note)
	case alerting.ActReport:
		al, err = a.opts.Alerts.Report(id, who, note, evidence)
	case alerting.ActClose:
		al, err = a.opts.Alerts.Close(id, who, note)
	default:
		al, err = a.opts.Alerts.Return(id, who, note)
	}
	var conflict *apiError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, a.viewOf(al, v))
		return
	case errors.Is(err, lifecycle.ErrForbidden):
		writeError(w, forbidden(act, &al))
		return
	case errors.Is(err, lifecycle.ErrNoteRequired):
		writeError(w, noteRequired(act))
		return
	case errors.Is(err, lifecycle.ErrEvidence):
		writeError(w, errEvidence)
		return
	case errors.Is(err, lifecycle.ErrNotFound):
		writeError(w, notFound("告警 "+id, "alert "+id))
		return
	case errors.Is(err, lifecycle.ErrResolved):
		conflict = newError(http.StatusConflict, codeAlreadyResolved, "告警已关闭", "the alert is already resolved")
	case errors.Is(err, lifecycle.ErrAcknowledged) && al.State == alerting.Acknowledged:
		conflict = newError(http.StatusConflict, codeAlreadyAcked, "告警已被 "+al.AckedBy+" 确认", "the alert is already acknowledged by "+al.AckedBy)
	case errors.Is(err, lifecycle.ErrAcknowledged):
		conflict = newError(http.StatusConflict, codeAlreadyAcked, "告警已由 "+al.ReceivedBy+" 签收", "receipt already recorded by "+al.ReceivedBy)
	case errors.Is(err, lifecycle.ErrNotReported):
		conflict = newError(http.StatusConflict, codeNotReported, "没有待复核的整改反馈", "no report waits for review")
	default:
		a.internal(w, r, err)
		return
	}
	conflict.Alert = &al
	writeError(w, conflict)
}
