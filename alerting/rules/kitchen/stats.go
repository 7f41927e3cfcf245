package kitchen

import (
	"slices"
	"sort"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// StatsDays is how many local days of online accounting a school's state
// keeps (compliance reads them daily; a month covers its monthly view).
const StatsDays = 35

// WindowStat is one camera's accounting of one operating window.
type WindowStat struct {
	Name       string    // meal name(s) of the window ("lunch", "breakfast+lunch" when merged)
	Start, End time.Time // the operating window
	// Watched is the part of the window the camera was watched: the whole
	// window, unless campusguard started (or the camera was registered)
	// inside it; a window still open counts up to now.
	Watched time.Duration
	// Bad is the part of Watched the camera was offline, not streaming or
	// frozen (kitchen_cam_offline's condition, without its delay).
	Bad time.Duration
	// Occluded is the part of Watched the camera reported its lens covered.
	Occluded time.Duration
}

// OnlineRate is the share of the watched window the camera was good
// (1 when nothing was watched).
func (w WindowStat) OnlineRate() float64 {
	if w.Watched <= 0 {
		return 1
	}
	return 1 - float64(w.Bad)/float64(w.Watched)
}

// CameraDay is one camera's accounting of one local day.
type CameraDay struct {
	Device  string
	Windows []WindowStat // the day's operating windows (school days only), in time order
	// OutsideBad is the time the camera was bad outside operating windows:
	// recorded, never alerted.
	OutsideBad time.Duration
	// OutsideOccluded is the time it was occluded outside windows.
	OutsideOccluded time.Duration
}

type camDay struct {
	windows         []*WindowStat
	outsideBad      time.Duration
	outsideOccluded time.Duration
}

// OnlineStats returns every camera's accounting of local day d as of now
// (a window still open, and a lapse still going on, count up to now),
// sorted by device id. Days older than StatsDays before the newest are
// gone. Call it on the school's engine worker, like every state access.
func (s *State) OnlineStats(d devices.Date, now time.Time) []CameraDay {
	recs := s.days[d]
	dayStart := d.In(devices.Location())
	dayEnd := d.AddDays(1).In(devices.Location())
	out := make([]CameraDay, 0, len(s.cams))
	for id, r := range recs {
		cd := CameraDay{Device: id, OutsideBad: r.outsideBad, OutsideOccluded: r.outsideOccluded}
		cam := s.byID[id]
		for _, w := range r.windows {
			ws := *w
			if cam != nil && cam.cur == w {
				p := overlap(cam.mark, now, w.Start, w.End)
				ws.Watched += p
				if cam.bad {
					ws.Bad += p
				}
				if cam.occluded {
					ws.Occluded += p
				}
			}
			cd.Windows = append(cd.Windows, ws)
		}
		out = append(out, cd)
	}
	// A lapse going on outside windows, not yet accounted.
	for _, cam := range s.cams {
		if cam.cur != nil || !(cam.bad || cam.occluded) {
			continue
		}
		p := overlap(cam.mark, now, dayStart, dayEnd)
		if p <= 0 {
			continue
		}
		i := slices.IndexFunc(out, func(cd CameraDay) bool { return cd.Device == cam.id })
		if i < 0 {
			out = append(out, CameraDay{Device: cam.id})
			i = len(out) - 1
		}
		if cam.bad {
			out[i].OutsideBad += p
		}
		if cam.occluded {
			out[i].OutsideOccluded += p
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out
}

// overlap returns the length of [a, b) ∩ [c, d).
func overlap(a, b, c, d time.Time) time.Duration {
	if c.After(a) {
		a = c
	}
	if d.Before(b) {
		b = d
	}
	if !b.After(a) {
		return 0
	}
	return b.Sub(a)
}

// flush accounts the camera's time from its mark up to t: to the open
// window's record, or to the days outside windows.
func (s *State) flush(cam *camera, t time.Time) {
	if !t.After(cam.mark) {
		return
	}
	if cam.mark.IsZero() {
		cam.mark = t
		return
	}
	if cam.cur != nil {
		d := t.Sub(cam.mark)
		cam.cur.Watched += d
		if cam.bad {
			cam.cur.Bad += d
		}
		if cam.occluded {
			cam.cur.Occluded += d
		}
	} else if cam.bad || cam.occluded {
		s.addOutside(cam, cam.mark, t)
	}
	cam.mark = t
}

// addOutside accounts [from, to) outside windows, split at local midnights.
func (s *State) addOutside(cam *camera, from, to time.Time) {
	loc := devices.Location()
	for from.Before(to) {
		d := devices.DateOf(from.In(loc))
		seg := d.AddDays(1).In(loc)
		if to.Before(seg) {
			seg = to
		}
		r := s.camDay(d, cam.id)
		if cam.bad {
			r.outsideBad += seg.Sub(from)
		}
		if cam.occluded {
			r.outsideOccluded += seg.Sub(from)
		}
		from = seg
	}
}

// camDay returns the record of camera id on day d, creating it; a new
// newest day drops the days older than StatsDays.
func (s *State) camDay(d devices.Date, id string) *camDay {
	recs := s.days[d]
	if recs == nil {
		recs = map[string]*camDay{}
		s.days[d] = recs
		if s.newest.Before(d) {
			s.newest = d
			oldest := d.AddDays(-StatsDays + 1)
			for k := range s.days {
				if k.Before(oldest) {
					delete(s.days, k)
				}
			}
		}
	}
	r := recs[id]
	if r == nil {
		r = &camDay{}
		recs[id] = r
	}
	return r
}
