package compliance

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine/enginetest"
	"github.com/campusguard/campusguard/devices"
)

var (
	loc     = devices.Location()
	monday  = devices.Date{Year: 2026, Month: time.November, Day: 30} // a school day
	holiday = devices.Date{Year: 2026, Month: time.December, Day: 2}  // a Wednesday off
)

// at returns hh:mm on d.
func at(d devices.Date, hh, mm int) time.Time { return devices.Clock(hh, mm).At(d) }

// testSchool is a 500-pupil primary school (2 guards required) with one
// device of each kind: school hours 06:50–18:00, peaks 07:00–08:10 and
// 16:00–17:50 at the main gate (2 people), lunch 11:20–13:00 (kitchen
// operating 09:50–13:00).
func testSchool(id, region string, kinds ...devices.Kind) devices.School {
	if kinds == nil {
		kinds = devices.Kinds
	}
	s := devices.School{
		ID: id, Name: "测试小学" + id, Region: region, Type: devices.SchoolPrimary, Pupils: 500, Calendar: "cal",
		Windows: devices.Windows{
			Gate: []devices.Window{
				{Name: "morning", Start: devices.Clock(6, 50), End: devices.Clock(8, 20)},
				{Name: "afternoon", Start: devices.Clock(15, 50), End: devices.Clock(18, 0)},
			},
			Peaks: []devices.Window{
				{Name: "morning-arrival", Start: devices.Clock(7, 0), End: devices.Clock(8, 10)},
				{Name: "afternoon-dismissal", Start: devices.Clock(16, 0), End: devices.Clock(17, 50)},
			},
			Meals: []devices.Window{{Name: "lunch", Start: devices.Clock(11, 20), End: devices.Clock(13, 0)}},
		},
		Posts:    devices.DefaultPosts(),
		Kitchens: []devices.Kitchen{{ID: devices.DefaultKitchen}},
		Guards:   []devices.Guard{{ID: "g1"}, {ID: "g2"}},
	}
	for _, k := range kinds {
		d := devices.Device{ID: id + "-" + string(k), Kind: k}
		switch k {
		case devices.KindAccess:
			d.Location, d.Gate = "南门", "south"
		case devices.KindAlarm:
			d.Location = "门卫室"
		case devices.KindGuard:
			d.Post = devices.PostGuardroom
		case devices.KindKitchenCam:
			d.Kitchen = devices.DefaultKitchen
		}
		s.Devices = append(s.Devices, d)
	}
	return s
}

func testRegistry(schools ...devices.School) *devices.Registry {
	reg := &devices.Registry{
		Regions: []devices.Region{{Code: "130802", Name: "双桥区"}, {Code: "130803", Name: "双滦区"}},
		Calendars: []devices.Calendar{{
			ID:       "cal",
			Terms:    []devices.Term{{Start: devices.Date{Year: 2026, Month: 9, Day: 1}, End: devices.Date{Year: 2027, Month: 1, Day: 22}}},
			Holidays: []devices.Date{holiday},
		}},
		Schools: schools,
	}
	reg.Index()
	return reg
}

// fakeAlerts is the lifecycle's open alerts.
type fakeAlerts struct {
	mu   sync.Mutex
	list []alerting.Alert
}

func (f *fakeAlerts) open(school string, rules ...alerting.RuleID) []alerting.Alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []alerting.Alert
	for _, a := range f.list {
		if a.School == school && a.Open() && slices.Contains(rules, a.Rule) {
			out = append(out, a)
		}
	}
	return out
}

func (f *fakeAlerts) set(list ...alerting.Alert) {
	f.mu.Lock()
	f.list = list
	f.mu.Unlock()
}

// step is one scripted event.
type step struct {
	at   time.Time
	name string
	ev   devices.Event
}

// rig drives the module for one school of a shared store.
type rig struct {
	t      *testing.T
	h      *enginetest.Harness
	sch    *devices.School
	store  *Store
	silent map[string][]span // device → stretches without any message
	steps  []step
}

func newRig(t *testing.T, store *Store, sch *devices.School, start time.Time) *rig {
	r := &rig{t: t, sch: sch, store: store, silent: map[string][]span{}}
	r.h = enginetest.New(t, NewModule(store), sch, start)
	return r
}

