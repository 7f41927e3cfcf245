package devices

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// GenerateOptions configures Generate.
type GenerateOptions struct {
	// Seed makes the registry reproducible: one seed, one registry.
	Seed uint64
	// Schools is how many schools to make, in the real mix of 承德 (1,000
	// kindergartens, 450 primary, 135 secondary and 9 special schools)
	// scaled down; 0 or less means the full 1,594.
	Schools int
	// TeachingPoints adds that many small rural teaching points (承德 has
	// about 850) on top of Schools.
	TeachingPoints int
}

// fullMix is the number of schools of each type Generate makes by default:
// the city's mix of about 1,600 schools and kindergartens (docs/rules.md).
var fullMix = map[SchoolType]int{
	SchoolKindergarten: 1000,
	SchoolPrimary:      450,
	SchoolSecondary:    135,
	SchoolSpecial:      9,
}

// mixOrder is the order of school types in ids within a region.
var mixOrder = []SchoolType{SchoolSecondary, SchoolPrimary, SchoolSpecial, SchoolKindergarten, SchoolTeachingPt}

// Generate makes a demo registry of 承德: its 12 regions, DefaultCalendar,
// and schools with realistic names, sizes, windows, guard rosters (at least
// RequiredGuards, ids "g-<school>-<n>") and 4-10 devices each across the
// four kinds, and a demo address and duty contact. School ids are
// "cd-0001" upwards, device ids "<school>-<kind>-<n>". The result passes
// Validate and is indexed.
func Generate(opts GenerateOptions) *Registry {
	r := GenerateHead()
	_ = GenerateEach(opts, func(s *School) error {
		r.Schools = append(r.Schools, *s)
		return nil
	})
	r.Index()
	return r
}

// GenerateHead returns the part of a generated registry that does not
// depend on the options: 承德's regions and DefaultCalendar, no schools.
func GenerateHead() *Registry {
	return &Registry{Regions: ChengdeRegions(), Calendars: []Calendar{DefaultCalendar()}}
}

// GenerateEach makes the schools Generate makes, one at a time and in the
// same order, and calls fn with each (fn may keep it); it stops at fn's
// first error and returns it. Only the plan of the schools (a few bytes
// each) is held, so a registry of any size can be written as it is made
// (campusguard registry gen).
func GenerateEach(opts GenerateOptions, fn func(*School) error) error {
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x63616d7075736775))
	plan := planSchools(rng, opts)
	nm := newNamer(rng)
	for i, p := range plan {
		g := &regionProfiles[p.region]
		s := generateSchool(rng, fmt.Sprintf("cd-%04d", i+1), p.typ, p.urban)
		s.Region = g.code
		s.Name = nm.name(g, p.typ, p.urban)
		s.Address, s.Contact = demoContact(opts.Seed, i+1, g)
		if err := fn(&s); err != nil {
			return err
		}
	}
	return nil
}

type plannedSchool struct {
	typ    SchoolType
	region int // index in regionProfiles
	urban  bool
}

// scaleMix returns how many schools of each type make n schools in the
// proportions of fullMix (largest remainder), with at least one of each type
// when n allows.
func scaleMix(n int) map[SchoolType]int {
	total := 0
	for _, c := range fullMix {
		total += c
	}
	if n <= 0 {
		n = total
	}
	out := map[SchoolType]int{}
	type rem struct {
		t SchoolType
		f float64
	}
	var rems []rem
	left := n
	for _, t := range mixOrder {
		exact := float64(fullMix[t]) * float64(n) / float64(total)
		out[t] = int(math.Floor(exact))
		left -= out[t]
		rems = append(rems, rem{t, exact - math.Floor(exact)})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].f > rems[j].f })
	for i := 0; left > 0; i, left = i+1, left-1 {
		out[rems[i%len(rems)].t]++
	}
	for _, t := range mixOrder {
		if fullMix[t] > 0 && out[t] == 0 && n >= len(fullMix) {
			out[t]++
			out[SchoolKindergarten]--
		}
	}
	return out
}

// planSchools decides the type, region and setting of every school, sorted
// by region then type so that ids run region by region.
func planSchools(rng *rand.Rand, opts GenerateOptions) []plannedSchool {
	mix := scaleMix(opts.Schools)
	mix[SchoolTeachingPt] = max(opts.TeachingPoints, 0)
	regionIndex := map[string]int{}
	for i, g := range regionProfiles {
		regionIndex[g.code] = i
	}
	var plan []plannedSchool
	for _, t := range mixOrder {
		for k := 0; k < mix[t]; k++ {
			p := plannedSchool{typ: t}
			switch t {
			case SchoolSpecial:
				p.region = regionIndex[specialRegions[k%len(specialRegions)]]
				p.urban = true
			case SchoolTeachingPt:
				p.region = pickRegion(rng, func(g regionProfile) float64 { return float64(g.weight) * (1 - g.urban) })
			default:
				p.region = pickRegion(rng, func(g regionProfile) float64 { return float64(g.weight) })
				p.urban = rng.Float64() < regionProfiles[p.region].urban
			}
			plan = append(plan, p)
		}
	}
	rank := map[SchoolType]int{}
	for i, t := range mixOrder {
		rank[t] = i
	}
	sort.SliceStable(plan, func(i, j int) bool {
		if plan[i].region != plan[j].region {
			return plan[i].region < plan[j].region
		}
		return rank[plan[i].typ] < rank[plan[j].typ]
	})
	return plan
}

func pickRegion(rng *rand.Rand, weight func(regionProfile) float64) int {
	sum := 0.0
	for _, g := range regionProfiles {
		sum += weight(g)
	}
	x := rng.Float64() * sum
	for i, g := range regionProfiles {
		if x -= weight(g); x < 0 {
			return i
		}
	}
	return len(regionProfiles) - 1
}

