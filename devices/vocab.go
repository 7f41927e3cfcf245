package devices

// FieldType is the JSON type a payload field must have.
type FieldType uint8

// Field types of the vocabulary.
const (
	TypeString FieldType = iota + 1 // JSON string (at most MaxStringLen bytes)
	TypeBool                        // JSON true/false
	TypeNumber                      // JSON number, stored as float
	TypeInt                         // JSON number without fraction, stored as integer
	TypeEnum                        // JSON string from a closed list
)

func (t FieldType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeBool:
		return "bool"
	case TypeNumber:
		return "number"
	case TypeInt:
		return "integer"
	case TypeEnum:
		return "enum"
	}
	return "unknown"
}

// MaxStringLen bounds every string field of a payload, in bytes.
const MaxStringLen = 256

// MaxIDLen bounds the event id, in bytes.
const MaxIDLen = 128

// FieldSpec describes one type-specific payload field.
type FieldSpec struct {
	Name     string
	Type     FieldType
	Required bool
	Enum     []string // for TypeEnum: the allowed values
	Min, Max float64  // for TypeNumber/TypeInt when Max > Min: allowed range
	// Ref, when set, names the registry list the value must be found in
	// (decode rejects any other value), so the set of values is the
	// operator's, not the device's.
	Ref FieldRef
	// Tag marks a field stored as an InfluxDB tag. Only values a device
	// cannot invent may be tags: an enum, or a string with a Ref. Every other
	// value (ids of people and events, routes, free text) is a field, so no
	// device can grow a tag's value set (max-values-per-tag) for everyone.
	Tag bool
}

// FieldRef names a registry list a field's value is validated against.
type FieldRef uint8

// Registry references of the vocabulary.
const (
	RefNone FieldRef = iota
	RefPost          // one of the school's posts (School.HasPost)
)

// EventSpec describes one event type (or the heartbeat/status payload of a
// kind): which kind may send it, where it is stored and its fields.
type EventSpec struct {
	Type        string // e.g. "access.forced"; "heartbeat" / "status" for those channels
	Kind        Kind
	Measurement string
	Fields      []FieldSpec
	Summary     string // one line, English, for docs and errors
}

var (
	enumDirection = []string{"in", "out"}
	enumMethod    = []string{"card", "face", "qr"}
	enumRole      = []string{"student", "staff", "visitor"}
	enumGuardRole = []string{"guard", "police", "teacher", "volunteer"}
	enumGate      = []string{"open", "closed", "always_open"}
	enumTrouble   = []string{"tamper", "mains", "battery"}
	enumTestMode  = []string{TestManual, TestPeriodic}
)

// Modes of an alarm.test (field "mode"). A manual test is a person pressing
// the test button (Contact ID E601): it proves the button works and
// satisfies alarm_test_overdue. A periodic test is the panel's own
// automatic report (Contact ID E602): it proves the link is alive, and
// nothing more, so it does not satisfy alarm_test_overdue.
const (
	TestManual   = "manual"
	TestPeriodic = "periodic"
)

// ViolationCategories lists kitchen AI violation categories with their tier
// (1 most serious): docs/rules.md "Bright kitchen".
var ViolationCategories = map[string]int{
	"rodent": 1, "flame_unattended": 1,
	"smoking": 2, "bin_open": 2, "phone": 2, "stranger": 2,
	"no_hat": 3, "no_mask": 3, "no_uniform": 3, "no_gloves": 3, "shirtless": 3,
}

var enumViolation = []string{"rodent", "flame_unattended", "smoking", "bin_open", "phone", "stranger",
	"no_hat", "no_mask", "no_uniform", "no_gloves", "shirtless"}

func str(name string, req bool) FieldSpec {
	return FieldSpec{Name: name, Type: TypeString, Required: req}
}

