package compliance

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/schedule"
	"github.com/campusguard/campusguard/devices"
)

// openAlerts are the lifecycle's open alerts a school's measures read.
type openAlerts struct {
	gate    []alerting.Alert // gate_forced, gate_intrusion
	kitchen []alerting.Alert // kitchen_overdue
}

// evaluate computes the measures of day d as observed up to end (the
// evaluation time: now for today, the next midnight for a past day).
// Call with st.mu held.
//
// Each measure is judged over its window of the day (school hours; the
// peaks; the kitchen operating windows): a failure that has happened is
// NotMet at once, a window that has not ended without one is NotJudged,
// and so is a day without school or a window campusguard did not watch.
func (st *schoolState) evaluate(d devices.Date, end time.Time, al openAlerts) SchoolDay {
	dayEnd := dayStart(d.AddDays(1))
	obs := span{later(dayStart(d), st.since), earlier(end, dayEnd)}
	if obs.empty() {
		obs.to = obs.from
	}
	out := SchoolDay{School: st.sch.ID, Region: st.sch.Region, Date: d, Measures: make(map[Measure]Result, len(Measures))}
	if !st.isSchoolDay(d) {
		for _, m := range Measures {
			out.Measures[m] = notJudged("非上学日", "not a school day")
		}
		if len(st.sch.Kitchens) == 0 {
			out.Measures[BrightKitchen] = notApplicable("未登记食堂后厨", "no kitchen registered")
		}
		out.fourHundred()
		return out
	}
	h0, h1 := hoursOf(st.sch, d)
	whole := intersect([]span{{h0.At(d), h1.At(d)}}, span{st.since, dayEnd}) // the watched school hours
	hours := intersect(whole, obs)                                           // of which observed so far
	day := dayFrame{d: d, obs: obs, wholeHours: whole, hours: hours, hoursEnd: h1.At(d)}
	out.Measures[ClosedCampus] = st.closedCampus(day, al.gate)
	out.Measures[GuardStaffing] = st.guardStaffing(day)
	out.Measures[ProtectionPost] = st.protectionPost(day)
	out.Measures[AlarmLink] = st.alarmLink(day)
	out.Measures[BrightKitchen] = st.brightKitchen(day, al.kitchen)
	out.fourHundred()
	return out
}

// dayFrame is what every measure of one school day is judged against.
type dayFrame struct {
	d          devices.Date
	obs        span      // observed: from start of day (or watching) to the evaluation time
	wholeHours []span    // the school hours watched (from Start)
	hours      []span    // of which observed so far
	hoursEnd   time.Time // when school hours end
}

// closedCampus: gate controllers online ≥ GateOnlineMin of school hours, no
// gate always open outside its opening windows, no gate_forced or
// gate_intrusion alert open GateAlertMaxOpen.
func (st *schoolState) closedCampus(f dayFrame, alerts []alerting.Alert) Result {
	gates := st.ofKind(devices.KindAccess)
	if len(gates) == 0 {
		return cannotShow("未登记门禁控制器", "no gate controllers registered")
	}
	var w why
	var buf []span
	var on, seen, watched time.Duration
	for _, g := range gates {
		buf = g.fresh.spans(f.obs.to, buf[:0])
		on += overlap(buf, g.mask(f.hours))
		seen += total(g.mask(f.hours))
		watched += total(g.mask(f.wholeHours))
	}
	ratio := share(on, seen)
	w.ratio(ratio, share(on+watched-seen, watched), GateOnlineMin,
		fmt.Sprintf("门禁控制器在校时段在线率 %s，低于 %s", pct(ratio), pct(GateOnlineMin)),
		fmt.Sprintf("gate controllers online %s of school hours, below %s", pct(ratio), pct(GateOnlineMin)))
	outside := minus(f.obs, gateWindows(st.sch, f.d, true))
	var open []string
	for _, g := range gates {
		buf = g.lv.spans(f.obs.to, buf[:0])
		if overlap(buf, outside) > 0 {
			open = append(open, g.name())
		}
	}
	if len(open) > 0 {
		w.add("非开放时段校门常开："+strings.Join(open, "、"),
			"gate always open outside its opening windows: "+strings.Join(open, ", "))
	}
	if st.gateFlag[f.d] || gateLapse(alerts, f.obs.to) {
		w.add("校门强行打开/闯入告警超过 24 小时未关闭", "a gate forced/intrusion alert open over 24 h")
	}
	return w.judge(ratio, f.obs.to, f.hoursEnd, len(f.wholeHours) > 0)
}

