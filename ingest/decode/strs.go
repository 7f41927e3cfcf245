package decode

import (
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// maxPending is how many strings of one message strs collects before it
// makes the rest one by one; real messages keep at most five (id,
// vendor_code and a few string fields).
const maxPending = 8

// Targets of a pending string other than a Values index (>= 0).
const (
	toID         = -1
	toVendorCode = -2
)

// strs collects the strings an event keeps (its id, vendor_code and string
// field values) while the message is checked, then makes them all with one
// allocation (make): substrings of one string, instead of one allocation
// each. They are never modified, so a sink may keep any of them; one kept
// string keeps the message's others alive, a few dozen bytes. It records
// where each string goes as a target number, not a pointer, so that
// neither it nor the event escapes to the heap.
type strs struct {
	n     int
	size  int
	hasID bool // an id was added (given or derived)
	src   [maxPending][]byte
	dst   [maxPending]int // toID, toVendorCode or a Values index
	idLen int             // > 0: the id is derived, in idBuf[:idLen]
	idBuf [24]byte
}

// add arranges for the string at target to be set to b by make. b must
// stay unchanged until then (it is the payload).
func (s *strs) add(e *devices.Event, target int, b []byte) {
	switch {
	case len(b) == 0:
		set(e, target, "")
	case s.n == maxPending:
		set(e, target, string(b))
	default:
		s.src[s.n], s.dst[s.n] = b, target
		s.n++
		s.size += len(b)
	}
}

// id adds the event's id.
func (s *strs) id(e *devices.Event, b []byte) {
	s.hasID = true
	s.add(e, toID, b)
}

// derivedID adds the id of a message that carries none: unique per device
// and timestamp, so a redelivery yields the same id.
func (s *strs) derivedID(prefix string, ts time.Time) {
	s.hasID = true
	s.idLen = len(strconv.AppendInt(append(s.idBuf[:0], prefix...), ts.UnixMilli(), 10))
	s.size += s.idLen
}

func set(e *devices.Event, target int, v string) {
	switch target {
	case toID:
		e.ID = v
	case toVendorCode:
		e.VendorCode = v
	default:
		e.Values[target].Str = v
	}
}

// make sets every added string of e (whose Values must be in place).
func (s *strs) make(e *devices.Event) {
	if s.size == 0 {
		return
	}
	var b strings.Builder
	b.Grow(s.size)
	for _, p := range s.src[:s.n] {
		b.Write(p)
	}
	b.Write(s.idBuf[:s.idLen])
	all := b.String() // no copy: the Builder's bytes
	off := 0
	for i, p := range s.src[:s.n] {
		set(e, s.dst[i], all[off:off+len(p)])
		off += len(p)
	}
	if s.idLen > 0 {
		e.ID = all[off:]
	}
	s.n, s.size, s.idLen = 0, 0, 0
}
