package decode

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/campusguard/campusguard/devices"
)

// Registry finds devices by id. *devices.Registry satisfies it; a caller that
// reloads the registry passes something that swaps it atomically.
type Registry interface {
	Device(id string) (*devices.Device, bool)
}

// Decoder turns one MQTT message into a validated devices.Event. Its only
// mutable state is a pair of atomic counters (Collector): one Decoder may
// be used from many goroutines.
type Decoder struct {
	reg  Registry
	opts Options
}

// New returns a Decoder that checks devices against reg. Zero or negative
// options take their defaults (DefaultOptions); check configuration with
// Options.Validate first when it comes from a user.
func New(reg Registry, opts Options) *Decoder {
	return &Decoder{reg: reg, opts: opts.withDefaults()}
}

// Registry returns the registry the Decoder was built with (a caller's
// reloading view, when it passed one).
func (d *Decoder) Registry() Registry { return d.reg }

// Payload members every channel understands.
const (
	keyID         = "id"
	keyTS         = "ts"
	keyType       = "type"
	keySeq        = "seq"
	keyVendorCode = "vendor_code"
	keyStatus     = "status"
)

// knownKeys holds every member name Decode may look at: the envelope and the
// fields of every vocabulary entry. Members with other names are skipped.
var knownKeys = func() map[string]struct{} {
	m := map[string]struct{}{keyID: {}, keyTS: {}, keyType: {}, keySeq: {}, keyVendorCode: {}, keyStatus: {}}
	add := func(s *devices.EventSpec) {
		for _, f := range s.Fields {
			m[f.Name] = struct{}{}
		}
	}
	for _, s := range devices.Vocabulary {
		add(s)
	}
	add(devices.StatusSpec)
	return m
}()

func isKnown(key []byte) bool {
	_, ok := knownKeys[string(key)]
	return ok
}

// memberBuf is how many known members a payload may carry before the member
// list moves to the heap; real payloads carry fewer than ten.
const memberBuf = 16

// Decode validates a message received on topic and returns its event.
// Every rejection is a *RejectError; Decode never panics.
func (d *Decoder) Decode(topic string, payload []byte, received time.Time) (devices.Event, error) {
	var e devices.Event
	if err := d.decode(&e, topic, payload, received); err != nil {
		return devices.Event{}, err
	}
	return e, nil
}

func (d *Decoder) decode(e *devices.Event, topicName string, payload []byte, received time.Time) *RejectError {
	t, err := parseTopic(topicName)
	if err != nil {
		return err
	}
	dev, ok := d.reg.Device(t.device)
	if !ok || dev == nil || dev.School() == nil {
		return reject(ReasonUnknownDevice, "device "+quote(t.device)+" is not in the registry")
	}
	school := dev.School()
	switch {
	case school.ID != t.school:
		return reject(ReasonTopicMismatch, "device "+quote(dev.ID)+" belongs to school "+quote(school.ID)+", not "+quote(t.school))
	case school.Region != t.region:
		return reject(ReasonTopicMismatch, "school "+quote(school.ID)+" is in region "+quote(school.Region)+", not "+quote(t.region))
	case dev.Kind != t.kind:
		return reject(ReasonTopicMismatch, "device "+quote(dev.ID)+" is a "+string(dev.Kind)+", not a "+string(t.kind))
	}
	if len(payload) > d.opts.MaxPayload {
		return reject(ReasonOversize, strconv.Itoa(len(payload))+" bytes, limit "+strconv.Itoa(d.opts.MaxPayload))
	}
	if !utf8.Valid(payload) {
		return reject(ReasonBadUTF8, "payload is not valid UTF-8")
	}
	*e = devices.Event{
		Region:   school.Region,
		School:   school.ID,
		Kind:     dev.Kind,
		Device:   dev.ID,
		Channel:  t.channel,
		Received: received,
		Dev:      dev,
	}
	var ss strs
	switch t.channel {
	case devices.ChannelEvent:
		return d.event(e, school, payload, &ss)
	case devices.ChannelHeartbeat:
		return d.heartbeat(e, payload, &ss)
	default:
		return d.status(e, payload, received, &ss)
	}
}

