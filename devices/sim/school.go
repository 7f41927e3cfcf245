package sim

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// The guard room's post id, and the post staffed when a school lists none.
const (
	postGuardroom = devices.PostGuardroom
	postMainGate  = devices.PostMainGate
)

// schoolState is the simulator's view of one school: its devices by role,
// windows with defaults applied, and the day's population.
type schoolState struct {
	school    *devices.School
	salt      uint64
	schoolDay func(day time.Time) bool

	peaks, gateWins, kitchenWins []window

	all                 []*devState // every device of the school, registry order
	gates, alarms, cams []*devState
	guardroom           *devState // the guard-room check-in terminal (nil: none)
	posts               []*postState

	dayPupils int // pupils who come and go each day (boarders stay)
	staff     int
	visitors  int
	required  int // licensed guards required (docs/rules.md)
}

// postState is one protection post the simulator staffs at peaks.
type postState struct {
	id        string
	dev       *devState // terminal people check in at
	staff     int       // people per peak, at least 2
	unstaffed []span    // post_unstaffed faults
}

func newSchoolState(s *devices.School, opts *Options) *schoolState {
	sc := &schoolState{
		school:    s,
		salt:      splitmix(hashString(s.ID)),
		schoolDay: schoolDayFunc(opts, s),
		dayPupils: max(s.Pupils-s.Boarders, 0),
		staff:     max(3, s.Pupils/12),
		visitors:  2 + s.Pupils/300,
		required:  s.RequiredGuards(),
	}
	sc.peaks, sc.gateWins, sc.kitchenWins = schoolWindows(s)
	return sc
}

// wire sorts the school's devices by role once they exist.
func (sc *schoolState) wire() {
	var guardDevs []*devState
	byPost := map[string]*devState{}
	for _, d := range sc.all {
		switch d.dev.Kind {
		case devices.KindAccess:
			sc.gates = append(sc.gates, d)
		case devices.KindAlarm:
			sc.alarms = append(sc.alarms, d)
		case devices.KindKitchenCam:
			sc.cams = append(sc.cams, d)
		case devices.KindGuard:
			guardDevs = append(guardDevs, d)
			if _, dup := byPost[d.dev.Post]; !dup {
				byPost[d.dev.Post] = d
			}
		}
	}
	if len(guardDevs) == 0 {
		return
	}
	sc.guardroom = byPost[postGuardroom]
	if sc.guardroom == nil {
		sc.guardroom = byPost[""]
	}
	if sc.guardroom == nil {
		sc.guardroom = guardDevs[0]
	}
	add := func(id string, minStaff int) {
		dev := byPost[id]
		if dev == nil {
			dev = sc.guardroom
		}
		sc.posts = append(sc.posts, &postState{id: id, dev: dev, staff: max(minStaff, 2)})
	}
	for _, p := range sc.school.Posts {
		if p.ID != postGuardroom {
			add(p.ID, p.MinStaff)
		}
	}
	if len(sc.posts) == 0 {
		add(postMainGate, 2)
	}
}

func (sc *schoolState) post(id string) *postState {
	for _, p := range sc.posts {
		if p.id == id {
			return p
		}
	}
	return nil
}

// isSchoolDay reports whether the local day starting at dayStart is a school day.
func (sc *schoolState) isSchoolDay(dayStart int64) bool {
	return sc.schoolDay(time.Unix(0, dayStart).In(shanghai))
}
