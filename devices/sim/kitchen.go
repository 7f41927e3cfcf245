package sim

import "strconv"

// Kitchen cameras report kitchen.status every minute inside the kitchen's
// operating windows (1.5 h before each meal until it ends) on school days,
// and now and then an AI violation.
const (
	violationP = 0.015 // per status minute
	tier1P     = 0.01  // share of violations that are tier 1
	tier2P     = 0.12  // share that are tier 2
)

var violationsByTier = [...][]string{
	1: {"rodent", "flame_unattended"},
	2: {"smoking", "bin_open", "phone", "stranger"},
	3: {"no_hat", "no_mask", "no_uniform", "no_gloves", "shirtless"},
}

// planKitchens starts each camera's status stream for each operating window.
func (s *Simulator) planKitchens(sc *schoolState, day int64) {
	for _, d := range sc.cams {
		offset := int64(d.salt%60) * nsSecond
		for _, w := range sc.kitchenWins {
			from, to := w.at(day)
			t := from + offset
			if t < s.start { // join a running window on the minute grid
				t += (s.start - t + nsMinute - 1) / nsMinute * nsMinute
			}
			if t >= to {
				continue
			}
			s.q.push(max(t, s.now), &kitchenStream{d: d, end: to})
		}
	}
}

// kitchenStream is one camera's status stream through one operating window.
type kitchenStream struct {
	d   *devState
	end int64
}

func (k *kitchenStream) fire(s *Simulator, due int64) (int64, bool) {
	d := k.d
	if s.begin(d, chEvent, tKitchen, due) {
		s.cameraFields(d, due)
		s.end()
	}
	if _, off := d.camOffAt(due); !off && !s.opts.Quiet && chance(s.rng, violationP) {
		s.violation(d, due)
	}
	next := due + nsMinute
	return next, next < k.end
}

// violation emits a kitchen.violation: mostly tier 3, rarely tier 2, very
// rarely tier 1.
func (s *Simulator) violation(d *devState, due int64) {
	tier := 3
	switch p := s.rng.Float64(); {
	case p < tier1P:
		tier = 1
	case p < tier1P+tier2P:
		tier = 2
	}
	cats := violationsByTier[tier]
	category := cats[s.rng.IntN(len(cats))]
	confidence := 0.6 + float64(s.rng.IntN(40))/100 // 0.60-0.99
	s.violationOf(d, due, category, confidence)
}

// violationOf emits a kitchen.violation of category with a snapshot.
func (s *Simulator) violationOf(d *devState, due int64, category string, confidence float64) {
	snap := s.rng.Uint64()
	if !s.begin(d, chEvent, tViolation, due) {
		return
	}
	w := s.w
	w.str("category", category)
	w.num("confidence", confidence, 2)
	// snapshot: "snap/<school>/<date>/<hex>.jpg"
	w.key("snapshot")
	w.b = append(w.b, `"snap/`...)
	w.b = append(w.b, d.sc.school.ID...)
	w.b = append(w.b, '/')
	w.appendDate(due)
	w.b = append(w.b, '/')
	w.b = strconv.AppendUint(w.b, snap, 16)
	w.b = append(w.b, `.jpg"`...)
	s.end()
}
