package sim

// Alarm terminals: one test press a month each, on the first school day on
// or after the terminal's own day of the month (1-28, from its id) at its
// own time between 09:00 and 16:00; a terminal whose day has passed when
// the simulation starts counts as tested this month. Real panic presses
// happen only by fault or at Options.PanicRate.
func (s *Simulator) planAlarms(sc *schoolState, day int64, school, first bool) {
	dn := dayNumber(day)
	y, m, dom := civil(dn)
	month := y*12 + int64(m)
	for _, d := range sc.alarms {
		d := d
		for n := poisson(s.rng, s.opts.PanicRate); n > 0; n-- {
			t := uniform(s.rng, day, day+nsDay)
			s.plan(t, t, once(func(s *Simulator, due int64) { s.panicPress(d, due) }))
		}
		testDay := 1 + int(d.salt%28)
		if first && dom > testDay {
			d.tested = month
		}
		if !school || d.tested == month || dom < testDay {
			continue
		}
		d.tested = month
		t := day + (9*60+int64(d.salt>>8%420))*nsMinute
		s.plan(t, t, once(func(s *Simulator, due int64) {
			if s.begin(d, chEvent, tTest, due) {
				s.w.boolean("ok", true)
				s.end()
			}
		}))
	}
}

// panicPress emits an alarm.panic.
func (s *Simulator) panicPress(d *devState, due int64) {
	if s.begin(d, chEvent, tPanic, due) {
		s.w.str("button", "main")
		s.end()
	}
}