// guardStaffing: on school days, licensed guards on duty ≥ required from
// GuardCheckAfterDayStart after school hours begin until they end, a
// shortfall no longer than the handover gap forgiven (schedule.JudgeGuards:
// the verdict guard_understaffed fires on); and the guard room never
// unmanned longer than GuardroomUnmannedAfter. A school without a guard
// roster is not judged (licences unknown, as the guard rules: the rules
// raise nothing there either).
func (st *schoolState) guardStaffing(f dayFrame) Result {
	if st.guardDevs == 0 {
		return cannotShow("未登记保安签到终端", "no guard check-in terminals registered")
	}
	if !schedule.RosterKnown(st.sch) {
		return notJudged("未导入持证保安名册", "no guard roster imported")
	}
	var w why
	value := 1.0
	stays := st.allStays()
	h0, h1 := hoursOf(st.sch, f.d)
	// As the guard rule: from GuardCheckAfterDayStart after the day
	// start, or after Start when watching began later.
	chk := span{later(h0.At(f.d), st.since).Add(st.par.guardCheckAfter), h1.At(f.d)}
	watched := !chk.empty()
	if chk = chk.clip(f.obs); !chk.empty() {
		req := st.sch.RequiredGuards()
		v := st.par.sched.JudgeGuards(st.sch, stays, req, later(dayStart(f.d), st.since), chk.from, chk.to)
		value = min(1, float64(max(v.Least, 0))/float64(req))
		if !v.LapseAt.IsZero() {
			gzh, gen := spell(st.par.sched.HandoverGap)
			w.add(fmt.Sprintf("在校时段在岗持证保安最少 %d 人，应有 %d 人，不足超过交接时限 %s（%s 起）", v.Least, req, gzh, hhmm(v.LapseAt)),
				fmt.Sprintf("licensed guards on duty fell to %d in school hours, %d required, for over the %s handover gap (from %s)", v.Least, req, gen, hhmm(v.LapseAt)))
		}
	}
	if schedule.RoomWatched(st.sch) {
		var present []span
		for i := range stays {
			if s := &stays[i]; s.Role == schedule.RoleGuard && s.Post == devices.PostGuardroom {
				present = append(present, span{s.In, earlier(st.par.sched.End(s), f.obs.to)})
			}
		}
		present = union(present)
		var longest time.Duration
		for _, g := range minus(span{st.since, f.obs.to}, present) {
			if (span{g.from.Add(st.par.roomAfter), g.to}).clip(f.obs).empty() {
				continue
			}
			longest = max(longest, g.len())
		}
		if longest > 0 {
			zh, en := spell(longest)
			azh, aen := spell(st.par.roomAfter)
			w.add(fmt.Sprintf("门卫室无保安值守长达 %s（超过 %s）", zh, azh),
				fmt.Sprintf("guard room without a guard for %s (over %s)", en, aen))
		}
	}
	return w.judge(value, f.obs.to, f.hoursEnd, watched)
}

// protectionPost: every protection-post window of a school day
// (schedule.Windows: every peak at every post with a minimum staffing)
// staffed — from its start, at every instant, at least its Need people who
// checked in within its lead time (schedule.JudgeWindow: the verdict the
// post rules fire on). A shortfall is final at once; a window not watched
// from its start (the engine started later) is not judged.
func (st *schoolState) protectionPost(f dayFrame) Result {
	wins := st.par.sched.Windows(st.sch, f.d, true)
	if len(wins) == 0 {
		return notApplicable("无护学岗高峰时段", "no peak windows")
	}
	if st.guardDevs == 0 {
		return cannotShow("未登记保安签到终端", "no guard check-in terminals registered")
	}
	var w why
	stays := st.allStays()
	judged, staffed, watched := 0, 0, false
	var last time.Time
	for _, pw := range wins {
		last = later(last, pw.End)
		if pw.Start.Before(st.since) {
			continue // not watched from its start
		}
		watched = true
		v := st.par.sched.JudgeWindow(&pw, stays, f.obs.to)
		if !v.Started {
			continue // not begun
		}
		judged++
		name := schedule.PostName(st.sch, pw.Post)
		switch {
		case v.Staffed():
			staffed++
		case v.AtStart == 0 && v.Least == 0 && v.ShortAt.Equal(pw.Start):
			w.add(fmt.Sprintf("%s %s 时段开始时无人到岗", name, hhmm(pw.Start)),
				fmt.Sprintf("%s: nobody at the post when the window started", pw.Subject))
		default:
			w.add(fmt.Sprintf("%s %s–%s 时段 %s 起在岗不足 %d 人（最少 %d 人）", name, hhmm(pw.Start), hhmm(pw.End), hhmm(v.ShortAt), pw.Need, v.Least),
				fmt.Sprintf("%s: fewer than %d at the post from %s (fewest %d)", pw.Subject, pw.Need, hhmm(v.ShortAt), v.Least))
		}
	}
	value := 1.0
	if judged > 0 {
		value = float64(staffed) / float64(judged)
	}
	return w.judge(value, f.obs.to, last, watched)
}

