package sim

import "github.com/campusguard/campusguard/devices"

// loadJob is the load generator's uniform extra traffic: one message every
// `every` virtual ns (Speed/Rate seconds, so Rate is per wall second),
// round-robin over all devices. Each message is one a healthy device of
// that kind sends often and that raises no alert: a granted passage at a
// gate, a kitchen camera status, a heartbeat from the other kinds.
type loadJob struct {
	every int64
	next  int
}

func (l *loadJob) fire(s *Simulator, due int64) (int64, bool) {
	d := s.devs[l.next]
	l.next++
	if l.next == len(s.devs) {
		l.next = 0
	}
	switch d.dev.Kind {
	case devices.KindAccess:
		if s.begin(d, chEvent, tGranted, due) {
			w := s.w
			h := s.rng.Uint64()
			if h&1 == 0 {
				w.str("direction", "in")
			} else {
				w.str("direction", "out")
			}
			w.str("method", methodOf("student", h))
			w.token("person", "p", h>>24)
			w.str("role", "student")
			s.end()
		}
	case devices.KindKitchenCam:
		if s.begin(d, chEvent, tKitchen, due) {
			s.cameraFields(d, due)
			s.end()
		}
	default:
		s.sendHeartbeat(d, due)
	}
	return due + l.every, true
}
