package kitchen

import (
	"fmt"
	"strconv"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// violation handles kitchen.violation. A detection below
// KitchenMinConfidence raises nothing (it is stored upstream and counted
// in a metric). Otherwise it fires kitchen_violation by tier, with a
// rectification deadline (DueAt) for every tier, so every tier can go
// overdue; repeats fire kitchen_repeat. Violations never resolve on their
// own: the school reports the fix and market regulation closes them.
//
// Tier 1 and 2 detections of one category at one camera within
// KitchenGroupWindow of the first are one alert (one subject), which the
// lifecycle counts; the deadline runs from the first. A detection after
// the window starts a new alert; one inside the window after the alert
// was closed opens a new alert of the same subject (the lifecycle creates
// one when none is open). Tier 3 stays the daily summary: one alert per
// category and local day over every camera.
func (s *State) violation(c engine.Ctx, cam *camera, ev *devices.Event) {
	cat := ev.Str("category")
	tier := devices.ViolationCategories[cat]
	if tier == 0 {
		return // not in the vocabulary: ingest rejects it before here
	}
	p := c.Params()
	conf, hasConf := ev.Num("confidence")
	if hasConf && conf < p.KitchenMinConfidence {
		s.met.lowConfidence.WithLabelValues(cat).Inc()
		return
	}
	now := c.Now()
	v := detection{cat: cat, name: catNames[cat], place: "后厨", device: ev.Device, snapshot: ev.Str("snapshot")}
	if cam != nil {
		v.place, v.placeEN = cam.placeZH(), cam.at()
	}
	if hasConf {
		v.confZH, v.confEN = fmt.Sprintf("；AI 置信度 %.0f%%", conf*100), fmt.Sprintf("; AI confidence %.0f%%", conf*100)
	}
	if tier == 3 {
		s.tier3(c, &v, now)
		return
	}
	g := s.group(ev, cat, now, p.KitchenGroupWindow)
	due := g.first.Add(p.KitchenDeadline(tier))
	cond := alerting.Condition{Rule: alerting.KitchenViolation, Device: ev.Device, Subject: g.subject, DueAt: &due, Snapshot: v.snapshot}
	local := due.In(devices.Location()).Format("2006-01-02 15:04")
	seenZH, seenEN := "", ""
	if g.n > 1 {
		since := g.first.In(devices.Location()).Format("15:04")
		seenZH = fmt.Sprintf(" %d 次（%s 起）", g.n, since)
		seenEN = fmt.Sprintf(" %d times since %s", g.n, since)
	}
	if tier == 1 {
		cond.Severity = alerting.P1
		cond.MessageZH = fmt.Sprintf("%s %s发现%s%s（一级违规，须立即处置，%s 前整改完毕%s）", s.school, v.place, v.name.zh, seenZH, local, v.confZH)
		cond.MessageEN = fmt.Sprintf("%s: %s detected%s by camera %s%s (tier 1, act now, rectify by %s%s)", s.school, v.name.en, seenEN, v.device, v.placeEN, local, v.confEN)
		c.Fire(cond)
		return
	}
	cond.Severity = alerting.P2
	cond.MessageZH = fmt.Sprintf("%s %s发现%s%s（二级违规，须于 %s 前整改%s）", s.school, v.place, v.name.zh, seenZH, local, v.confZH)
	cond.MessageEN = fmt.Sprintf("%s: %s detected%s by camera %s%s (tier 2, rectify by %s%s)", s.school, v.name.en, seenEN, v.device, v.placeEN, local, v.confEN)
	c.Fire(cond)
	s.tier2Repeat(c, &v, now)
}

// detection is what the messages say of one violation.
type detection struct {
	cat            string
	name           names
	place, placeEN string // where the camera is (placeEN: " at …" or "")
	device         string
	confZH, confEN string // "; AI confidence 93%" or ""
	snapshot       string // the event's evidence reference (URL or object key) or ""
}

// group is the open alert of one category at one camera: its subject and
// first detection (the deadline and the window run from it) and how many
// detections it has.
type group struct {
	subject string
	first   time.Time
	n       int
}

// group returns the group ev joins: the open one of its camera and
// category if ev comes within window of its first detection, else a new
// one named after ev. Groups whose window has passed are dropped.
func (s *State) group(ev *devices.Event, cat string, now time.Time, window time.Duration) *group {
	for k, g := range s.groups {
		if now.Sub(g.first) >= window {
			delete(s.groups, k)
		}
	}
	key := ev.Device + "\x00" + cat
	g := s.groups[key]
	if g == nil {
		g = &group{subject: violationSubject(ev, cat), first: now}
		s.groups[key] = g
	}
	g.n++
	return g
}

// tier3 counts a tier-3 detection into the day's summary alert of its
// category and fires kitchen_repeat at the threshold. Its deadline runs
// from the detection: the lifecycle keeps the deadline of an alert's
// first condition, so the summary's deadline runs from its first
// detection, and one opened again after a close gets a fresh one.
func (s *State) tier3(c engine.Ctx, v *detection, now time.Time) {
	p := c.Params()
	day := devices.DateOf(now.In(devices.Location()))
	if day != s.t3Day {
		s.t3Day = day
		clear(s.t3)
	}
	s.t3[v.cat]++
	n := s.t3[v.cat]
	due := now.Add(p.KitchenDeadline(3))
	c.Fire(alerting.Condition{
		Rule:      alerting.KitchenViolation,
		Severity:  alerting.P3,
		Subject:   v.cat + "@" + day.String(),
		DueAt:     &due,
		Snapshot:  v.snapshot,
		MessageZH: fmt.Sprintf("%s 后厨%s（三级违规，今日第 %d 次，最近一次在%s）", s.school, v.name.zh, n, v.place),
		MessageEN: fmt.Sprintf("%s: %s in the kitchen (tier 3, %d today, last by camera %s%s)", s.school, v.name.en, n, v.device, v.placeEN),
		// No Device: a daily summary of the category, over every camera.
	})
	if n == p.KitchenRepeatTier3 {
		c.Fire(alerting.Condition{
			Rule:      alerting.KitchenRepeat,
			Subject:   v.cat + "@" + day.String(),
			MessageZH: fmt.Sprintf("%s 后厨 %s %s已发生 %d 次（三级违规反复发生）", s.school, day, v.name.zh, n),
			MessageEN: fmt.Sprintf("%s: %s %d times in the kitchen on %s (repeated tier-3 violation)", s.school, v.name.en, n, day),
		})
	}
}

// tier2Repeat fires kitchen_repeat when a tier-2 category occurs again
// within KitchenRepeatTier2 of its previous detection (any camera). A
// detection within KitchenGroupWindow of the previous one is the same
// occurrence seen again, not a repeat.
func (s *State) tier2Repeat(c engine.Ctx, v *detection, now time.Time) {
	p := c.Params()
	last, ok := s.t2Last[v.cat]
	s.t2Last[v.cat] = now
	if !ok {
		return
	}
	gap := now.Sub(last)
	if gap < p.KitchenGroupWindow || gap > p.KitchenRepeatTier2 {
		return
	}
	days := p.KitchenRepeatTier2.Hours() / 24
	prev := last.In(devices.Location()).Format("2006-01-02 15:04")
	c.Fire(alerting.Condition{
		Rule:      alerting.KitchenRepeat,
		Subject:   v.cat,
		MessageZH: fmt.Sprintf("%s 后厨 %g 天内再次发现%s（上次 %s）", s.school, days, v.name.zh, prev),
		MessageEN: fmt.Sprintf("%s: %s again in the kitchen within %g days (last %s)", s.school, v.name.en, days, prev),
	})
}

// violationSubject names a tier-1/2 alert group after its first
// detection: "<device>:<category>:<event id>".
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