// hhmm renders t as local clock time.
func hhmm(t time.Time) string { return t.In(devices.Location()).Format("15:04") }

// alarmLink: at least one alarm terminal online ≥ AlarmOnlineMin of school
// hours, with no 110 link-down longer than AlarmLinkDownAfter in school
// hours, and a successful test within AlarmTestMaxAge.
func (st *schoolState) alarmLink(f dayFrame) Result {
	terms := st.ofKind(devices.KindAlarm)
	if len(terms) == 0 {
		return cannotShow("未登记一键报警终端", "no alarm terminals registered")
	}
	best, qualified, allCertain := 0.0, false, true
	var zhs, ens []string
	var buf []span
	for _, a := range terms {
		seen, watched := a.mask(f.hours), a.mask(f.wholeHours)
		buf = a.fresh.spans(f.obs.to, buf[:0])
		on := overlap(buf, seen)
		ratio := share(on, total(seen))
		best = max(best, ratio)
		var zh, en []string
		certain := false
		if ratio < AlarmOnlineMin {
			zh = append(zh, "在校时段在线率 "+pct(ratio))
			en = append(en, "online "+pct(ratio)+" of school hours")
			certain = share(on+total(watched)-total(seen), total(watched)) < AlarmOnlineMin
		}
		buf = a.lv.spans(f.obs.to, buf[:0])
		for _, s := range buf {
			if overlap([]span{{s.from.Add(st.par.linkDownAfter), s.to}}, f.hours) > 0 {
				azh, aen := spell(st.par.linkDownAfter)
				zh = append(zh, "与110联网中断超过 "+azh)
				en = append(en, "110 link down over "+aen)
				certain = true
				break
			}
		}
		if age := f.obs.to.Sub(a.lastTest); age > st.par.testMaxAge {
			azh, aen := spell(age)
			zh = append(zh, azh+"未成功测试")
			en = append(en, "no successful test for "+aen)
		}
		if len(zh) == 0 {
			qualified = true
			continue
		}
		allCertain = allCertain && certain
		zhs = append(zhs, a.name()+strings.Join(zh, "、"))
		ens = append(ens, a.id+" "+strings.Join(en, ", "))
	}
	var w why
	if !qualified {
		zh, en := "没有合格的一键报警终端："+strings.Join(zhs, "；"), "no alarm terminal qualifies: "+strings.Join(ens, "; ")
		if allCertain {
			w.add(zh, en)
		} else {
			w.maybe(zh, en)
		}
	}
	return w.judge(best, f.obs.to, f.hoursEnd, len(f.wholeHours) > 0)
}

// brightKitchen: kitchen cameras good (present, online, streaming, frame
// fresh, not occluded) ≥ KitchenOnlineMin of the operating windows, and
// no kitchen_overdue alert open. Not applicable to a school without a
// kitchen.
func (st *schoolState) brightKitchen(f dayFrame, alerts []alerting.Alert) Result {
	if len(st.sch.Kitchens) == 0 {
		return notApplicable("未登记食堂后厨", "no kitchen registered")
	}
	cams := st.ofKind(devices.KindKitchenCam)
	if len(cams) == 0 {
		return cannotShow("未登记明厨亮灶摄像头", "no kitchen cameras registered")
	}
	all := operating(st.sch, f.d, true, st.par.kitchenLead)
	if len(all) == 0 {
		return notApplicable("无后厨操作时段", "no kitchen operating windows")
	}
	wholeOps := intersect(all, span{st.since, dayStart(f.d.AddDays(1))})
	ops := intersect(wholeOps, f.obs)
	var good, seen, watched time.Duration
	var buf, bad []span
	for _, k := range cams {
		mask := k.mask(ops)
		seen += total(mask)
		watched += total(k.mask(wholeOps))
		bad = union(k.lv.spans(f.obs.to, bad[:0]))
		buf = k.fresh.spans(f.obs.to, buf[:0])
		for _, fr := range buf {
			good += overlap(minus(fr, bad), mask)
		}
	}
	var w why
	ratio := share(good, seen)
	w.ratio(ratio, share(good+watched-seen, watched), KitchenOnlineMin,
		fmt.Sprintf("后厨摄像头操作时段在线率 %s，低于 %s", pct(ratio), pct(KitchenOnlineMin)),
		fmt.Sprintf("kitchen cameras online %s of operating windows, below %s", pct(ratio), pct(KitchenOnlineMin)))
	if st.kitchFlag[f.d] || len(alerts) > 0 {
		w.add("有逾期未整改的后厨违规", "a kitchen violation is overdue")
	}
	return w.judge(ratio, f.obs.to, all[len(all)-1].to, len(wholeOps) > 0)
}

