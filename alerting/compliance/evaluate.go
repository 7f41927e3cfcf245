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
func (st *schoolState) evaluate(d devices.Date, end time.Time, al openAlerts) SchoolDay {
	obs := span{later(dayStart(d), st.since), earlier(end, dayStart(d.AddDays(1)))}
	if obs.empty() {
		obs.to = obs.from
	}
	sd := st.isSchoolDay(d)
	var hours []span
	if sd {
		h0, h1 := hoursOf(st.sch, d)
		hours = intersect([]span{{h0.At(d), h1.At(d)}}, obs)
	}
	out := SchoolDay{School: st.sch.ID, Region: st.sch.Region, Date: d, Measures: make(map[Measure]Result, len(Measures))}
	out.Measures[ClosedCampus] = st.closedCampus(d, obs, sd, hours, al.gate)
	out.Measures[GuardStaffing] = st.guardStaffing(d, obs, sd)
	out.Measures[ProtectionPost] = st.protectionPost(d, obs, sd)
	out.Measures[AlarmLink] = st.alarmLink(obs, hours)
	out.Measures[BrightKitchen] = st.brightKitchen(d, obs, sd, al.kitchen)
	out.FourHundred = true
	for _, m := range FourHundredMeasures {
		if r := out.Measures[m]; !r.Applicable || !r.OK {
			out.FourHundred = false
		}
	}
	return out
}

// closedCampus: gate controllers online ≥ GateOnlineMin of school hours, no
// gate always open outside its opening windows, no gate_forced or
// gate_intrusion alert open GateAlertMaxOpen.
func (st *schoolState) closedCampus(d devices.Date, obs span, sd bool, hours []span, alerts []alerting.Alert) Result {
	gates := st.ofKind(devices.KindAccess)
	if len(gates) == 0 {
		return notApplicable("未登记门禁控制器", "no gate controllers registered")
	}
	var w why
	var buf []span
	var on, watched time.Duration
	for _, g := range gates {
		mask := g.mask(hours)
		buf = g.fresh.spans(obs.to, buf[:0])
		on += overlap(buf, mask)
		watched += total(mask)
	}
	ratio := share(on, watched)
	if ratio < GateOnlineMin {
		w.add(fmt.Sprintf("门禁控制器在校时段在线率 %s，低于 %s", pct(ratio), pct(GateOnlineMin)),
			fmt.Sprintf("gate controllers online %s of school hours, below %s", pct(ratio), pct(GateOnlineMin)))
	}
	outside := minus(obs, gateWindows(st.sch, d, sd))
	var open []string
	for _, g := range gates {
		buf = g.open.spans(obs.to, buf[:0])
		if overlap(buf, outside) > 0 {
			open = append(open, g.name())
		}
	}
	if len(open) > 0 {
		w.add("非开放时段校门常开："+strings.Join(open, "、"),
			"gate always open outside its opening windows: "+strings.Join(open, ", "))
	}
	if st.gateFlag[d] || gateLapse(alerts, obs.to) {
		w.add("校门强行打开/闯入告警超过 24 小时未处置", "a gate forced/intrusion alert left open over 24 h")
	}
	return w.result(ratio)
}

