package compliance

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// fresh records when a device counted as present: from each message until
// its presence deadline (HeartbeatMisses × heartbeat interval) passes
// without another, or until its last will ("offline") arrives.
type fresh struct {
	window      time.Duration
	on          bool
	from, until time.Time // the current stretch, while on
	closed      []span
}

// seen records a message at t.
func (f *fresh) seen(t time.Time) {
	if f.on && t.Before(f.until) {
		f.until = later(f.until, t.Add(f.window))
		return
	}
	f.stop(f.until)
	f.on, f.from, f.until = true, t, t.Add(f.window)
}

// stop ends the current stretch at t (or at its deadline, if earlier).
func (f *fresh) stop(t time.Time) {
	if !f.on {
		return
	}
	if end := earlier(t, f.until); end.After(f.from) {
		f.closed = append(f.closed, span{f.from, end})
	}
	f.on = false
}

// spans appends to buf the stretches present up to end.
func (f *fresh) spans(end time.Time, buf []span) []span {
	buf = append(buf, f.closed...)
	if f.on {
		if e := earlier(end, f.until); e.After(f.from) {
			buf = append(buf, span{f.from, e})
		}
	}
	return buf
}

// level records when a boolean state held.
type level struct {
	on     bool
	since  time.Time
	closed []span
}

// set records the state at t.
func (l *level) set(t time.Time, on bool) {
	if on == l.on {
		return
	}
	if l.on && t.After(l.since) {
		l.closed = append(l.closed, span{l.since, t})
	}
	l.on, l.since = on, t
}

// spans appends to buf the stretches the state held, up to end.
func (l *level) spans(end time.Time, buf []span) []span {
	buf = append(buf, l.closed...)
	if l.on && end.After(l.since) {
		buf = append(buf, span{l.since, end})
	}
	return buf
}

// device is what compliance follows of one registered device.
type device struct {
	id       string
	location string
	kind     devices.Kind
	interval time.Duration // heartbeat interval
	fresh    fresh
	seen     bool      // a live message since Start
	watched  time.Time // when watching it began (Start, or the reload that registered it)

	// lv is the kind's own level, one per device as a device has one
	// kind: access, the gate in state always_open; alarm, the 110 link
	// down; kitchencam, offline per its own status, not streaming, frozen
	// or occluded.
	lv level

	lastTest time.Time // alarm: last successful alarm.test (Start counts as one)

	online    bool // kitchencam: last reported status fields
	streaming bool
	occluded  bool
	frameAge  float64
}

func (d *device) name() string {
	if d.location != "" {
		return d.location + "（" + d.id + "）"
	}
	return d.id
}

// camStatus applies the status fields of a kitchen.status or camera
// heartbeat (absent fields keep their value) and records whether the
// camera is bad at t.
func (d *device) camStatus(t time.Time, ev *devices.Event, frameAgeMax time.Duration) {
	if v, ok := ev.Bool("online"); ok {
		d.online = v
	}
	if v, ok := ev.Bool("streaming"); ok {
		d.streaming = v
	}
	if v, ok := ev.Bool("occluded"); ok {
		d.occluded = v
	}
	if v, ok := ev.Num("frame_age_s"); ok {
		d.frameAge = v
	}
	good := d.online && d.streaming && !d.occluded && d.frameAge <= frameAgeMax.Seconds()
	d.lv.set(t, !good)
}

// stayKey names the open stay of one person at one post.
type stayKey struct{ person, post string }