// event decodes the event channel: id, type and ts are required.
func (d *Decoder) event(e *devices.Event, school *devices.School, payload []byte, ss *strs) *RejectError {
	var buf [memberBuf]member
	ms, err := scanObject(payload, buf[:0], isKnown)
	if err != nil {
		return err
	}
	m := find(ms, keyID)
	if m == nil {
		return reject(ReasonMissingID, "event has no id")
	}
	id, err := parseID(m)
	if err != nil {
		return err
	}
	ss.id(e, id)
	m = find(ms, keyType)
	if m == nil {
		return reject(ReasonMissingType, "event has no type")
	}
	if m.kind != kString {
		return reject(ReasonUnknownType, "type must be a string, got "+m.kind.String())
	}
	spec := lookupEvent(m)
	if spec == nil {
		return reject(ReasonUnknownType, "type "+quote(text(m))+" is not in the vocabulary")
	}
	if spec.Kind != e.Kind {
		return reject(ReasonWrongKind, "type "+spec.Type+" is sent by "+string(spec.Kind)+" devices, not "+string(e.Kind))
	}
	e.Type = spec.Type
	if err := d.common(e, ms, true, ss); err != nil {
		return err
	}
	if e.Values, err = parseValues(e, spec, ms, ss); err != nil {
		return err
	}
	ss.make(e)
	if spec.Type == "alarm.test" {
		if err := testMode(e); err != nil {
			return err
		}
	}
	return checkRefs(spec, e, school)
}

// checkRefs rejects a value of a field with a registry reference (Ref) that
// the registry does not hold: such values may be InfluxDB tags, so their set
// must be the operator's, not the device's.
func checkRefs(spec *devices.EventSpec, e *devices.Event, school *devices.School) *RejectError {
	for i := range spec.Fields {
		f := &spec.Fields[i]
		if f.Ref == devices.RefNone {
			continue
		}
		v, ok := e.Lookup(f.Name)
		if !ok {
			continue
		}
		if f.Ref == devices.RefPost && !school.HasPost(v.Str) {
			return reject(ReasonUnknownPost, "school "+quote(school.ID)+" has no post "+quote(v.Str))
		}
	}
	return nil
}

// lookupEvent finds the spec of a type member (without allocating unless
// the member has escapes).
func lookupEvent(m *member) *devices.EventSpec {
	return devices.LookupEvent(string(bytesOf(m)))
}

// heartbeat decodes the heartbeat channel: ts is required; type, when
// given, must be "heartbeat" or "heartbeat.<kind>"; a missing id is derived from the timestamp.
func (d *Decoder) heartbeat(e *devices.Event, payload []byte, ss *strs) *RejectError {
	spec := devices.HeartbeatSpec(e.Kind)
	if spec == nil {
		return reject(ReasonUnknownKind, "no heartbeat vocabulary for kind "+string(e.Kind))
	}
	var buf [memberBuf]member
	ms, err := scanObject(payload, buf[:0], isKnown)
	if err != nil {
		return err
	}
	if m := find(ms, keyType); m != nil {
		if m.kind != kString {
			return reject(ReasonUnknownType, `heartbeat type must be "heartbeat", got `+m.kind.String()+" "+quote(string(m.raw)))
		}
		// "heartbeat" or the vocabulary's own name, "heartbeat.<kind>".
		switch t := string(bytesOf(m)); {
		case t == "heartbeat" || t == spec.Type:
		case devices.Vocabulary[t] != nil && devices.Vocabulary[t].Measurement == devices.MeasHeartbeat:
			return reject(ReasonWrongKind, "heartbeat type "+quote(t)+" belongs to another kind than "+string(e.Kind))
		default:
			return reject(ReasonUnknownType, `heartbeat type must be "heartbeat" or "`+spec.Type+`", got `+quote(t))
		}
	}
	e.Type = spec.Type
	if err := d.common(e, ms, true, ss); err != nil {
		return err
	}
	if e.Values, err = parseValues(e, spec, ms, ss); err != nil {
		return err
	}
	if !ss.hasID {
		ss.derivedID("hb-", deviceTime(e))
	}
	ss.make(e)
	return nil
}

