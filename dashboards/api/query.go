package api

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

var (
	regionPattern = regexp.MustCompile(`^[0-9]{6}$`)
	idPattern     = regexp.MustCompile(`^[a-z0-9-]{1,64}$`) // the registry's ids
)

// checkParams answers 400 for a query parameter the route does not know,
// so that a misspelt filter never silently widens an answer.
func checkParams(q url.Values, known ...string) *apiError {
	for name := range q {
		if !slices.Contains(known, name) {
			e := newError(400, codeUnknownParameter, "未知参数 "+name, "unknown parameter "+name)
			e.Body.Param = name
			return e
		}
	}
	return nil
}

// listParam returns the values of name, repeated or comma-separated, with
// blanks dropped.
func listParam(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// singleParam returns the one value of name ("" when absent).
func singleParam(q url.Values, name string) (string, *apiError) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", nil
	case 1:
		return strings.TrimSpace(vs[0]), nil
	}
	return "", badParam(name, "只能给出一次", "must be given once")
}

// alertFilterParams are the query parameters of GET /api/v1/alerts.
var alertFilterParams = []string{"state", "region", "school", "rule", "severity", "since", "audience"}

// parseAlertFilter reads the filters of GET /api/v1/alerts at now.
func parseAlertFilter(q url.Values, now time.Time) (lifecycle.Filter, *apiError) {
	var f lifecycle.Filter
	if e := checkParams(q, alertFilterParams...); e != nil {
		return f, e
	}
	for _, s := range listParam(q, "state") {
		switch st := alerting.State(s); st {
		case alerting.Firing, alerting.Acknowledged, alerting.Resolved:
			f.States = append(f.States, st)
		case "open":
			f.States = append(f.States, alerting.Firing, alerting.Acknowledged)
		default:
			return f, badParam("state", "应为 firing、acknowledged、resolved 或 open："+s,
				"must be firing, acknowledged, resolved or open: "+strconv.Quote(s))
		}
	}
	for _, s := range listParam(q, "region") {
		if !regionPattern.MatchString(s) {
			return f, badParam("region", "应为6位行政区划代码："+s, "must be a 6-digit division code: "+strconv.Quote(s))
		}
		f.Regions = append(f.Regions, s)
	}
	for _, s := range listParam(q, "school") {
		if !idPattern.MatchString(s) {
			return f, badParam("school", "学校编号格式错误："+s, "not a school id: "+strconv.Quote(s))
		}
		f.Schools = append(f.Schools, s)
	}
	for _, s := range listParam(q, "rule") {
		if _, ok := alerting.Info(alerting.RuleID(s)); !ok {
			return f, badParam("rule", "未知规则："+s, "unknown rule: "+strconv.Quote(s))
		}
		f.Rules = append(f.Rules, alerting.RuleID(s))
	}
	for _, s := range listParam(q, "severity") {
		sev, err := alerting.ParseSeverity(s)
		if err != nil {
			return f, badParam("severity", "应为 P0、P1、P2 或 P3："+s, "must be P0, P1, P2 or P3: "+strconv.Quote(s))
		}
		f.Severities = append(f.Severities, sev)
	}
	for _, s := range listParam(q, "audience") {
		aud := alerting.Audience(s)
		if !slices.Contains(alerting.Audiences, aud) {
			return f, badParam("audience", "应为 police、education、market 或 school："+s,
				"must be police, education, market or school: "+strconv.Quote(s))
		}
		f.Audiences = append(f.Audiences, aud)
	}
	since, e := singleParam(q, "since")
	if e != nil {
		return f, e
	}
	if since != "" {
		t, ok := parseSince(since, now)
		if !ok {
			return f, badParam("since", "应为 RFC 3339 时间或正的时长（如 24h、7d）："+since,
				"must be an RFC 3339 time or a positive duration (24h, 7d): "+strconv.Quote(since))
		}
		f.Since = t
	}
	return f, nil
}

// parseSince reads an RFC 3339 time, or a duration back from now: Go's
// syntax ("90m", "24h") or whole days ("7d"). A "+08:00" offset sent
// without URL-escaping arrives as " 08:00" and is taken as meant.
func parseSince(s string, now time.Time) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "+", 1)); err == nil {
		return t, true
	}
	d, ok := parseDuration(s)
	if !ok {
		return time.Time{}, false
	}
	return now.Add(-d), true
}

// parseDuration reads a positive duration: Go's syntax or whole days "7d".
func parseDuration(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3660 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}

// dateParam reads ?date=YYYY-MM-DD, defaulting to today.
func dateParam(q url.Values, today devices.Date) (devices.Date, *apiError) {
	s, e := singleParam(q, "date")
	if e != nil || s == "" {
		return today, e
	}
	d, err := devices.ParseDate(s)
	if err != nil {
		return today, badParam("date", "应为 YYYY-MM-DD："+s, "must be YYYY-MM-DD: "+strconv.Quote(s))
	}
	return d, nil
}
