package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/campusguard/campusguard/alerting"
)

// NotifyDigest POSTs one robot message for the digest d. The generic format
// has no digest: it refuses one (the Dispatcher never groups it).
func (w *WebhookNotifier) NotifyDigest(ctx context.Context, d *Digest) (bool, error) {
	if len(d.Notifications) == 0 {
		return false, fmt.Errorf("%w: empty digest", ErrInvalid)
	}
	if w.format == FormatGeneric {
		return false, fmt.Errorf("%w: the generic webhook sends no digests", ErrInvalid)
	}
	return w.post(ctx, func(sep string, color bool) markdown { return renderDigest(d, sep, color) })
}

// renderDigest renders a digest for a group robot: a Chinese block, an
// English block, then the list of the alerts it carries (school, device,
// start time), which both languages share.
func renderDigest(d *Digest, sep string, color bool) markdown {
	ns := d.Notifications
	first := &ns[0].Alert
	rank, schools, sameRule, regions := first.Severity.Rank(), map[string]bool{}, true, []string{}
	for i := range ns {
		a := &ns[i].Alert
		rank = min(rank, a.Severity.Rank())
		schools[a.School] = true
		sameRule = sameRule && a.Rule == first.Rule
		if !containsStr(regions, a.Region) {
			regions = append(regions, a.Region)
		}
	}
	sev := alerting.P3
	for _, s := range []alerting.Severity{alerting.P0, alerting.P1, alerting.P2, alerting.P3} {
		if s.Rank() == rank {
			sev = s
		}
	}
	titleZH, titleEN := "多类告警", "several rules"
	if sameRule {
		titleZH, titleEN = string(first.Rule), string(first.Rule)
		if info, ok := alerting.Info(first.Rule); ok {
			titleZH, titleEN = info.TitleZH, info.TitleEN
		}
	}
	sevZH, sevEN := string(sev)+" "+severityZH[sev], string(sev)+" "+severityEN[sev]
	if color {
		c := "warning"
		switch {
		case ns[0].Event == EventResolved:
			c = "info"
		case rank >= 2:
			c = "comment"
		}
		sevZH = `<font color="` + c + `">` + sevZH + `</font>`
		sevEN = `<font color="` + c + `">` + sevEN + `</font>`
	}
	total := max(d.Total, len(ns))
	part := total > len(ns)
	last := d.First + len(ns) - 1
	region := strings.Join(regions, "、")
	if len(regions) > 5 {
		region = strings.Join(regions[:5], "、") + " …"
	}

	zh := []string{"### 【" + sevZH + "】" + titleZH + " · " + strconv.Itoa(total) + " 条"}
	zh = append(zh, "**事件**："+eventText(true, ns[0].Event, ns[0].Alert.Rule))
	zh = append(zh, "**区域**："+oneLine(region))
	count := fmt.Sprintf("**数量**：%d 条告警", total)
	if part {
		count += fmt.Sprintf("（本条列出第 %d–%d 条，涉及 %d 所学校）", d.First, last, len(schools))
	} else {
		count += fmt.Sprintf("，涉及 %d 所学校", len(schools))
	}
	zh = append(zh, count, "详情请在告警列表中逐条确认处置。")

	en := []string{"### [" + sevEN + "] " + titleEN + " · " + strconv.Itoa(total) + " alerts"}
	en = append(en, "**Event**: "+eventText(false, ns[0].Event, ns[0].Alert.Rule))
	en = append(en, "**Region**: "+oneLine(strings.ReplaceAll(region, "、", ", ")))
	count = fmt.Sprintf("**Count**: %d alerts", total)
	if part {
		count += fmt.Sprintf(" (this message lists %d–%d, at %d schools)", d.First, last, len(schools))
	} else {
		count += fmt.Sprintf(" at %d schools", len(schools))
	}
	en = append(en, count, "Acknowledge and handle each one in the alert list.")

	list := []string{"**学校 / School · 设备 / Device · 开始 / Started (Asia/Shanghai)**"}
	for i := range ns {
		a := &ns[i].Alert
		line := strconv.Itoa(d.First+i) + ". " + oneLine(a.School)
		if a.Device != "" {
			line += " · " + oneLine(a.Device)
		}
		if !sameRule {
			line += " · " + string(a.Rule)
		}
		if t := localTime(a.StartedAt, ""); t != "" {
			line += " · " + t[len("2006-01-02 "):]
		}
		list = append(list, line)
	}

	text := strings.Join([]string{strings.Join(zh, sep), strings.Join(en, sep), strings.Join(list, sep)}, "\n\n")
	title := "【" + string(sev) + "】" + titleZH + " · " + strconv.Itoa(total) + " 条"
	return markdown{title: title, text: text}
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
