package notify

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
)

// shanghai is Asia/Shanghai: UTC+8 all year (no daylight saving since
// 1991), fixed so that rendering needs no tzdata.
var shanghai = time.FixedZone("CST", 8*3600)

const timeLayout = "2006-01-02 15:04:05"

var (
	eventZH = map[string]string{
		EventFired: "新告警", EventUpdated: "告警更新", EventAcknowledged: "已确认",
		EventResolved: "已解除", EventEscalated: "超时未确认，已升级", EventReminder: "提醒：仍未处置",
		EventRepeated: "再次按下报警", EventReported: "学校已提交整改反馈，待复核", EventReturned: "整改反馈被退回，请重新处置",
	}
	eventEN = map[string]string{
		EventFired: "new alert", EventUpdated: "updated", EventAcknowledged: "acknowledged",
		EventResolved: "resolved", EventEscalated: "escalated: not acknowledged in time", EventReminder: "reminder: still open",
		EventRepeated: "pressed again", EventReported: "the school reported what it did: to verify",
		EventReturned: "report sent back: act again",
	}
	severityZH = map[alerting.Severity]string{alerting.P0: "特急", alerting.P1: "紧急", alerting.P2: "当日处置", alerting.P3: "日报"}
	severityEN = map[alerting.Severity]string{alerting.P0: "critical", alerting.P1: "urgent", alerting.P2: "same day", alerting.P3: "daily report"}
	stateZH    = map[alerting.State]string{alerting.Firing: "告警中", alerting.Acknowledged: "已确认", alerting.Resolved: "已解除"}
)

// Response practice for panic alarms (docs/rules.md "1-3-5").
const (
	reminder135ZH = "**“1-3-5”处置要求**：1 分钟校内自救 / 3 分钟联防互救 / 5 分钟警力到场"
	reminder135EN = "**\"1-3-5\" response**: 1 min school self-rescue / 3 min mutual aid / 5 min police on scene"
)

// markdown is a rendered robot message.
type markdown struct {
	title string // DingTalk's title: the notification preview
	text  string
}

// renderMarkdown renders n for a group robot: Chinese first, then English.
// sep separates lines (DingTalk needs a blank line for a line break);
// color marks the severity with WeCom's <font color>.
func renderMarkdown(n *Notification, sep string, color bool) markdown {
	a := &n.Alert
	titleZH, titleEN := string(a.Rule), string(a.Rule)
	if info, ok := alerting.Info(a.Rule); ok {
		titleZH, titleEN = info.TitleZH, info.TitleEN
	}
	sevZH, sevEN := string(a.Severity), string(a.Severity)
	if s, ok := severityZH[a.Severity]; ok {
		sevZH += " " + s
		sevEN += " " + severityEN[a.Severity]
	}
	if color {
		c := "warning" // orange
		switch {
		case a.State == alerting.Resolved:
			c = "info" // green
		case a.Severity.Rank() >= 2:
			c = "comment" // grey
		}
		sevZH = `<font color="` + c + `">` + sevZH + `</font>`
		sevEN = `<font color="` + c + `">` + sevEN + `</font>`
	}
	panic135 := (a.Rule == alerting.AlarmPanic || a.Rule == alerting.AlarmUnacked) &&
		a.Severity == alerting.P0 && a.State != alerting.Resolved

	var zh, en []string
	field := func(lines *[]string, k, v string) {
		if v = oneLine(v); v != "" {
			*lines = append(*lines, "**"+k+"**："+v)
		}
	}
	fieldEN := func(lines *[]string, k, v string) {
		if v = oneLine(v); v != "" {
			*lines = append(*lines, "**"+k+"**: "+v)
		}
	}

	zh = append(zh, "### 【"+sevZH+"】"+titleZH)
	field(&zh, "事件", eventText(true, n.Event, a.Rule))
	field(&zh, "学校", a.School)
	field(&zh, "区域", a.Region)
	field(&zh, "设备", a.Device)
	field(&zh, "开始时间", localTime(a.StartedAt, "（北京时间）"))
	field(&zh, "状态", lookup(stateZH, string(a.State)))
	field(&zh, "确认人", a.AckedBy)
	if a.ResolvedAt != nil {
		field(&zh, "解除时间", localTime(*a.ResolvedAt, "（北京时间）"))
	}
	field(&zh, "备注", a.Note)
	field(&zh, "整改反馈", a.Feedback)
	field(&zh, "佐证链接", a.Evidence)
	if a.Handling == alerting.Returned {
		field(&zh, "退回原因", a.ReviewNote)
	}
	field(&zh, "说明", a.MessageZH)
	if panic135 {
		zh = append(zh, "> "+reminder135ZH)
	}

	en = append(en, "### ["+sevEN+"] "+titleEN)
	fieldEN(&en, "Event", eventText(false, n.Event, a.Rule))
	fieldEN(&en, "School", a.School)
	fieldEN(&en, "Region", a.Region)
	fieldEN(&en, "Device", a.Device)
	fieldEN(&en, "Started", localTime(a.StartedAt, " (Asia/Shanghai)"))
	fieldEN(&en, "State", string(a.State))
	fieldEN(&en, "Acknowledged by", a.AckedBy)
	if a.ResolvedAt != nil {
		fieldEN(&en, "Resolved", localTime(*a.ResolvedAt, " (Asia/Shanghai)"))
	}
	fieldEN(&en, "Note", a.Note)
	fieldEN(&en, "Report", a.Feedback)
	fieldEN(&en, "Evidence", a.Evidence)
	if a.Handling == alerting.Returned {
		fieldEN(&en, "Sent back because", a.ReviewNote)
	}
	fieldEN(&en, "Message", a.MessageEN)
	if panic135 {
		en = append(en, "> "+reminder135EN)
	}

	// Blocks are separated by a blank line, so that a quote does not swallow
	// the next line and the English heading starts afresh.
	blocks := []string{strings.Join(zh, sep), strings.Join(en, sep)}
	if a.ID != "" {
		blocks = append(blocks, "告警编号 / Alert ID: "+oneLine(a.ID))
	}
	title := "【" + string(a.Severity) + "】" + titleZH
	if a.School != "" {
		title += " · " + oneLine(a.School)
	}
	return markdown{title: title, text: strings.Join(blocks, "\n\n")}
}

// eventText names event for an alert of rule, in Chinese or English:
// "repeated" is a new press on a panic, and for any other rule its
// condition back after it had cleared.
func eventText(zh bool, event string, rule alerting.RuleID) string {
	switch {
	case event == EventRepeated && rule != alerting.AlarmPanic && zh:
		return "已消除后再次发生"
	case event == EventRepeated && rule != alerting.AlarmPanic:
		return "happened again after it had cleared"
	case zh:
		return lookup(eventZH, event)
	}
	return lookup(eventEN, event)
}

func lookup[K ~string](m map[K]string, k string) string {
	if v, ok := m[K(k)]; ok {
		return v
	}
	return k
}

// localTime formats t in Asia/Shanghai, or "" for the zero time.
func localTime(t time.Time, suffix string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format(timeLayout) + suffix
}

// oneLine keeps a value on its line: a newline in a message must not start
// a markdown heading or quote.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}

// truncate cuts s to at most limit bytes on a rune boundary, marking the cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	const mark = "…"
	cut := limit - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
