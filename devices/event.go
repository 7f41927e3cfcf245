package devices

import "time"

// Value is one decoded payload field. Exactly one of the typed members is
// meaningful, chosen by Type.
type Value struct {
	Name string
	Type FieldType
	Str  string  // TypeString, TypeEnum
	Num  float64 // TypeNumber
	Int  int64   // TypeInt
	Bool bool    // TypeBool
}

// Event is one validated message from a device, in the normalized
// vocabulary. Heartbeats and status messages are events too (Channel tells).
type Event struct {
	Region  string
	School  string
	Kind    Kind
	Device  string
	Channel Channel

	ID   string // unique per device; derived for heartbeats that carry none
	Type string // vocabulary type ("access.forced", "heartbeat.alarm", "status")
	TS   time.Time
	// DeviceTS is the device's own ts when decode replaced it with the
	// receive time: an alarm terminal's message whose clock is outside the
	// accepted window (a panic is never dropped for its timestamp). Zero
	// otherwise, when TS is the device's time.
	DeviceTS time.Time

	Seq        int64 // per-device sequence number, when HasSeq
	HasSeq     bool
	VendorCode string // the device's raw code, when given

	Values   []Value   // type-specific fields in vocabulary order, only those present
	Received time.Time // when campusguard received it

	// Retained marks a retained message the broker replayed on
	// (re)subscription: the device's last known state, not a new
	// observation. It is not stored again.
	Retained bool

	// Dev is the registry's device, set by the decoder (nil for events
	// built elsewhere): its Index lets per-device state live in slices.
	// It belongs to the registry the event was decoded against, which a
	// reload may have replaced; compare with Registry.DeviceAt before
	// trusting the index.
	Dev *Device
}

// Lookup returns the value named name.
func (e *Event) Lookup(name string) (Value, bool) {
	for _, v := range e.Values {
		if v.Name == name {
			return v, true
		}
	}
	return Value{}, false
}

// Str returns the string or enum value named name ("" when absent).
func (e *Event) Str(name string) string {
	v, _ := e.Lookup(name)
	return v.Str
}

// Bool returns the bool value named name and whether it was present.
func (e *Event) Bool(name string) (val, ok bool) {
	v, ok := e.Lookup(name)
	return v.Bool, ok
}

// Num returns a number or integer value named name and whether it was present.
func (e *Event) Num(name string) (float64, bool) {
	v, ok := e.Lookup(name)
	if v.Type == TypeInt {
		return float64(v.Int), ok
	}
	return v.Num, ok
}

// Spec returns the vocabulary entry of the event.
func (e *Event) Spec() *EventSpec {
	if e.Channel == ChannelStatus {
		return StatusSpec
	}
	return Vocabulary[e.Type]
}
