package api

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// Who may silence what (issue 7). The roles admin, police, education and
// market may silence; a school may not (a school muting its own lapses
// would defeat the oversight). Then, in this order:
//   - jurisdiction (here): a city-wide viewer may silence any place; any
//     other viewer's silence must be bounded by a literal (not regex)
//     school matcher naming a school they see, or a region matcher naming
//     a region they see whole; the other matchers only narrow it further,
//     as all matchers must match (403 outside_jurisdiction);
//   - audience (lifecycle.CheckScope): every rule the silence may mute is
//     told to the viewer's role (admin: every audience); a silence without
//     a rule matcher may mute every rule and is refused; alarm_panic and
//     alarm_unacked only by the police, as a drill (403 silence_forbidden);
//   - durations (lifecycle): at most silence_max_duration (default 7d),
//     and silence_drill_max_duration (default 4h) for a silence that may
//     mute a panic rule (400 silence_too_long).
// A viewer is shown the silences that could mute an alert of a school
// they see, and may end those inside their jurisdiction that may mute a
// rule told to their role (lifecycle.MayEnd: ending only lets
// notifications out again, so no police role or narrow matchers needed).

// silenceList is the answer of GET /api/v1/silences.
type silenceList struct {
	Silences []lifecycle.Silence `json:"silences"`
	Count    int                 `json:"count"`
}

// silenceRequest is the body of POST /api/v1/silences: ends_at or
// duration ("2h", "3d") from starts_at (default now).
type silenceRequest struct {
	Matchers []lifecycle.Matcher `json:"matchers"`
	StartsAt *time.Time          `json:"starts_at"`
	EndsAt   *time.Time          `json:"ends_at"`
	Duration string              `json:"duration"`
	Reason   string              `json:"reason"`
}

// maxReason bounds a silence's reason, in characters.
const maxReason = 500

func (a *API) listSilences(w http.ResponseWriter, r *http.Request, v Viewer) {
	q := r.URL.Query()
	if e := checkParams(q, "active"); e != nil {
		writeError(w, e)
		return
	}
	active := false
	if s, e := singleParam(q, "active"); e != nil {
		writeError(w, e)
		return
	} else if s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			writeError(w, badParam("active", "应为 true 或 false："+s, "must be true or false: "+strconv.Quote(s)))
			return
		}
		active = b
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	out := []lifecycle.Silence{}
	for _, s := range a.opts.Alerts.Silences(active) {
		if silenceVisible(v, &s, reg) {
			out = append(out, s)
		}
	}
	writeJSON(w, http.StatusOK, silenceList{Silences: out, Count: len(out)})
}

func (a *API) createSilence(w http.ResponseWriter, r *http.Request, v Viewer) {
	if !v.MaySilence() {
		writeError(w, errNoSilence)
		return
	}
	var req silenceRequest
	if e := readRequiredBody(w, r, &req); e != nil {
		writeError(w, e)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	s, e := req.silence(a.opts.Clock(), reg)
	if e != nil {
		writeError(w, e)
		return
	}
	if !silenceInside(v, &s, reg) {
		writeError(w, errOutside)
		return
	}
	out, err := a.opts.Alerts.AddSilenceAs(s, v.Silencer())
	if err != nil {
		if e := policyError(err); e != nil {
			writeError(w, e)
			return
		}
		// Otherwise AddSilence fails only on what it validates; ours
		// caught it all unless the lifecycle's clock disagrees with ours.
		writeError(w, newError(http.StatusBadRequest, codeInvalidSilence, "静默规则无效："+err.Error(), err.Error()))
		return
	}
	w.Header().Set("Location", "/api/v1/silences/"+out.ID)
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) expireSilence(w http.ResponseWriter, r *http.Request, v Viewer) {
	if !v.MaySilence() {
		writeError(w, errNoSilence)
		return
	}
	id := r.PathValue("id")
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	var found *lifecycle.Silence
	for _, s := range a.opts.Alerts.Silences(false) {
		if s.ID == id {
			found = &s
			break
		}
	}
	if found == nil || !silenceVisible(v, found, reg) {
		writeError(w, notFound("静默规则 "+id, "silence "+id))
		return
	}
	if !silenceInside(v, found, reg) {
		writeError(w, errOutside)
		return
	}
	err := a.opts.Alerts.ExpireSilenceAs(id, v.Silencer())
	if e := policyError(err); e != nil {
		writeError(w, e)
		return
	}
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, lifecycle.ErrNotFound):
		writeError(w, notFound("静默规则 "+id, "silence "+id))
	case errors.Is(err, lifecycle.ErrSilenceExpired):
		writeError(w, newError(http.StatusConflict, codeSilenceExpired, "静默规则已结束", "the silence has already expired"))
	default:
		a.internal(w, r, err)
	}
}

// errNoSilence: schools may not silence alerts (a school silencing its
// own lapses would defeat the oversight).
var errNoSilence = newError(http.StatusForbidden, codeRoleForbidden,
	"您的角色不能创建或结束静默（仅管理员、公安、教育局、市场监管）",
	"your role may not create or end silences (admin, police, education and market regulation only)")