// common decodes the envelope shared by all JSON payloads: id (when given),
// ts (required when tsRequired), seq and vendor_code.
// Strings go to ss.
func (d *Decoder) common(e *devices.Event, ms []member, tsRequired bool, ss *strs) *RejectError {
	var err *RejectError
	if !ss.hasID {
		if m := find(ms, keyID); m != nil {
			id, err := parseID(m)
			if err != nil {
				return err
			}
			ss.id(e, id)
		}
	}
	if m := find(ms, keyTS); m != nil {
		if e.TS, err = parseTS(m); err != nil {
			return err
		}
	} else if tsRequired {
		return reject(ReasonMissingTS, "message has no ts")
	}
	if err := d.checkTime(e); err != nil {
		return err
	}
	if m := find(ms, keySeq); m != nil {
		if e.Seq, err = parseSeq(m); err != nil {
			return err
		}
		e.HasSeq = true
	}
	if m := find(ms, keyVendorCode); m != nil {
		vc, err := parseVendorCode(m)
		if err != nil {
			return err
		}
		ss.add(e, toVendorCode, vc)
	}
	return nil
}

// checkTime rejects an e.TS outside [now-MaxAge, now+MaxFuture], except
// from an alarm terminal: a panic is never dropped for its timestamp (a
// clock reset after a power cut is exactly when one matters), so an alarm
// message with a skewed clock is accepted with the receive time as TS, the
// device's time kept in DeviceTS (the ingest pipeline counts each stored
// one in campusguard_ingest_alarm_clock_skew_total).
func (d *Decoder) checkTime(e *devices.Event) *RejectError {
	now := d.opts.Now()
	future := e.TS.After(now.Add(d.opts.MaxFuture))
	past := !future && e.TS.Before(now.Add(-d.opts.MaxAge))
	switch {
	case !future && !past:
		return nil
	case e.Kind == devices.KindAlarm:
		e.DeviceTS, e.TS = e.TS, e.Received.UTC()
		return nil
	case future:
		return reject(ReasonTSFuture, "ts "+e.TS.Format(time.RFC3339Nano)+" is more than "+d.opts.MaxFuture.String()+" ahead of "+now.UTC().Format(time.RFC3339))
	}
	return reject(ReasonTSPast, "ts "+e.TS.Format(time.RFC3339Nano)+" is more than "+d.opts.MaxAge.String()+" before "+now.UTC().Format(time.RFC3339))
}

// deviceTime is the device's own time of e: DeviceTS when decode replaced
// it, else TS. Derived ids use it, so a redelivery keeps its id.
func deviceTime(e *devices.Event) time.Time {
	if !e.DeviceTS.IsZero() {
		return e.DeviceTS
	}
	return e.TS
}

// status decodes the status channel: the plain payload online/offline (the
// usual MQTT last will) stamped with the receive time, or a JSON object
// {"status": ..., "ts": ...} whose ts defaults to the receive time too
// (a will is composed at connect time, so its ts would be stale).
func (d *Decoder) status(e *devices.Event, payload []byte, received time.Time, ss *strs) *RejectError {
	spec := devices.StatusSpec
	enum := &spec.Fields[0]
	e.Type = spec.Type
	e.TS = received.UTC()
	body := bytes.TrimSpace(payload)
	if len(body) == 0 || body[0] != '{' {
		v, ok := statusValue(enum, body)
		if !ok {
			return reject(ReasonBadStatus, "want online or offline, got "+quote(string(body)))
		}
		if err := d.checkTime(e); err != nil {
			return err
		}
		ss.derivedID("st-", e.TS)
		ss.make(e)
		e.Values = []devices.Value{v}
		return nil
	}
	var buf [memberBuf]member
	ms, err := scanObject(body, buf[:0], isKnown)
	if err != nil {
		return err
	}
	m := find(ms, keyStatus)
	if m == nil || m.kind != kString {
		return reject(ReasonBadStatus, `want "status": "online" or "offline"`)
	}
	v, ok := statusValue(enum, bytesOf(m))
	if !ok {
		return reject(ReasonBadStatus, "want online or offline, got "+quote(text(m)))
	}
	if err := d.common(e, ms, false, ss); err != nil {
		return err
	}
	if !ss.hasID {
		ss.derivedID("st-", deviceTime(e))
	}
	ss.make(e)
	e.Values = []devices.Value{v}
	return nil
}

func statusValue(fs *devices.FieldSpec, b []byte) (devices.Value, bool) {
	for _, s := range fs.Enum {
		if string(b) == s {
			return devices.Value{Name: fs.Name, Type: fs.Type, Str: s}, true
		}
	}
	return devices.Value{}, false
}
