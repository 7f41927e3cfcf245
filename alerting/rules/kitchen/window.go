package kitchen

import (
	"sort"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// opWindow is one kitchen operating window on one date: from
// KitchenWindowLead before a meal until the meal ends. Windows that
// overlap are merged (their names joined with "+").
type opWindow struct {
	name       string
	start, end time.Time
}

// lookAhead bounds the search for the next operating window; with none in
// that many days (holidays) the module just looks again then.
const lookAhead = 7

// meals returns the school's meal windows, or the defaults of its type.
func meals(s *devices.School, d devices.Date) []devices.Window {
	if w := s.WindowsOn(d).Meals; len(w) > 0 {
		return w
	}
	return devices.DefaultWindows(s.Type, s.Boarders > 0).Meals
}

// windowsOn returns the operating windows of date d, in time order,
// whether or not d is a school day.
func windowsOn(sch *devices.School, lead time.Duration, d devices.Date) []opWindow {
	midnight := d.In(sch.Location())
	var ws []opWindow
	for _, m := range meals(sch, d) {
		w := opWindow{name: m.Name, start: m.Start.At(d).Add(-lead), end: m.End.At(d)}
		if w.start.Before(midnight) {
			w.start = midnight
		}
		if !w.end.After(w.start) {
			continue
		}
		if w.name == "" {
			w.name = m.Start.String()
		}
		ws = append(ws, w)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].start.Before(ws[j].start) })
	out := ws[:0]
	for _, w := range ws {
		if n := len(out); n > 0 && !w.start.After(out[n-1].end) {
			if w.end.After(out[n-1].end) {
				out[n-1].end = w.end
			}
			out[n-1].name += "+" + w.name
			continue
		}
		out = append(out, w)
	}
	return out
}

// current returns the operating window holding now on a school day.
func current(c engine.Ctx, now time.Time) (opWindow, bool) {
	sch := c.School()
	d := devices.DateOf(now.In(sch.Location()))
	for _, w := range windowsOn(sch, c.Params().KitchenWindowLead, d) {
		if !now.Before(w.start) && now.Before(w.end) && c.SchoolDay(w.start) {
			return w, true
		}
	}
	return opWindow{}, false
}

// nextStart returns when the next operating window on a school day
// opens after now, or a time to look again when none opens soon.
func nextStart(c engine.Ctx, now time.Time) time.Time {
	sch := c.School()
	today := devices.DateOf(now.In(sch.Location()))
	for i := 0; i <= lookAhead; i++ {
		d := today.AddDays(i)
		for _, w := range windowsOn(sch, c.Params().KitchenWindowLead, d) {
			if w.start.After(now) && c.SchoolDay(w.start) {
				return w.start
			}
		}
	}
	return today.AddDays(lookAhead + 1).In(sch.Location())
}

// schedule closes the open window when it is over (or no longer exists
// after a reload), opens the window holding now, and arms the next edge.
func (s *State) schedule(c engine.Ctx) {
	now := c.Now()
	w, in := current(c, now)
	if s.open && (!in || !w.start.Equal(s.win.start) || !w.end.Equal(s.win.end)) {
		s.closeWindow(c)
	}
	if !s.open && in {
		s.openWindow(c, w)
	}
	if s.open {
		c.At(s.win.end, keyWindow)
	} else {
		c.At(nextStart(c, now), keyWindow)
	}
}

// openWindow starts watching: a camera already bad counts from now (the
// window start), an occluded camera is reported at once.
func (s *State) openWindow(c engine.Ctx, w opWindow) {
	now := c.Now()
	s.open, s.win, s.openedAt = true, w, now
	after := c.Params().KitchenOfflineAfter
	for _, cam := range s.cams {
		s.flush(cam, now)
		s.attach(cam)
		if cam.bad {
			c.AtDevice(now.Add(after), cam.d, slotBad)
		}
		if cam.occluded {
			s.fireOccluded(c, cam)
		}
	}
}

// attach starts the camera's accounting of the open window.
func (s *State) attach(cam *camera) {
	d := devices.DateOf(s.win.start)
	st := &WindowStat{Name: s.win.name, Start: s.win.start, End: s.win.end}
	cd := s.camDay(d, cam.id)
	cd.windows = append(cd.windows, st)
	cam.cur = st
}

// closeWindow ends the open window: accounting stops at its end and the
// camera lapses it bounded are resolved.
func (s *State) closeWindow(c engine.Ctx) {
	end := c.Now()
	if s.win.end.Before(end) {
		end = s.win.end
	}
	for _, cam := range s.cams {
		s.flush(cam, end)
		cam.cur = nil
		c.CancelDevice(cam.d, slotBad)
		if cam.offFiring {
			cam.offFiring = false
			c.Resolve(alerting.KitchenCamOffline, cam.id)
		}
		if cam.occFiring {
			cam.occFiring = false
			c.Resolve(alerting.KitchenCamOccluded, cam.id)
		}
	}
	s.open = false
}

// windowZH and windowEN name an operating window for messages.
func windowZH(name string) string {
	parts := strings.Split(name, "+")
	for i, p := range parts {
		if zh, ok := mealZH[p]; ok {
			parts[i] = zh
		}
	}
	return strings.Join(parts, "、")
}

func windowEN(name string) string { return strings.ReplaceAll(name, "+", "/") }

var mealZH = map[string]string{"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐", "supper": "夜宵"}