// mask returns the part of the disjoint spans m since the device has been
// watched (a device registered by a reload counts from then).
func (d *device) mask(m []span) []span {
	if len(m) == 0 || !d.watched.After(m[0].from) {
		return m
	}
	return intersect(m, span{d.watched, m[len(m)-1].to})
}

// share returns part ÷ whole, or 1 when there was nothing to watch.
func share(part, whole time.Duration) float64 {
	if whole <= 0 {
		return 1
	}
	return float64(part) / float64(whole)
}

// ofKind returns the school's devices of kind k, in registry order.
func (st *schoolState) ofKind(k devices.Kind) []*device {
	var out []*device
	for _, d := range st.devs {
		if d.kind == k {
			out = append(out, d)
		}
	}
	return out
}

// why collects the reasons a measure fails, in Chinese and English:
// failures that have happened (add) and shortfalls so far that the rest
// of the window may still make up (maybe).
type why struct {
	zh, en  []string
	certain bool
}

func (w *why) add(zh, en string) {
	w.maybe(zh, en)
	w.certain = true
}

func (w *why) maybe(zh, en string) {
	w.zh = append(w.zh, zh)
	w.en = append(w.en, en)
}

// ratio records a share below min: certain when even a perfect rest of
// the window (best) cannot reach min.
func (w *why) ratio(got, best, min float64, zh, en string) {
	switch {
	case best < min:
		w.add(zh, en)
	case got < min:
		w.maybe(zh, en)
	}
}

// judge returns the verdict at now of a measure whose window ends at
// windowEnd: NotMet on a failure that has happened; NotJudged when the
// window was not watched or has not ended; then NotMet on a shortfall,
// else Met.
func (w *why) judge(value float64, now, windowEnd time.Time, watched bool) Result {
	r := Result{Value: math.Round(value*1e4) / 1e4}
	if len(w.zh) > 0 {
		r = r.withDetail(strings.Join(w.zh, "；"), strings.Join(w.en, "; "))
	}
	switch {
	case w.certain:
		return r.withStatus(NotMet)
	case !watched:
		r = r.withDetail("该时段未值守，不判定", "window not watched: not judged")
		return r.withStatus(NotJudged)
	case now.Before(windowEnd):
		r = r.withDetail("时段未结束，尚未判定", "window not over: not judged yet")
		if len(w.zh) > 0 {
			r = r.withDetail("时段未结束，尚未判定；目前"+strings.Join(w.zh, "；"),
				"window not over: not judged yet; so far "+strings.Join(w.en, "; "))
		}
		return r.withStatus(NotJudged)
	case len(w.zh) > 0:
		return r.withStatus(NotMet)
	}
	return r.withStatus(Met)
}

func notApplicable(zh, en string) Result {
	return Result{}.withDetail(zh+"，不适用", en+": not applicable").withStatus(NotApplicable)
}

func notJudged(zh, en string) Result {
	return Result{Value: 1}.withDetail(zh+"，不判定", en+": not judged").withStatus(NotJudged)
}

// cannotShow is the verdict of a school without the devices a measure
// needs: it cannot show the measure, so it does not meet it.
func cannotShow(zh, en string) Result {
	return Result{}.withDetail(zh+"，无法证明达标", en+": cannot show it").withStatus(NotMet)
}

// pct renders a share rounded down to 0.1% (so 94.99% never shows 95.0%).
func pct(x float64) string { return fmt.Sprintf("%.1f%%", math.Floor(x*1000+1e-6)/10) }

// spell renders a duration for details: seconds under 2 minutes, minutes
// under 2 hours, hours under 2 days, days beyond.
func spell(d time.Duration) (zh, en string) {
	switch {
	case d < 2*time.Minute:
		n := int(d / time.Second)
		return fmt.Sprintf("%d 秒", n), fmt.Sprintf("%d s", n)
	case d < 2*time.Hour:
		n := int(d / time.Minute)
		return fmt.Sprintf("%d 分钟", n), fmt.Sprintf("%d min", n)
	case d < 48*time.Hour:
		n := int(d / time.Hour)
		return fmt.Sprintf("%d 小时", n), fmt.Sprintf("%d h", n)
	}
	n := int(d / (24 * time.Hour))
	return fmt.Sprintf("%d 天", n), fmt.Sprintf("%d days", n)
}
