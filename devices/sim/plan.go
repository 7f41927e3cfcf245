package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// PlanStep is one fault of a Plan, placed relative to the plan's start.
type PlanStep struct {
	// At is when the fault begins (a point fault happens), after the start.
	At time.Duration
	// For is how long a window fault lasts; 0 means until the run ends.
	For time.Duration
	// Fault names the kind and the target; Plan.Faults sets From and To.
	Fault Fault
	// Shows says what the fault should make campusguard show, and to whom.
	Shows string
}

// Plan is a scripted fault plan: faults at offsets from a start, so that
// the same plan runs at whatever time it is started (the demo's `make run`
// on the real clock).
type Plan []PlanStep

// Faults places the plan on time: absolute From and To from start.
func (p Plan) Faults(start time.Time) []Fault {
	fs := make([]Fault, len(p))
	for i, st := range p {
		f := st.Fault
		f.From = start.Add(st.At)
		f.To = time.Time{}
		if st.For > 0 {
			f.To = f.From.Add(st.For)
		}
		fs[i] = f
	}
	return fs
}

// String lists the plan's steps, one a line: "+0:30 panic_press cd-0001-alarm-1 (…)".
func (p Plan) String() string {
	var b strings.Builder
	for _, st := range p {
		target := st.Fault.Device
		switch st.Fault.Kind {
		case FaultPostUnstaffed:
			target = st.Fault.School + ":" + st.Fault.Post
		case FaultSilentSchool:
			target = st.Fault.School
		}
		m := int(st.At / time.Minute)
		sec := int(st.At % time.Minute / time.Second)
		fmt.Fprintf(&b, "+%d:%02d %s %s — %s\n", m, sec, st.Fault.Kind, target, st.Shows)
	}
	return b.String()
}

// Plan names for the command line (campusguard run --sim-plan, sim -plan).
const (
	PlanNone = "none"
	PlanDemo = "demo"
)

// NamedPlan returns the plan called name for reg: "none" (or "") is no
// plan, "demo" is DemoPlan.
func NamedPlan(name string, reg *devices.Registry) (Plan, error) {
	switch name {
	case "", PlanNone, "off":
		return nil, nil
	case PlanDemo:
		return DemoPlan(reg)
	}
	return nil, fmt.Errorf("sim: unknown fault plan %q (want %s or %s)", name, PlanDemo, PlanNone)
}

// DemoPlan is the demo's fault plan (docs/dashboards.md): within about
// five minutes of the start every board has an alert to show, at any hour
// of any day, because each audience gets at least one fault whose rule
// fires at any time (docs/rules.md):
//
//	+0:10 post_unstaffed     a post nobody staffs (alerts at the school's next peak, on school days)
//	+0:15 silent_school      school_offline at about +5:00 (3 missed heartbeats, and campusguard
//	                         raises no offline alert in its first 5 min: grace_period): police,
//	                         education, school — any hour
//	+0:20 kitchen_cam_off    a dark kitchen camera (alerts inside a meal's operating window)
//	+0:30 panic_press        alarm_panic, P0: police, education, school — any hour
//	+1:00 gate_forced        gate_forced: police, school — any hour
//	+1:30 kitchen_violation  kitchen_violation (smoking): market, school — any hour
//
// The panic, the forced gate and the unstaffed post are at the registry's
// first school: the demo's school account (deploy/run-demo.sh) is bound to
// it. The kitchen faults go to the first schools with kitchen cameras (two
// different ones when there are), the silent school is the last school with
// at least two devices that no other fault uses. Window faults last until
// the run ends.
func DemoPlan(reg *devices.Registry) (Plan, error) {
	if reg == nil || len(reg.Schools) == 0 {
		return nil, fmt.Errorf("sim: demo plan: the registry has no school")
	}
	used := map[string]bool{}
	first := &reg.Schools[0]
	used[first.ID] = true
	// pick returns the first device of kind, at the first school if it has
	// one, else at the first school after it that has one and (unless
	// reuse) is not in skip.
	pick := func(kind devices.Kind, skip []string) *devices.Device {
		for i := range reg.Schools {
			s := &reg.Schools[i]
			if slices.Contains(skip, s.ID) {
				continue
			}
			for j := range s.Devices {
				if s.Devices[j].Kind == kind {
					used[s.ID] = true
					return &s.Devices[j]
				}
			}
		}
		return nil
	}
	var p Plan
	add := func(at time.Duration, f Fault, shows string) { p = append(p, PlanStep{At: at, Fault: f, Shows: shows}) }

	if g := pick(devices.KindGuard, nil); g != nil {
		s := g.School()
		add(10*time.Second, Fault{Kind: FaultPostUnstaffed, School: s.ID, Post: demoPost(s)},
			"post_unstaffed at the next peak of a school day / 护学岗未到岗（上学日高峰时段）")
	}
	var darkSchool, darkCam string
	if c := pick(devices.KindKitchenCam, nil); c != nil {
		darkSchool, darkCam = c.School().ID, c.ID
		add(20*time.Second, Fault{Kind: FaultKitchenCamOff, Device: c.ID},
			"kitchen_cam_offline inside a meal's operating window / 明厨亮灶摄像头离线（运营时段内）")
	}
	if a := pick(devices.KindAlarm, nil); a != nil {
		add(30*time.Second, Fault{Kind: FaultPanicPress, Device: a.ID}, "alarm_panic P0 at once / 一键报警")
	}
	if g := pick(devices.KindAccess, nil); g != nil {
		add(time.Minute, Fault{Kind: FaultGateForced, Device: g.ID}, "gate_forced at once / 校门被强行打开")
	}
	if c := pick(devices.KindKitchenCam, []string{darkSchool}); c != nil {
		add(90*time.Second, Fault{Kind: FaultKitchenViolation, Device: c.ID}, "kitchen_violation at once / 后厨违规")
	} else if darkCam != "" { // the only school with cameras: what its dark camera saw before
		add(90*time.Second, Fault{Kind: FaultKitchenViolation, Device: darkCam}, "kitchen_violation at once / 后厨违规")
	}
	for i := len(reg.Schools) - 1; i >= 0; i-- {
		if s := &reg.Schools[i]; !used[s.ID] && len(s.Devices) >= 2 {
			add(15*time.Second, Fault{Kind: FaultSilentSchool, School: s.ID},
				"school_offline about 5 min after campusguard starts (3 missed heartbeats, then its start-up grace) / 学校设备全部离线")
			break
		}
	}
	slices.SortStableFunc(p, func(a, b PlanStep) int { return int(a.At - b.At) })
	return p, nil
}

// demoPost is the post the simulator staffs first at s: its first post
// other than the guard room, else the main gate (schoolState.wire).
func demoPost(s *devices.School) string {
	for _, p := range s.Posts {
		if p.ID != postGuardroom {
			return p.ID
		}
	}
	return postMainGate
}