// post is a string field holding one of the school's registered post ids:
// decode validates it against the registry, so it may be a tag.
func post(name string, req bool) FieldSpec {
	return FieldSpec{Name: name, Type: TypeString, Required: req, Ref: RefPost, Tag: true}
}
func boolean(name string, req bool) FieldSpec {
	return FieldSpec{Name: name, Type: TypeBool, Required: req}
}
func enum(name string, req bool, vals []string) FieldSpec {
	return FieldSpec{Name: name, Type: TypeEnum, Required: req, Enum: vals, Tag: true}
}
func num(name string, req bool, lo, hi float64) FieldSpec {
	return FieldSpec{Name: name, Type: TypeNumber, Required: req, Min: lo, Max: hi}
}
func integer(name string, req bool, lo, hi float64) FieldSpec {
	return FieldSpec{Name: name, Type: TypeInt, Required: req, Min: lo, Max: hi}
}

// Measurements of docs/protocol.md.
const (
	MeasHeartbeat = "heartbeat"
	MeasAlarm     = "alarm"
	MeasAccess    = "access"
	MeasGuard     = "guard"
	MeasKitchen   = "kitchen"
)

// kitchenStatusFields are shared by kitchen.status and the camera heartbeat.
func kitchenStatusFields(req bool) []FieldSpec {
	return []FieldSpec{
		boolean("online", req), boolean("streaming", req),
		num("fps", false, 0, 240), num("frame_age_s", false, 0, 1e9), boolean("occluded", false),
	}
}

var heartbeatCommon = []FieldSpec{str("fw", false), num("uptime_s", false, 0, 1e12)}

