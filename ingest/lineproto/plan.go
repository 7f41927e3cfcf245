package lineproto

import (
	"sort"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Tag and field keys the encoder adds to the vocabulary's own fields.
const (
	TagRegion = "region"
	TagSchool = "school"
	TagKind   = "kind"
	TagDevice = "device"
	TagType   = "type"   // the event type, on every measurement but heartbeat
	TagSource = "source" // heartbeat or status, on the heartbeat measurement
	TagTier   = "tier"   // kitchen.violation tier (devices.ViolationCategories)

	FieldID         = "id"
	FieldSeq        = "seq"
	FieldVendorCode = "vendor_code"
	// FieldLagMS is receive time − ts in milliseconds, written only on a
	// late or early point (|lag| ≥ LateAfter).
	FieldLagMS = "lag_ms"
	// FieldDeviceTS holds the device's own ts in Unix milliseconds when
	// decode replaced it by the receive time (Event.DeviceTS): an alarm
	// message whose clock was outside the accepted window.
	FieldDeviceTS = "device_ts"
)

// LateAfter is how far the receive time must be from ts before a point
// carries lag_ms: a device replaying a backlog, or a clock that drifted.
// On time points (almost all) leave it out: an extra field on every point
// cost InfluxDB a third more CPU per point than the same point without it.
const LateAfter = 10 * time.Second

// Values of the source tag.
const (
	SourceHeartbeat = "heartbeat"
	SourceStatus    = "status"
)

// typeViolation is the one event type with a tier tag.
const typeViolation = "kitchen.violation"

// tagFrom says where a tag's value comes from.
type tagFrom uint8

const (
	fromRegion tagFrom = iota
	fromSchool
	fromKind
	fromDevice
	fromType
	fromSource
	fromTier
	fromValue // a vocabulary field marked Tag
)

type tagPlan struct {
	key   string // escaped
	from  tagFrom
	field string // fromValue: the field name
}

// plan is the precomputed layout of the points of one vocabulary entry.
type plan struct {
	measurement string // escaped
	source      string // fromSource value
	tags        []tagPlan
	fields      []*devices.FieldSpec // non-tag fields in vocabulary order
}

// plans holds a plan for every vocabulary entry and the status spec.
var plans = func() map[*devices.EventSpec]*plan {
	m := make(map[*devices.EventSpec]*plan, len(devices.Vocabulary)+1)
	for _, s := range devices.Vocabulary {
		m[s] = newPlan(s)
	}
	m[devices.StatusSpec] = newPlan(devices.StatusSpec)
	return m
}()

func newPlan(s *devices.EventSpec) *plan {
	p := &plan{measurement: string(appendMeasurement(nil, s.Measurement))}
	tags := []tagPlan{
		{key: TagRegion, from: fromRegion},
		{key: TagSchool, from: fromSchool},
		{key: TagKind, from: fromKind},
		{key: TagDevice, from: fromDevice},
	}
	switch {
	case s == devices.StatusSpec:
		p.source = SourceStatus
		tags = append(tags, tagPlan{key: TagSource, from: fromSource})
	case s.Measurement == devices.MeasHeartbeat:
		p.source = SourceHeartbeat
		tags = append(tags, tagPlan{key: TagSource, from: fromSource})
	default:
		tags = append(tags, tagPlan{key: TagType, from: fromType})
	}
	if s.Type == typeViolation {
		tags = append(tags, tagPlan{key: TagTier, from: fromTier})
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Tag {
			tags = append(tags, tagPlan{key: f.Name, from: fromValue, field: f.Name})
		} else {
			p.fields = append(p.fields, f)
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].key < tags[j].key })
	for i := range tags {
		tags[i].key = string(appendKey(nil, tags[i].key))
	}
	p.tags = tags
	return p
}
