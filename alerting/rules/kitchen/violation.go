package kitchen

import (
	"fmt"
	"strconv"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// violation handles kitchen.violation: every one fires at once, by tier;
// repeats fire kitchen_repeat. Violations never resolve on their own:
// people close them with a note.
func (s *State) violation(c engine.Ctx, cam *camera, ev *devices.Event) {
	cat := ev.Str("category")
	tier := devices.ViolationCategories[cat]
	if tier == 0 {
		return // not in the vocabulary: ingest rejects it before here
	}
	now := c.Now()
	place, placeEN := "后厨", ""
	if cam != nil {
		place, placeEN = cam.placeZH(), cam.at()
	}
	name := catNames[cat]
	confZH, confEN := "", ""
	if v, ok := ev.Num("confidence"); ok {
		confZH, confEN = fmt.Sprintf("；AI 置信度 %.0f%%", v*100), fmt.Sprintf("; AI confidence %.0f%%", v*100)
	}
	cond := alerting.Condition{Rule: alerting.KitchenViolation, Device: ev.Device}
	switch tier {
	case 1:
		cond.Severity = alerting.P1
		cond.Subject = violationSubject(ev, cat)
		cond.MessageZH = fmt.Sprintf("%s %s发现%s（一级违规，须立即处置%s）", s.school, place, name.zh, confZH)
		cond.MessageEN = fmt.Sprintf("%s: %s detected by camera %s%s (tier 1, act now%s)", s.school, name.en, ev.Device, placeEN, confEN)
	case 2:
		due := now.Add(c.Params().KitchenCloseWithin)
		cond.Severity = alerting.P2
		cond.Subject = violationSubject(ev, cat)
		cond.DueAt = &due
		local := due.In(devices.Location()).Format("2006-01-02 15:04")
		cond.MessageZH = fmt.Sprintf("%s %s发现%s（二级违规，须于 %s 前整改%s）", s.school, place, name.zh, local, confZH)
		cond.MessageEN = fmt.Sprintf("%s: %s detected by camera %s%s (tier 2, rectify by %s%s)", s.school, name.en, ev.Device, placeEN, local, confEN)
	default:
		day := devices.DateOf(now.In(devices.Location()))
		if day != s.t3Day {
			s.t3Day = day
			clear(s.t3)
		}
		s.t3[cat]++
		n := s.t3[cat]
		cond.Severity = alerting.P3
		cond.Subject = cat + "@" + day.String()
		cond.Device = "" // a daily summary of the category, over every camera
		cond.MessageZH = fmt.Sprintf("%s 后厨%s（三级违规，今日第 %d 次，最近一次在%s）", s.school, name.zh, n, place)
		cond.MessageEN = fmt.Sprintf("%s: %s in the kitchen (tier 3, %d today, last by camera %s%s)", s.school, name.en, n, ev.Device, placeEN)
		c.Fire(cond)
		if n == c.Params().KitchenRepeatTier3 {
			c.Fire(alerting.Condition{
				Rule:      alerting.KitchenRepeat,
				Subject:   cat + "@" + day.String(),
				MessageZH: fmt.Sprintf("%s 后厨 %s %s已发生 %d 次（三级违规反复发生）", s.school, day, name.zh, n),
				MessageEN: fmt.Sprintf("%s: %s %d times in the kitchen on %s (repeated tier-3 violation)", s.school, name.en, n, day),
			})
		}
		return
	}
	c.Fire(cond)
	if tier == 2 {
		within := c.Params().KitchenRepeatTier2
		if last, ok := s.t2Last[cat]; ok && now.Sub(last) <= within {
			days := within.Hours() / 24
			prev := last.In(devices.Location()).Format("2006-01-02 15:04")
			c.Fire(alerting.Condition{
				Rule:      alerting.KitchenRepeat,
				Subject:   cat,
				MessageZH: fmt.Sprintf("%s 后厨 %g 天内再次发现%s（上次 %s）", s.school, days, name.zh, prev),
				MessageEN: fmt.Sprintf("%s: %s again in the kitchen within %g days (last %s)", s.school, name.en, days, prev),
			})
		}
		s.t2Last[cat] = now
	}
}

// violationSubject makes each tier-1/2 violation its own alert:
// "<device>:<category>:<event id>".
func violationSubject(ev *devices.Event, cat string) string {
	id := ev.ID
	if id == "" {
		id = strconv.FormatInt(ev.TS.UnixMilli(), 10)
	}
	return ev.Device + ":" + cat + ":" + id
}

type names struct{ zh, en string }

// catNames names the violation categories of the vocabulary.
var catNames = map[string]names{
	"rodent":           {"老鼠出没", "rodent"},
	"flame_unattended": {"明火无人看管", "unattended flame"},
	"smoking":          {"吸烟", "smoking"},
	"bin_open":         {"垃圾桶未加盖", "waste bin lid open"},
	"phone":            {"操作时玩手机", "phone use"},
	"stranger":         {"陌生人进入", "stranger"},
	"no_hat":           {"未戴厨师帽", "no hat"},
	"no_mask":          {"未戴口罩", "no mask"},
	"no_uniform":       {"未穿工作服", "no uniform"},
	"no_gloves":        {"未戴手套", "no gloves"},
	"shirtless":        {"赤膊", "shirtless"},
}