// guardStaffing: on school days, licensed guards on duty ≥ required from
// GuardCheckAfterDayStart after school hours begin until they end, a
// shortfall no longer than the handover gap forgiven (schedule.JudgeGuards:
// the verdict guard_understaffed fires on); every day, the guard room
// never unmanned longer than GuardroomUnmannedAfter. A school without a
// guard roster is not judged (licences unknown, as the guard rules).
func (st *schoolState) guardStaffing(d devices.Date, obs span, sd bool) Result {
	if st.guardDevs == 0 {
		return notApplicable("未登记保安签到终端", "no guard check-in terminals registered")
	}
	if !schedule.RosterKnown(st.sch) {
		return Result{Detail: "未导入持证保安名册，未评判 / no guard roster imported: not judged"}
	}
	var w why
	value := 1.0
	stays := st.allStays()
	if sd {
		h0, h1 := hoursOf(st.sch, d)
		// As the guard rule: from GuardCheckAfterDayStart after the day
		// start, or after Start when watching began later.
		chk := span{later(h0.At(d), st.since).Add(st.par.guardCheckAfter), h1.At(d)}.clip(obs)
		if !chk.empty() {
			req := st.sch.RequiredGuards()
			v := st.par.sched.JudgeGuards(st.sch, stays, req, later(dayStart(d), st.since), chk.from, chk.to)
			value = min(1, float64(v.Least)/float64(req))
			if !v.LapseAt.IsZero() {
				gzh, gen := spell(st.par.sched.HandoverGap)
				w.add(fmt.Sprintf("在校时段在岗持证保安最少 %d 人，应有 %d 人，不足超过交接时限 %s（%s 起）", v.Least, req, gzh, hhmm(v.LapseAt)),
					fmt.Sprintf("licensed guards on duty fell to %d in school hours, %d required, for over the %s handover gap (from %s)", v.Least, req, gen, hhmm(v.LapseAt)))
			}
		}
	}
	if schedule.RoomWatched(st.sch) {
		var present []span
		for i := range stays {
			if s := &stays[i]; s.Role == schedule.RoleGuard && s.Post == devices.PostGuardroom {
				present = append(present, span{s.In, earlier(st.par.sched.End(s), obs.to)})
			}
		}
		present = union(present)
		var longest time.Duration
		for _, g := range minus(span{st.since, obs.to}, present) {
			if (span{g.from.Add(st.par.roomAfter), g.to}).clip(obs).empty() {
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
	return w.result(value)
}

// protectionPost: every protection-post window of a school day
// (schedule.Windows: every peak at every post with a minimum staffing)
// staffed — from its start, at every instant, at least its Need people who
// checked in within its lead time (schedule.JudgeWindow: the verdict the
// post rules fire on). A window not watched from its start (the engine
// started later) is not judged; a running one counts as staffed so far.
func (st *schoolState) protectionPost(d devices.Date, obs span, sd bool) Result {
	if st.guardDevs == 0 {
		return notApplicable("未登记保安签到终端", "no guard check-in terminals registered")
	}
	var w why
	if !sd {
		return w.result(1)
	}
	stays := st.allStays()
	judged, staffed := 0, 0
	for _, pw := range st.par.sched.Windows(st.sch, d, true) {
		if pw.Start.Before(st.since) {
			continue // not watched from its start
		}
		v := st.par.sched.JudgeWindow(&pw, stays, obs.to)
		if !v.Started {
			continue
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
	return w.result(value)
}

// hhmm renders t as local clock time.
func hhmm(t time.Time) string { return t.In(devices.Location()).Format("15:04") }

// alarmLink: at least one alarm terminal online ≥ AlarmOnlineMin of school
// hours, with no 110 link-down longer than AlarmLinkDownAfter in school
// hours, and a successful test within AlarmTestMaxAge.
func (st *schoolState) alarmLink(obs span, hours []span) Result {
	terms := st.ofKind(devices.KindAlarm)
	if len(terms) == 0 {
		return notApplicable("未登记一键报警终端", "no alarm terminals registered")
	}
	best, qualified := 0.0, false
	var zhs, ens []string
	var buf []span
	for _, a := range terms {
		mask := a.mask(hours)
		buf = a.fresh.spans(obs.to, buf[:0])
		ratio := share(overlap(buf, mask), total(mask))
		best = max(best, ratio)
		var zh, en []string
		if ratio < AlarmOnlineMin {
			zh = append(zh, "在校时段在线率 "+pct(ratio))
			en = append(en, "online "+pct(ratio)+" of school hours")
		}
		buf = a.down.spans(obs.to, buf[:0])
		for _, s := range buf {
			if overlap([]span{{s.from.Add(st.par.linkDownAfter), s.to}}, hours) > 0 {
				azh, aen := spell(st.par.linkDownAfter)
				zh = append(zh, "与110联网中断超过 "+azh)
				en = append(en, "110 link down over "+aen)
				break
			}
		}
		if age := obs.to.Sub(a.lastTest); age > st.par.testMaxAge {
			azh, aen := spell(age)
			zh = append(zh, azh+"未成功测试")
			en = append(en, "no successful test for "+aen)
		}
		if len(zh) == 0 {
			qualified = true
			continue
		}
		zhs = append(zhs, a.name()+strings.Join(zh, "、"))
		ens = append(ens, a.id+" "+strings.Join(en, ", "))
	}
	var w why
	if !qualified {
		w.add("没有合格的一键报警终端："+strings.Join(zhs, "；"), "no alarm terminal qualifies: "+strings.Join(ens, "; "))
	}
	return w.result(best)
}

// brightKitchen: kitchen cameras good (present, online, streaming, frame
// fresh, not occluded) ≥ KitchenOnlineMin of the operating windows, and
// no kitchen_overdue alert open.
func (st *schoolState) brightKitchen(d devices.Date, obs span, sd bool, alerts []alerting.Alert) Result {
	cams := st.ofKind(devices.KindKitchenCam)
	if len(cams) == 0 {
		return notApplicable("未登记明厨亮灶摄像头", "no kitchen cameras registered")
	}
	var w why
	ops := intersect(operating(st.sch, d, sd, st.par.kitchenLead), obs)
	var good, watched time.Duration
	var buf, bad []span
	for _, k := range cams {
		mask := k.mask(ops)
		watched += total(mask)
		bad = union(k.bad.spans(obs.to, bad[:0]))
		buf = k.fresh.spans(obs.to, buf[:0])
		for _, f := range buf {
			good += overlap(minus(f, bad), mask)
		}
	}
	ratio := share(good, watched)
	if ratio < KitchenOnlineMin {
		w.add(fmt.Sprintf("后厨摄像头操作时段在线率 %s，低于 %s", pct(ratio), pct(KitchenOnlineMin)),
			fmt.Sprintf("kitchen cameras online %s of operating windows, below %s", pct(ratio), pct(KitchenOnlineMin)))
	}
	if st.kitchFlag[d] || len(alerts) > 0 {
		w.add("有逾期未整改的后厨违规", "a kitchen violation is overdue")
	}
	return w.result(ratio)
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

// why collects the reasons a measure fails, in Chinese and English.
type why struct{ zh, en []string }

func (w *why) add(zh, en string) {
	w.zh = append(w.zh, zh)
	w.en = append(w.en, en)
}

func (w *why) result(value float64) Result {
	r := Result{Applicable: true, OK: len(w.zh) == 0, Value: math.Round(value*1e4) / 1e4}
	if !r.OK {
		r.Detail = strings.Join(w.zh, "；") + " / " + strings.Join(w.en, "; ")
	}
	return r
}

func notApplicable(zh, en string) Result {
	return Result{Detail: zh + "，不适用 / " + en + ": not applicable"}
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