// between returns a whole number in [lo, hi], skewed towards lo (most
// schools are small).
func between(rng *rand.Rand, lo, hi int) int {
	u := rng.Float64()
	return lo + int(float64(hi-lo)*u*u+0.5)
}

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// generateSchool makes one school without its name and region.
func generateSchool(rng *rand.Rand, id string, t SchoolType, urban bool) School {
	s := School{ID: id, Type: t, Calendar: DefaultCalendarID, Posts: DefaultPosts()}
	boarding := 0.0
	hasKitchen := true
	switch t {
	case SchoolKindergarten:
		s.Pupils = between(rng, 60, 220)
		if urban {
			s.Pupils = between(rng, 120, 450)
		}
	case SchoolPrimary:
		if urban {
			s.Pupils, boarding, hasKitchen = between(rng, 600, 2600), 0, chance(rng, 0.6)
		} else {
			s.Pupils, boarding, hasKitchen = between(rng, 150, 900), 0.2, chance(rng, 0.5)
		}
	case SchoolSecondary:
		if urban {
			s.Pupils, boarding = between(rng, 1200, 3800), 0.15
		} else {
			s.Pupils, boarding = between(rng, 600, 2200), 0.6
		}
	case SchoolSpecial:
		s.Pupils, boarding = between(rng, 60, 300), 0.5
	case SchoolTeachingPt:
		s.Pupils, hasKitchen = between(rng, 5, 60), chance(rng, 0.2)
	}
	if chance(rng, boarding) {
		lo, hi := 20, 80 // percent of pupils who board
		if t == SchoolPrimary {
			lo, hi = 10, 50
		}
		s.Boarders = s.Pupils * (lo + rng.IntN(hi-lo+1)) / 100
		hasKitchen = true
	}
	s.Windows = DefaultWindows(t, s.Boarders > 0)
	if chance(rng, 0.25) { // some schools run 10 minutes early or late
		shift := ClockTime(10)
		if chance(rng, 0.5) {
			shift = -10
		}
		for i := range s.Windows.Peaks {
			s.Windows.Peaks[i].Start += shift
			s.Windows.Peaks[i].End += shift
		}
		for i := range s.Windows.Gate {
			s.Windows.Gate[i].Start += shift
			s.Windows.Gate[i].End += shift
		}
	}
	if hasKitchen {
		s.Kitchens = []Kitchen{{ID: DefaultKitchen, Name: "食堂"}}
		if t == SchoolSecondary && s.Pupils >= 2500 {
			s.Kitchens = []Kitchen{{ID: DefaultKitchen, Name: "一食堂"}, {ID: "second", Name: "二食堂"}}
		}
	}
	roster := s.RequiredGuards() + rng.IntN(2)
	for n := 1; n <= roster; n++ {
		s.Guards = append(s.Guards, Guard{ID: fmt.Sprintf("g-%s-%d", id, n), License: fmt.Sprintf("lic-%08d", rng.IntN(1e8))})
	}
	s.Devices = generateDevices(rng, &s)
	return s
}

var (
	gates         = []struct{ id, location string }{{"main", "正门"}, {"north", "北门"}, {"east", "东门"}}
	kitchenSpots  = []string{"操作间", "备餐间", "洗消间"}
	alarmSpots    = []string{"门卫室", "校长室", "监控室"}
	kitchenCamHB  = Duration(30e9)
	maxKitchenCam = 3
)

// generateDevices makes 4-10 devices: 1-2 alarm terminals (the first in the
// guard room), 1-3 gate controllers, 1-2 guard terminals (guard room, then
// main gate) and, with a kitchen, 1-3 kitchen cameras (at least one per
// kitchen).
func generateDevices(rng *rand.Rand, s *School) []Device {
	alarms := 1
	if s.Pupils >= 600 && chance(rng, 0.2) {
		alarms = 2
	}
	access := 1 + rng.IntN(2)
	if s.Pupils >= 800 {
		access = 1 + rng.IntN(3)
	}
	guards := 1
	if s.Pupils >= 300 || chance(rng, 0.5) {
		guards = 2
	}
	cams := 0
	if len(s.Kitchens) > 0 {
		cams = max(len(s.Kitchens), 1+rng.IntN(maxKitchenCam))
	}
	for alarms+access+guards+cams < 4 {
		if guards < 2 {
			guards++
		} else {
			access++
		}
	}
	var ds []Device
	add := func(kind Kind, n int, d Device) {
		d.ID = fmt.Sprintf("%s-%s-%d", s.ID, kind, n)
		d.Kind = kind
		ds = append(ds, d)
	}
	for n := 1; n <= alarms; n++ {
		d := Device{Location: alarmSpots[min(n-1, len(alarmSpots)-1)]}
		if n == 1 {
			d.Post = PostGuardroom
		}
		add(KindAlarm, n, d)
	}
	for n := 1; n <= access; n++ {
		add(KindAccess, n, Device{Location: gates[n-1].location, Gate: gates[n-1].id})
	}
	posts := []Device{{Location: "门卫室", Post: PostGuardroom}, {Location: "正门", Post: PostMainGate}}
	for n := 1; n <= guards; n++ {
		add(KindGuard, n, posts[n-1])
	}
	for n := 1; n <= cams; n++ {
		add(KindKitchenCam, n, Device{
			Location:  kitchenSpots[(n-1)%len(kitchenSpots)],
			Kitchen:   s.Kitchens[(n-1)%len(s.Kitchens)].ID,
			Heartbeat: kitchenCamHB,
		})
	}
	return ds
}
