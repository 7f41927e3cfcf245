package sim

import (
	"strconv"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// devState is the simulator's view of one device.
type devState struct {
	dev    *devices.Device
	sc     *schoolState
	kind   int                 // index in devices.Kinds
	topics [numChannels]string // campus/{region}/{school}/{kind}/{device}/{channel}
	prefix []byte              // `{"id":"<device>-<run>-`
	seq    int64               // last sequence number sent
	salt   uint64              // stable per-device randomness
	every  int64               // heartbeat interval, virtual ns
	booted int64               // virtual time the device last booted (uptime_s)

	gateOpen bool   // access: gate currently open
	tested   int64  // alarm: year*12+month of the last test press
	silent   []span // silent_device faults
	camOff   []span // kitchen_cam_off faults
}

func newDevState(d *devices.Device, sc *schoolState, run string, opts *Options, start int64) *devState {
	ds := &devState{
		dev:  d,
		sc:   sc,
		kind: kindIndex(d.Kind),
		salt: splitmix(hashString(d.ID)),
	}
	base := "campus/" + sc.school.Region + "/" + sc.school.ID + "/" + string(d.Kind) + "/" + d.ID + "/"
	for i, ch := range channels {
		ds.topics[i] = base + string(ch)
	}
	p := appendJSONString([]byte(`{"id":`), d.ID+"-"+run+"-")
	ds.prefix = p[:len(p)-1] // without the closing quote: the seq follows inside the id
	every := float64(time.Duration(d.HeartbeatInterval())) / opts.HeartbeatScale
	ds.every = max(int64(every), int64(time.Millisecond))
	ds.booted = start - int64(ds.salt%(30*24*3600))*nsSecond // up for up to 30 days before the start
	return ds
}

// silentAt reports whether a silent_device fault covers t.
func (d *devState) silentAt(t int64) bool {
	for _, p := range d.silent {
		if p.contains(t) {
			return true
		}
	}
	return false
}

// camOffAt returns the kitchen_cam_off fault covering t, if any.
func (d *devState) camOffAt(t int64) (span, bool) {
	for _, p := range d.camOff {
		if p.contains(t) {
			return p, true
		}
	}
	return span{}, false
}

// emitter renders and hands on one message at a time; it belongs to the
// Simulator and is only used inside Step.
//
// begin starts a payload (id, ts, type, seq) and reports false when the
// message must not be sent (before the virtual start, or a silent_device
// fault); the caller then adds its fields and calls end.
func (s *Simulator) begin(d *devState, ch int, t *evType, due int64) bool {
	if due < s.start {
		return false
	}
	if d.silent != nil && d.silentAt(due) {
		s.stats.suppressed.Add(1)
		return false
	}
	d.seq++
	w := s.w
	w.b = append(w.b[:0], d.prefix...)
	w.b = strconv.AppendInt(w.b, d.seq, 10)
	w.b = append(w.b, `","ts":"`...)
	ts := due
	if s.wallTS != 0 {
		ts = s.wallTS
	}
	w.appendTS(ts)
	w.b = append(w.b, `","type":"`...)
	w.b = append(w.b, t.name...)
	w.b = append(w.b, `","seq":`...)
	w.b = strconv.AppendInt(w.b, d.seq, 10)
	s.cur, s.curCh, s.curType = d, ch, t
	return true
}

// end closes the payload begun by begin and hands it to the emit function.
func (s *Simulator) end() {
	w := s.w
	w.b = append(w.b, '}')
	d := s.cur
	s.stats.count(d.kind, s.curCh, s.curType)
	s.emit(d.topics[s.curCh], s.curCh == chStatus, w.b)
}
