package sim

// Gate traffic shape. Each day pupil and each staff member goes in once in
// the first peak window and out once in the last; arrivals crowd towards
// the start of lessons, dismissals towards the end of lessons.
const (
	arrivalMode   = 0.65 // mode of the arrival distribution within the first peak window
	dismissalMode = 0.25 // mode of the dismissal distribution within the last peak window
	deniedShare   = 0.01 // attempts denied before the person retries successfully
	tailgateP     = 0.05 // per gate per school day, in the arrival window
	forcedP       = 0.002
)

var deniedReasons = [...]string{"expired", "unknown_credential", "face_mismatch", "not_in_schedule"}

// planGates schedules a school day at the gates: gate.state at the gate
// windows, arrival and dismissal streams, visitors and rare incidents.
func (s *Simulator) planGates(sc *schoolState, day int64) {
	if len(sc.gates) == 0 {
		return
	}
	for _, gw := range sc.gateWins {
		from, to := gw.at(day)
		for _, d := range sc.gates {
			d := d
			s.plan(from, to, once(func(s *Simulator, due int64) { s.gateState(d, due, true) }))
			s.plan(to, to, once(func(s *Simulator, due int64) { s.gateState(d, due, false) }))
		}
	}
	in, out := sc.peaks[0], sc.peaks[len(sc.peaks)-1]
	pop := sc.dayPupils + sc.staff
	n := len(sc.gates)
	for g, d := range sc.gates {
		s.startStream(sc, d, day, in, "in", arrivalMode, pop, g, n)
		s.startStream(sc, d, day, out, "out", dismissalMode, pop, g, n)
	}
	s.planVisitors(sc, day, in, out)
	if s.opts.Quiet {
		return
	}
	for _, d := range sc.gates {
		d := d
		if chance(s.rng, tailgateP) {
			from, to := in.at(day)
			t := uniform(s.rng, from, to)
			s.plan(t, t, once(func(s *Simulator, due int64) { s.incident(d, due, tTailgate) }))
		}
		if chance(s.rng, forcedP) { // at night
			t := uniform(s.rng, day, day+5*nsHour)
			s.plan(t, t, once(func(s *Simulator, due int64) { s.incident(d, due, tForced) }))
		}
	}
}

// gateStream emits one gate's passages in one peak window, in time order,
// drawing sorted arrival times one at a time (no memory per person).
type gateStream struct {
	sc        *schoolState
	d         *devState
	dir       string
	lo, width int64   // the window
	mode      float64 // triangular mode within the window
	n, k      int     // people through this gate; passages so far
	u         float64 // k-th sorted uniform
	a, b      uint64  // k -> (a*k+b) mod n permutes the people
	gate, of  int     // this gate's index, number of gates
}

func (s *Simulator) startStream(sc *schoolState, d *devState, day int64, w window, dir string, mode float64, pop, gate, gates int) {
	n := (pop - gate + gates - 1) / gates // people i with i%gates == gate
	from, to := w.at(day)
	if n <= 0 || to < s.start {
		return
	}
	g := &gateStream{sc: sc, d: d, dir: dir, lo: from, width: to - from, mode: mode, n: n,
		a: uint64(coprime(s.rng, n)), b: uint64(s.rng.IntN(n)), gate: gate, of: gates}
	g.u = nextOrderStat(s.rng, 0, n)
	s.q.push(max(g.at(), s.now), g)
}

func (g *gateStream) at() int64 {
	return g.lo + int64(triangular(g.u, g.mode)*float64(g.width))
}

func (g *gateStream) fire(s *Simulator, due int64) (int64, bool) {
	local := (g.a*uint64(g.k) + g.b) % uint64(g.n)
	person := int(local)*g.of + g.gate
	role := "student"
	if person >= g.sc.dayPupils {
		role = "staff"
	}
	h := splitmix(g.sc.salt ^ uint64(person))
	s.passage(g.d, due, g.dir, role, methodOf(role, h), h)
	g.k++
	if g.k >= g.n {
		return 0, false
	}
	g.u = nextOrderStat(s.rng, g.u, g.n-g.k)
	return g.at(), true
}

// methodOf picks a person's usual credential from their hash.
func methodOf(role string, h uint64) string {
	p := (h >> 40) % 100
	switch role {
	case "student":
		switch {
		case p < 50:
			return "card"
		case p < 95:
			return "face"
		}
		return "qr"
	case "staff":
		if p < 70 {
			return "face"
		}
		return "card"
	}
	if p < 85 {
		return "qr"
	}
	return "card"
}

// passage emits one person through a gate: rarely a denial first, then the
// granted passage.
func (s *Simulator) passage(d *devState, due int64, dir, role, method string, h uint64) {
	if !s.opts.Quiet && chance(s.rng, deniedShare) && s.begin(d, chEvent, tDenied, due) {
		w := s.w
		w.str("direction", dir)
		w.str("method", method)
		w.token("person", "p", h&(1<<40-1))
		w.str("role", role)
		w.str("reason", deniedReasons[s.rng.IntN(len(deniedReasons))])
		s.end()
	}
	if !s.begin(d, chEvent, tGranted, due) {
		return
	}
	w := s.w
	w.str("direction", dir)
	w.str("method", method)
	w.token("person", "p", h&(1<<40-1))
	w.str("role", role)
	s.end()
}

// planVisitors schedules the day's visitors between the peaks: in at the
// gate, out again 15-90 min later.
func (s *Simulator) planVisitors(sc *schoolState, day int64, in, out window) {
	_, lo := in.at(day)
	hi, _ := out.at(day)
	if hi-lo < 2*nsHour {
		lo, hi = day+9*nsHour, day+15*nsHour
	}
	for v := 0; v < sc.visitors; v++ {
		d := sc.gates[v%len(sc.gates)]
		h := splitmix(sc.salt ^ uint64(day) ^ uint64(v)<<48)
		method := methodOf("visitor", h)
		t := uniform(s.rng, lo, hi-nsHour)
		back := t + uniform(s.rng, 15*nsMinute, 90*nsMinute)
		s.plan(t, t, once(func(s *Simulator, due int64) { s.passage(d, due, "in", "visitor", method, h) }))
		s.plan(back, back, once(func(s *Simulator, due int64) { s.passage(d, due, "out", "visitor", method, h) }))
	}
}

// gateState records and emits a gate opening or closing.
func (s *Simulator) gateState(d *devState, due int64, open bool) {
	d.gateOpen = open
	if !s.begin(d, chEvent, tGateState, due) {
		return
	}
	if open {
		s.w.str("state", "open")
	} else {
		s.w.str("state", "closed")
	}
	s.end()
}

// incident emits a field-less access event (forced, tailgate).
func (s *Simulator) incident(d *devState, due int64, t *evType) {
	if s.begin(d, chEvent, t, due) {
		s.end()
	}
}