// MaySilence reports whether the viewer's role may create or end silences
// at all: admin, police, education and market, inside their jurisdiction
// and for the rules told to them.
func (v Viewer) MaySilence() bool {
	switch v.Role {
	case RoleAdmin, RolePolice, RoleEducation, RoleMarket:
		return true
	}
	return false
}

// Silencer is v as the silence policy sees them: the audiences of their
// role (admin: every one), and the police may silence the panic rules. An
// admin is a technical role: a panic drill is a police matter.
func (v Viewer) Silencer() lifecycle.Silencer {
	aud := v.Audiences
	if v.Role == RoleAdmin {
		aud = alerting.Audiences
	}
	return lifecycle.Silencer{Name: v.Name, Audiences: slices.Clone(aud), Drill: v.Role == RolePolice}
}

var errOutside = newError(http.StatusForbidden, codeOutside,
	"只能静默本辖区：须有一个 school 或 region 匹配条件（非正则）指向您辖区内的学校或区县",
	"outside your jurisdiction: a school or region matcher (not a regex) must name a school or region of yours")

// silence checks req and builds the silence it asks for (without author).
func (req *silenceRequest) silence(now time.Time, reg *devices.Registry) (lifecycle.Silence, *apiError) {
	var s lifecycle.Silence
	s.Reason = strings.TrimSpace(req.Reason)
	if s.Reason == "" {
		return s, badParam("reason", "必须填写静默原因", "is required")
	}
	if utf8.RuneCountInString(s.Reason) > maxReason {
		return s, badParam("reason", "过长", "is too long")
	}
	if e := checkMatchers(req.Matchers, reg); e != nil {
		return s, e
	}
	s.Matchers = slices.Clone(req.Matchers)
	s.StartsAt = now
	if req.StartsAt != nil {
		s.StartsAt = *req.StartsAt
	}
	switch {
	case req.EndsAt != nil && req.Duration != "":
		return s, badParam("ends_at", "ends_at 与 duration 只能给出一个", "give ends_at or duration, not both")
	case req.EndsAt != nil:
		s.EndsAt = *req.EndsAt
	case req.Duration != "":
		d, ok := parseDuration(req.Duration)
		if !ok {
			return s, badParam("duration", "应为正的时长（如 2h、3d）", "must be a positive duration (2h, 3d)")
		}
		s.EndsAt = s.StartsAt.Add(d)
	default:
		return s, badParam("ends_at", "须给出 ends_at 或 duration", "give ends_at or duration")
	}
	if !s.EndsAt.After(s.StartsAt) {
		return s, badParam("ends_at", "须晚于开始时间", "must be after starts_at")
	}
	if !s.EndsAt.After(now) {
		return s, badParam("ends_at", "须在将来", "must be in the future")
	}
	return s, nil
}

// checkMatchers validates ms as the lifecycle will, and checks literal
// values against the catalogue and the registry so that a typo is an
// error rather than a silence that mutes nothing.
func checkMatchers(ms []lifecycle.Matcher, reg *devices.Registry) *apiError {
	if len(ms) == 0 {
		return badParam("matchers", "至少需要一个匹配条件", "at least one matcher is required")
	}
	narrow := false
	for i, m := range ms {
		param := fmt.Sprintf("matchers[%d]", i)
		if !slices.Contains(lifecycle.MatcherNames, m.Name) {
			return badParam(param, "name 应为 "+strings.Join(lifecycle.MatcherNames, "、"),
				"name must be one of "+strings.Join(lifecycle.MatcherNames, ", ")+": "+strconv.Quote(m.Name))
		}
		if m.Regex {
			re, err := regexp.Compile("^(?:" + m.Value + ")$")
			if err != nil {
				return badParam(param, "正则表达式无效："+err.Error(), "invalid regex: "+err.Error())
			}
			narrow = narrow || !re.MatchString("")
			continue
		}
		narrow = true
		if m.Value == "" {
			return badParam(param, "value 不能为空（匹配空值请用正则）", "value is required (use a regex to match an empty value)")
		}
		if !literalKnown(m, reg) {
			return badParam(param, "未知的 "+m.Name+"："+m.Value, "unknown "+m.Name+": "+strconv.Quote(m.Value))
		}
	}
	if !narrow {
		return badParam("matchers", "至少一个匹配条件不能匹配空值（否则会静默全市）",
			"at least one matcher must not match an empty value (it would silence the whole city)")
	}
	return nil
}

// literalKnown reports whether the literal value of m names something
// that exists (device and subject are free text).
func literalKnown(m lifecycle.Matcher, reg *devices.Registry) bool {
	switch m.Name {
	case "rule":
		_, ok := alerting.Info(alerting.RuleID(m.Value))
		return ok
	case "severity":
		_, err := alerting.ParseSeverity(m.Value)
		return err == nil
	case "school":
		_, ok := reg.School(m.Value)
		return ok
	case "region":
		_, ok := reg.Region(m.Value)
		return ok
	}
	return true
}
