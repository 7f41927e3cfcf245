package kitchen

import (
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// State is the module's state for one school. Like every module state it
// belongs to the school's engine worker: read it (OnlineStats) only from
// that worker.
type State struct {
	school string // school name, for messages
	cams   []*camera
	byID   map[string]*camera

	open     bool     // an operating window is open
	win      opWindow // the open window
	openedAt time.Time

	days   map[devices.Date]map[string]*camDay // online accounting per local day and camera
	newest devices.Date                        // the newest day in days

	met    *metrics
	groups map[string]*group    // open tier-1/2 alert groups by groupKey
	t3Day  devices.Date         // the local day t3 counts
	t3     map[string]int       // tier-3 events per category on t3Day
	t2Last map[string]time.Time // last tier-2 event per category, any camera
}

// camera is what the module knows of one kitchen camera.
type camera struct {
	id       string
	d        *devices.Device // as registered (describe sets it after a reload)
	where    string          // kitchen and location, for messages ("厨房 操作间")
	interval time.Duration   // heartbeat interval

	lastSeen    time.Time // last presence (message from the device)
	hbMissed    bool      // no presence for HeartbeatMisses × interval
	willOffline bool      // status channel says offline (the last will)
	reportedOff bool      // kitchen.status / heartbeat online=false
	notStream   bool      // streaming=false
	frozen      bool      // frame_age_s > KitchenFrameAgeMax
	frameAge    float64   // last frame_age_s
	occluded    bool      // occluded=true

	bad      bool      // offline, not streaming or frozen
	badSince time.Time // when bad began

	offFiring bool // kitchen_cam_offline fired and not resolved
	occFiring bool // kitchen_cam_occluded fired and not resolved

	mark time.Time   // accounted (flush) up to here
	cur  *WindowStat // accounting of the open window, nil outside windows
}

func newState(met *metrics) *State {
	return &State{
		met:    met,
		groups: map[string]*group{},
		byID:   map[string]*camera{},
		days:   map[devices.Date]map[string]*camDay{},
		t3:     map[string]int{},
		t2Last: map[string]time.Time{},
	}
}

func (s *State) addCamera(sch *devices.School, d *devices.Device) *camera {
	cam := &camera{id: d.ID}
	cam.describe(sch, d)
	s.school = sch.Name
	s.cams = append(s.cams, cam)
	s.byID[d.ID] = cam
	return cam
}

// describe takes what the registry says of the camera.
func (cam *camera) describe(sch *devices.School, d *devices.Device) {
	cam.d = d
	cam.interval = time.Duration(d.HeartbeatInterval())
	kitchen := ""
	for _, k := range sch.Kitchens {
		if k.ID == d.Kitchen || (d.Kitchen == "" && len(sch.Kitchens) == 1) {
			kitchen = k.Name
			if kitchen == "" {
				kitchen = k.ID
			}
		}
	}
	switch {
	case kitchen != "" && d.Location != "":
		cam.where = kitchen + " " + d.Location
	case kitchen != "":
		cam.where = kitchen
	default:
		cam.where = d.Location
	}
}

// sync takes the cameras of the school's current registry entry (Start
// runs again after a registry reload): new cameras are watched from now,
// removed ones are forgotten and their open conditions resolved.
func (s *State) sync(c engine.Ctx) {
	sch := c.School()
	s.school = sch.Name
	now := c.Now()
	seen := make(map[string]bool, len(s.cams))
	for i := range sch.Devices {
		d := &sch.Devices[i]
		if d.Kind != devices.KindKitchenCam {
			continue
		}
		seen[d.ID] = true
		if cam := s.byID[d.ID]; cam != nil {
			cam.describe(sch, d)
			continue
		}
		cam := s.addCamera(sch, d)
		cam.lastSeen, cam.mark = now, now
		if s.open {
			s.attach(cam)
		}
	}
	kept := s.cams[:0]
	for _, cam := range s.cams {
		if seen[cam.id] {
			kept = append(kept, cam)
			continue
		}
		s.flush(cam, now)
		c.CancelDevice(cam.d, slotHB)
		c.CancelDevice(cam.d, slotBad)
		if cam.offFiring {
			c.Resolve(alerting.KitchenCamOffline, cam.id)
		}
		if cam.occFiring {
			c.Resolve(alerting.KitchenCamOccluded, cam.id)
		}
		delete(s.byID, cam.id)
	}
	clear(s.cams[len(kept):])
	s.cams = kept
}
