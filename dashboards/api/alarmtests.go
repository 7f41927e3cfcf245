package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/devices"
)

// Alarm test windows (报警测试登记, issue 8). A school registers in advance
// the window of its monthly test press; a press inside it is recorded as a
// test, not a P0. Who may do what:
//   - register and cancel: the school role, for its own schools; admins
//     anywhere (403 role_forbidden for the others, 403
//     outside_jurisdiction for a school the viewer does not see);
//   - list: every role but market, for the schools it sees (police read
//     them to know a press is a test; education owns alarm testing).
// The windows of the registry's recurring schedule are listed too
// ("scheduled": true); they change with the registry, not the API.

// AlarmTests is what the API needs of the alarm test windows;
// *alarmtest.Store satisfies it.
type AlarmTests interface {
	Add(alarmtest.Window) (alarmtest.Window, error)
	Delete(id string) (alarmtest.Window, error)
	Get(id string) (alarmtest.Window, bool)
	List(alarmtest.Filter) []alarmtest.Window
}

// alarmTestList is the answer of GET /api/v1/alarm-tests.
type alarmTestList struct {
	AlarmTests []alarmtest.Window `json:"alarm_tests"`
	Count      int                `json:"count"`
}

// alarmTestRequest is the body of POST /api/v1/alarm-tests.
type alarmTestRequest struct {
	School string    `json:"school"`
	Device string    `json:"device"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Note   string    `json:"note"`
}

var (
	errAlarmTestRole = newError(http.StatusForbidden, codeRoleForbidden,
		"只有学校和管理员可以登记或取消报警测试", "only a school or an admin may register or cancel an alarm test")
	errAlarmTestRead = newError(http.StatusForbidden, codeRoleForbidden,
		"该角色不能查看报警测试登记", "this role may not see alarm test windows")
	errNoAlarmTests = newError(http.StatusServiceUnavailable, codeUnavailable,
		"报警测试登记不可用", "alarm test windows are not available")
)

// mayRegisterTests reports whether v's role may register and cancel.
func mayRegisterTests(v Viewer) bool { return v.Role == RoleSchool || v.Role == RoleAdmin }

// seesSchool reports whether school is in v's jurisdiction.
func seesSchool(v Viewer, reg *devices.Registry, school string) bool {
	s, ok := reg.School(school)
	return ok && v.CanSee(s.Region, s.ID)
}

func (a *API) listAlarmTests(w http.ResponseWriter, r *http.Request, v Viewer) {
	if a.opts.AlarmTests == nil {
		writeError(w, errNoAlarmTests)
		return
	}
	if v.Role == RoleMarket {
		writeError(w, errAlarmTestRead)
		return
	}
	q := r.URL.Query()
	if e := checkParams(q, "school", "active"); e != nil {
		writeError(w, e)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	var f alarmtest.Filter
	if s, e := singleParam(q, "school"); e != nil {
		writeError(w, e)
		return
	} else if s != "" {
		if !seesSchool(v, reg, s) {
			writeError(w, notFound("学校 "+s, "school "+strconv.Quote(s)))
			return
		}
		f.Schools = []string{s}
	}
	if s, e := singleParam(q, "active"); e != nil {
		writeError(w, e)
		return
	} else if s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, badParam("active", "应为 true 或 false："+s, "must be true or false: "+strconv.Quote(s)))
			return
		}
		if b {
			f.ActiveAt = a.opts.Clock()
		}
	}
	out := []alarmtest.Window{}
	for _, t := range a.opts.AlarmTests.List(f) {
		if seesSchool(v, reg, t.School) {
			out = append(out, t)
		}
	}
	writeJSON(w, http.StatusOK, alarmTestList{AlarmTests: out, Count: len(out)})
}

func (a *API) createAlarmTest(w http.ResponseWriter, r *http.Request, v Viewer) {
	if a.opts.AlarmTests == nil {
		writeError(w, errNoAlarmTests)
		return
	}
	if !mayRegisterTests(v) {
		writeError(w, errAlarmTestRole)
		return
	}
	var req alarmTestRequest
	if e := readRequiredBody(w, r, &req); e != nil {
		writeError(w, e)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	if req.School == "" {
		writeError(w, badParam("school", "必填", "required"))
		return
	}
	if !seesSchool(v, reg, req.School) {
		writeError(w, errOutside)
		return
	}
	out, err := a.opts.AlarmTests.Add(alarmtest.Window{School: req.School, Device: req.Device, Start: req.Start, End: req.End,
		Note: req.Note, CreatedBy: v.Name})
	if err != nil {
		writeError(w, a.alarmTestError(err))
		return
	}
	a.log.Info().Str("id", out.ID).Str("school", out.School).Str("device", out.Device).Time("start", out.Start).
		Time("end", out.End).Str("by", v.Name).Msg("alarm test window registered")
	w.Header().Set("Location", "/api/v1/alarm-tests/"+out.ID)
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) deleteAlarmTest(w http.ResponseWriter, r *http.Request, v Viewer) {
	if a.opts.AlarmTests == nil {
		writeError(w, errNoAlarmTests)
		return
	}
	if !mayRegisterTests(v) {
		writeError(w, errAlarmTestRole)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	id := r.PathValue("id")
	t, ok := a.opts.AlarmTests.Get(id)
	if !ok || !seesSchool(v, reg, t.School) { // another school's window does not exist for the viewer
		writeError(w, notFound("报警测试登记 "+id, "alarm test window "+strconv.Quote(id)))
		return
	}
	out, err := a.opts.AlarmTests.Delete(id)
	if err != nil {
		writeError(w, a.alarmTestError(err))
		return
	}
	a.log.Info().Str("id", out.ID).Str("school", out.School).Str("by", v.Name).Msg("alarm test window cancelled")
	writeJSON(w, http.StatusOK, out)
}

// alarmTestError maps a store error to its answer.
func (a *API) alarmTestError(err error) *apiError {
	switch {
	case errors.Is(err, alarmtest.ErrInvalid):
		return newError(http.StatusBadRequest, codeInvalidAlarmTest, "报警测试登记无效："+err.Error(), err.Error())
	case errors.Is(err, alarmtest.ErrNotFound):
		return notFound("报警测试登记", "alarm test window")
	case errors.Is(err, alarmtest.ErrEnded):
		return newError(http.StatusConflict, codeAlarmTestEnded, "报警测试时段已结束，不能取消", "the alarm test window has already ended")
	}
	a.log.Error().Err(err).Msg("alarm test window store failed")
	return errInternal
}

// Error codes of the alarm test routes.
const (
	codeInvalidAlarmTest = "invalid_alarm_test" // 400: a limit or an unknown school/terminal
	codeAlarmTestEnded   = "alarm_test_ended"   // 409: cancelling a window that has ended
)