// Vocabulary is every event type of the contract, by type name. Heartbeat
// specs are keyed "heartbeat.<kind>"; the status spec is "status".
var Vocabulary = buildVocabulary([]EventSpec{
	{Type: "alarm.panic", Kind: KindAlarm, Measurement: MeasAlarm, Summary: "panic button pressed",
		Fields: []FieldSpec{str("button", false)}},
	{Type: "alarm.test", Kind: KindAlarm, Measurement: MeasAlarm, Summary: "alarm test: manual test press (Contact ID E601) or the panel's periodic self-test (E602)",
		Fields: []FieldSpec{boolean("ok", false), enum("mode", false, enumTestMode)}},
	{Type: "alarm.trouble", Kind: KindAlarm, Measurement: MeasAlarm, Summary: "terminal trouble: tamper, mains loss, low battery",
		Fields: []FieldSpec{enum("code", true, enumTrouble), boolean("cleared", false)}},
	{Type: "alarm.link", Kind: KindAlarm, Measurement: MeasAlarm, Summary: "110 platform link state changed",
		Fields: []FieldSpec{boolean("linked", true)}},

	{Type: "access.granted", Kind: KindAccess, Measurement: MeasAccess, Summary: "passage granted",
		Fields: []FieldSpec{enum("direction", true, enumDirection), enum("method", true, enumMethod),
			str("person", true), enum("role", true, enumRole)}},
	{Type: "access.denied", Kind: KindAccess, Measurement: MeasAccess, Summary: "passage denied",
		Fields: []FieldSpec{enum("direction", true, enumDirection), enum("method", true, enumMethod),
			str("person", false), enum("role", false, enumRole), str("reason", false)}},
	{Type: "access.forced", Kind: KindAccess, Measurement: MeasAccess, Summary: "door or gate forced open"},
	{Type: "access.held_open", Kind: KindAccess, Measurement: MeasAccess, Summary: "door held open too long",
		Fields: []FieldSpec{num("duration_s", false, 0, 1e9)}},
	{Type: "access.tailgate", Kind: KindAccess, Measurement: MeasAccess, Summary: "tailgating detected"},
	{Type: "access.climb", Kind: KindAccess, Measurement: MeasAccess, Summary: "climbing over detected"},
	{Type: "access.reverse", Kind: KindAccess, Measurement: MeasAccess, Summary: "reverse entry: passage against the gate's direction (逆向进入)"},
	{Type: "access.impact", Kind: KindAccess, Measurement: MeasAccess, Summary: "forced impact: the gate or turnstile rammed or pushed through (暴力冲撞)"},
	{Type: "access.blacklist", Kind: KindAccess, Measurement: MeasAccess, Summary: "blacklisted credential presented",
		Fields: []FieldSpec{str("person", false), enum("method", false, enumMethod)}},
	{Type: "gate.state", Kind: KindAccess, Measurement: MeasAccess, Summary: "gate state changed",
		Fields: []FieldSpec{enum("state", true, enumGate)}},

	{Type: "guard.checkin", Kind: KindGuard, Measurement: MeasGuard, Summary: "guard or post staff checked in",
		Fields: []FieldSpec{str("guard", true), post("post", true), enum("role", true, enumGuardRole)}},
	{Type: "guard.checkout", Kind: KindGuard, Measurement: MeasGuard, Summary: "guard or post staff checked out",
		Fields: []FieldSpec{str("guard", true), post("post", true), enum("role", true, enumGuardRole)}},
	{Type: "patrol.checkpoint", Kind: KindGuard, Measurement: MeasGuard, Summary: "patrol checkpoint reached",
		Fields: []FieldSpec{str("guard", false), str("route", true), str("point", true), integer("round", true, 0, 1000)}},

	{Type: "kitchen.status", Kind: KindKitchenCam, Measurement: MeasKitchen, Summary: "camera stream status",
		Fields: kitchenStatusFields(true)},
	{Type: "kitchen.violation", Kind: KindKitchenCam, Measurement: MeasKitchen, Summary: "AI-detected kitchen violation",
		Fields: []FieldSpec{enum("category", true, enumViolation), num("confidence", true, 0, 1), str("snapshot", false)}},

	{Type: "heartbeat.alarm", Kind: KindAlarm, Measurement: MeasHeartbeat, Summary: "alarm terminal heartbeat",
		Fields: append([]FieldSpec{boolean("linked", false), num("battery", false, 0, 100)}, heartbeatCommon...)},
	{Type: "heartbeat.access", Kind: KindAccess, Measurement: MeasHeartbeat, Summary: "gate controller heartbeat",
		Fields: append([]FieldSpec{enum("state", false, enumGate)}, heartbeatCommon...)},
	{Type: "heartbeat.guard", Kind: KindGuard, Measurement: MeasHeartbeat, Summary: "check-in terminal heartbeat",
		Fields: heartbeatCommon},
	{Type: "heartbeat.kitchencam", Kind: KindKitchenCam, Measurement: MeasHeartbeat, Summary: "kitchen camera heartbeat",
		Fields: append(kitchenStatusFields(false), heartbeatCommon...)},
})

// StatusSpec describes the status channel (retained online/offline, the
// device's last will). Kind is empty: every kind uses it.
var StatusSpec = &EventSpec{Type: "status", Measurement: MeasHeartbeat, Summary: "device online/offline (retained, last will)",
	Fields: []FieldSpec{enum("status", true, []string{"online", "offline"})}}

func buildVocabulary(specs []EventSpec) map[string]*EventSpec {
	m := make(map[string]*EventSpec, len(specs))
	for i := range specs {
		s := &specs[i]
		if _, dup := m[s.Type]; dup {
			panic("devices: duplicate vocabulary type " + s.Type)
		}
		m[s.Type] = s
	}
	return m
}

// HeartbeatSpec returns the heartbeat payload spec of kind k.
func HeartbeatSpec(k Kind) *EventSpec { return Vocabulary["heartbeat."+string(k)] }

// LookupEvent returns the spec of an event type sent on the event channel, or
// nil when the type is unknown.
func LookupEvent(typ string) *EventSpec {
	s := Vocabulary[typ]
	if s == nil || s.Measurement == MeasHeartbeat {
		return nil
	}
	return s
}

// Field returns the spec of field name, or nil.
func (s *EventSpec) Field(name string) *FieldSpec {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}
