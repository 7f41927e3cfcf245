package sim

import "github.com/campusguard/campusguard/devices"

// firmware is the fw field of simulated heartbeats.
const firmware = "campusguard-sim/1"

// statusJob publishes a device's retained status "online" at the start.
type statusJob struct{ d *devState }

func (j statusJob) fire(s *Simulator, due int64) (int64, bool) {
	s.sendStatus(j.d, due, true)
	return 0, false
}

// heartbeatJob publishes a device's heartbeats every interval.
type heartbeatJob struct{ d *devState }

func (j heartbeatJob) fire(s *Simulator, due int64) (int64, bool) {
	s.sendHeartbeat(j.d, due)
	return due + j.d.every, true
}

// sendStatus publishes the retained status channel.
func (s *Simulator) sendStatus(d *devState, due int64, online bool) {
	if !s.begin(d, chStatus, tStatus, due) {
		return
	}
	if online {
		s.w.str("status", "online")
	} else {
		s.w.str("status", "offline")
	}
	s.end()
}

// sendHeartbeat publishes one heartbeat with the fields of the device's kind.
func (s *Simulator) sendHeartbeat(d *devState, due int64) {
	if !s.begin(d, chHeartbeat, tHeartbeat[d.kind], due) {
		return
	}
	w := s.w
	switch d.dev.Kind {
	case devices.KindAlarm:
		w.boolean("linked", true)
		// Mains-powered terminals keep their battery near full.
		w.num("battery", 90+float64(d.salt%100)/10, 1)
	case devices.KindAccess:
		if d.gateOpen {
			w.str("state", "open")
		} else {
			w.str("state", "closed")
		}
	case devices.KindKitchenCam:
		s.cameraFields(d, due)
	}
	w.str("fw", firmware)
	w.integer("uptime_s", (due-d.booted)/nsSecond)
	s.end()
}

// cameraFields appends a kitchen camera's stream status: healthy, or off
// while a kitchen_cam_off fault covers due.
func (s *Simulator) cameraFields(d *devState, due int64) {
	w := s.w
	if off, ok := d.camOffAt(due); ok {
		w.boolean("online", false)
		w.boolean("streaming", false)
		w.num("fps", 0, 0)
		w.integer("frame_age_s", (due-off.from)/nsSecond)
	} else {
		w.boolean("online", true)
		w.boolean("streaming", true)
		w.num("fps", 25, 0)
		w.num("frame_age_s", float64(s.rng.IntN(15))/10, 1)
	}
	w.boolean("occluded", false)
}
