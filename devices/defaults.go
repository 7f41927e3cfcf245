package devices

// Default windows of docs/rules.md ("School-protection posts", "Bright kitchen");
// all are assumed defaults that a school's own windows override.
var (
	schoolPeaks = []Window{
		{Name: "morning-arrival", Start: Clock(7, 0), End: Clock(8, 10)},
		{Name: "noon-dismissal", Start: Clock(11, 40), End: Clock(12, 20)},
		{Name: "afternoon-arrival", Start: Clock(13, 40), End: Clock(14, 20)},
		{Name: "afternoon-dismissal", Start: Clock(16, 0), End: Clock(17, 50)},
	}
	kindergartenPeaks = []Window{
		{Name: "morning-arrival", Start: Clock(7, 30), End: Clock(8, 45)},
		{Name: "afternoon-dismissal", Start: Clock(16, 30), End: Clock(17, 45)},
	}
	breakfast = Window{Name: "breakfast", Start: Clock(6, 30), End: Clock(7, 40)}
	lunch     = Window{Name: "lunch", Start: Clock(11, 20), End: Clock(13, 0)}
	dinner    = Window{Name: "dinner", Start: Clock(17, 0), End: Clock(18, 40)}
)

// GateMargin is how much earlier a default gate window opens, and how much
// later it closes, than the peak it serves (assumed).
const GateMargin ClockTime = 10

// DefaultWindows returns the default windows of a school type: the peak
// windows of docs/rules.md (kindergartens have two, other schools four), gate
// opening windows GateMargin around each peak, and meals: lunch, plus
// breakfast and dinner for boarding schools. Senior-high evening study
// (21:00-22:00) is not a default: schools that have it list it.
func DefaultWindows(t SchoolType, boarding bool) Windows {
	peaks := schoolPeaks
	if t == SchoolKindergarten {
		peaks = kindergartenPeaks
	}
	var w Windows
	w.Peaks = append([]Window(nil), peaks...)
	for _, p := range peaks {
		w.Gate = append(w.Gate, Window{Name: p.Name, Start: p.Start - GateMargin, End: p.End + GateMargin})
	}
	if boarding {
		w.Meals = []Window{breakfast, lunch, dinner}
	} else {
		w.Meals = []Window{lunch}
	}
	return w
}

// Default posts every school has (CSV import and the demo generator).
const (
	PostGuardroom = "guardroom" // the guard room (门卫室), manned 24 h
	PostMainGate  = "main-gate" // the school-protection post at the main gate (护学岗)
)

// DefaultPosts returns the guard room and the main-gate post (2 people at
// each peak).
func DefaultPosts() []Post {
	return []Post{
		{ID: PostGuardroom, Name: "门卫室"},
		{ID: PostMainGate, Name: "正门护学岗", MinStaff: 2},
	}
}

// DefaultKitchen is the id of a school's kitchen when it has only one.
const DefaultKitchen = "main"