func (r *rig) dev(k devices.Kind) string { return r.sch.ID + "-" + string(k) }

func (r *rig) add(at time.Time, name string, ev devices.Event) {
	r.steps = append(r.steps, step{at, name, ev})
}

// drop removes the scripted steps named name.
func (r *rig) drop(names ...string) {
	r.steps = slices.DeleteFunc(r.steps, func(s step) bool { return slices.Contains(names, s.name) })
}

func (r *rig) quiet(k devices.Kind, from, to time.Time) {
	id := r.dev(k)
	r.silent[id] = append(r.silent[id], span{from, to})
}

func checkin(guard, post, role string) devices.Event {
	return devices.Event{Kind: devices.KindGuard, Type: "guard.checkin", Channel: devices.ChannelEvent,
		Values: []devices.Value{sv("guard", guard), sv("post", post), sv("role", role)}}
}

func checkout(guard, post, role string) devices.Event {
	ev := checkin(guard, post, role)
	ev.Type = "guard.checkout"
	return ev
}

func sv(name, v string) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeString, Str: v}
}
func bv(name string, v bool) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeBool, Bool: v}
}
func nv(name string, v float64) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeNumber, Num: v}
}

// event returns an event of device kind k of the rig's school.
func (r *rig) event(k devices.Kind, typ string, vals ...devices.Value) devices.Event {
	return devices.Event{Kind: k, Device: r.dev(k), Type: typ, Channel: devices.ChannelEvent, Values: vals}
}

// perfectDay scripts a well-run school day d: both licensed guards in
// the guard room round the clock (re-checking in every 8 h), two teachers
// at the main gate from 20 min before each peak to just after it.
func (r *rig) perfectDay(d devices.Date) {
	for _, h := range []int{0, 8, 16} {
		r.add(at(d, h, 0), "g1", checkin("g1", devices.PostGuardroom, "guard"))
		r.add(at(d, h, 0), "g2", checkin("g2", devices.PostGuardroom, "guard"))
	}
	for _, p := range []struct {
		name             string
		inH, inM, oH, oM int
	}{{"am", 6, 40, 8, 15}, {"pm", 15, 40, 17, 55}} {
		for _, who := range []string{"t1", "t2"} {
			r.add(at(d, p.inH, p.inM), who+"-"+p.name+"-in", checkin(who, devices.PostMainGate, "teacher"))
			r.add(at(d, p.oH, p.oM), who+"-"+p.name+"-out", checkout(who, devices.PostMainGate, "teacher"))
		}
	}
}

// run starts the harness (if not yet) and plays the script and a
// heartbeat a minute from every device not silent, up to until.
func (r *rig) run(until time.Time) {
	r.t.Helper()
	if r.h.State() == nil {
		r.h.Start()
	}
	type item struct {
		at time.Time
		ev devices.Event
	}
	var items []item
	for _, s := range r.steps {
		if s.at.After(r.h.Now()) || s.at.Equal(r.h.Now()) {
			if s.at.Before(until) {
				items = append(items, item{s.at, s.ev})
			}
		}
	}
	for t := r.h.Now().Truncate(time.Minute); t.Before(until); t = t.Add(time.Minute) {
		if t.Before(r.h.Now()) {
			continue
		}
		for i := range r.sch.Devices {
			d := &r.sch.Devices[i]
			if coverAt(r.silent[d.ID], t) > 0 {
				continue
			}
			items = append(items, item{t, devices.Event{Kind: d.Kind, Device: d.ID, Type: "heartbeat." + string(d.Kind),
				Channel: devices.ChannelHeartbeat}})
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return a.at.Compare(b.at) })
	for _, it := range items {
		r.h.AdvanceTo(it.at)
		r.h.Event(it.ev)
	}
	r.h.AdvanceTo(until)
	r.steps = slices.DeleteFunc(r.steps, func(s step) bool { return s.at.Before(until) })
}

// day returns the school's measures on d as the store has them now.
func (r *rig) day(d devices.Date) SchoolDay {
	r.t.Helper()
	sd, ok := r.store.SchoolAt(r.sch.ID, d, r.h.Now())
	if !ok {
		r.t.Fatalf("no record of %s on %s", r.sch.ID, d)
	}
	return sd
}
