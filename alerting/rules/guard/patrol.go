package guard

import (
	"fmt"
	"slices"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// checkpoint counts the distinct patrol rounds of the local date; reaching
// the minimum resolves patrol_shortfall.
func (st *state) checkpoint(c engine.Ctx, ev *devices.Event) {
	r, ok := ev.Num("round")
	if !ok {
		return
	}
	d := devices.DateOf(c.Now().In(c.School().Location()))
	if d != st.patrolDate {
		st.patrolDate, st.rounds = d, st.rounds[:0]
	}
	if round := int64(r); !slices.Contains(st.rounds, round) {
		st.rounds = append(st.rounds, round)
	}
	if st.patrolOpen && len(st.rounds) >= c.Params().PatrolMinRounds {
		st.resolvePatrol(c)
	}
}

// roundsOn returns the distinct rounds counted on date d.
func (st *state) roundsOn(d devices.Date) int {
	if st.patrolDate != d {
		return 0
	}
	return len(st.rounds)
}

// noon: no round at all by PatrolNoneByNoon is P2.
func (st *state) noon(c engine.Ctx) {
	d := &st.day
	minRounds := c.Params().PatrolMinRounds
	if !d.school || d.partial || st.patrolOpen || minRounds <= 0 || st.roundsOn(d.date) > 0 {
		return
	}
	s := c.School()
	st.patrolOpen, st.patrolOpenDate = true, d.date
	c.Fire(alerting.Condition{
		Rule:      alerting.PatrolShortfall,
		Severity:  alerting.P2,
		MessageZH: fmt.Sprintf("%s 截至 %s 尚无巡逻记录（每日要求 %d 轮）", schoolName(s), hhmm(c.Now()), minRounds),
		MessageEN: fmt.Sprintf("%s: no patrol round by %s (%d required per day)", schoolName(s), hhmm(c.Now()), minRounds),
	})
}

// patrolDayEnd: fewer rounds than required when the local day ends
// (midnight) is P3, the daily report (unless the noon P2 is still open).
func (st *state) patrolDayEnd(c engine.Ctx) {
	d := &st.day
	minRounds := c.Params().PatrolMinRounds
	n := st.roundsOn(d.date)
	if d.partial || st.patrolOpen || n >= minRounds {
		return
	}
	s := c.School()
	st.patrolOpen, st.patrolOpenDate = true, d.date
	c.Fire(alerting.Condition{
		Rule:      alerting.PatrolShortfall,
		MessageZH: fmt.Sprintf("%s %s 完成巡逻 %d 轮，少于要求的 %d 轮", schoolName(s), d.date, n, minRounds),
		MessageEN: fmt.Sprintf("%s: %d patrol rounds on %s, %d required", schoolName(s), n, d.date, minRounds),
	})
}

func (st *state) resolvePatrol(c engine.Ctx) {
	st.patrolOpen = false
	c.Resolve(alerting.PatrolShortfall, "")
}
