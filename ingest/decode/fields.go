package decode

import (
	"strconv"
	"strings"

	"github.com/campusguard/campusguard/devices"
)

// find returns the member named name, or nil when it is absent or null: a
// JSON null means "not given" everywhere in the payload.
func find(ms []member, name string) *member {
	for i := range ms {
		if string(ms[i].key) == name {
			if ms[i].kind == kNull {
				return nil
			}
			return &ms[i]
		}
	}
	return nil
}

// bytesOf returns the decoded bytes of a kString member, allocating only
// when it contains escapes.
func bytesOf(m *member) []byte {
	if m.esc {
		return unescape(make([]byte, 0, len(m.raw)), m.raw)
	}
	return m.raw
}

// text returns the decoded string of a kString member.
func text(m *member) string { return string(bytesOf(m)) }

// parseID checks an event id: a non-empty string of at most MaxIDLen bytes
// without control characters. It returns the decoded bytes (see strs).
func parseID(m *member) ([]byte, *RejectError) {
	if m.kind != kString {
		return nil, reject(ReasonBadID, "id must be a string, got "+m.kind.String())
	}
	b := bytesOf(m)
	if len(b) == 0 {
		return nil, reject(ReasonBadID, "id is empty")
	}
	if len(b) > devices.MaxIDLen {
		return nil, reject(ReasonBadID, "id longer than "+strconv.Itoa(devices.MaxIDLen)+" bytes")
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return nil, reject(ReasonBadID, "id contains a control character: "+quote(string(b)))
		}
	}
	return b, nil
}

// parseSeq checks the optional sequence number: an integer >= 0.
func parseSeq(m *member) (int64, *RejectError) {
	n, ok := parseInt(m)
	if !ok || n < 0 {
		return 0, reject(ReasonBadSeq, "seq must be a non-negative integer, got "+m.kind.String()+" "+quote(string(m.raw)))
	}
	return n, nil
}

// parseVendorCode checks the optional vendor_code: a string of at most
// MaxStringLen bytes. It returns the decoded bytes (see strs).
func parseVendorCode(m *member) ([]byte, *RejectError) {
	if m.kind != kString {
		return nil, reject(ReasonBadFieldType, `field "vendor_code" must be a string, got `+m.kind.String())
	}
	b := bytesOf(m)
	if len(b) > devices.MaxStringLen {
		return nil, reject(ReasonBadFieldValue, `field "vendor_code" longer than `+strconv.Itoa(devices.MaxStringLen)+" bytes")
	}
	return b, nil
}

// parseValues checks the type-specific fields of spec and returns them in
// vocabulary order, only those present. String values are added to ss:
// ss.make sets them once the values are e.Values.
func parseValues(e *devices.Event, spec *devices.EventSpec, ms []member, ss *strs) ([]devices.Value, *RejectError) {
	// One search per field: the members found are kept for the second
	// pass (specs have fewer than memberBuf fields; more are searched again).
	var buf [memberBuf]*member
	n := 0
	for i := range spec.Fields {
		fs := &spec.Fields[i]
		m := find(ms, fs.Name)
		if i < len(buf) {
			buf[i] = m
		}
		if m != nil {
			n++
		} else if fs.Required {
			return nil, reject(ReasonMissingField, spec.Type+": field "+strconv.Quote(fs.Name)+" is required")
		}
	}
	if n == 0 {
		return nil, nil
	}
	vals := make([]devices.Value, 0, n)
	for i := range spec.Fields {
		fs := &spec.Fields[i]
		var m *member
		if i < len(buf) {
			m = buf[i]
		} else {
			m = find(ms, fs.Name)
		}
		if m == nil {
			continue
		}
		v, str, err := parseValue(fs, m)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		if fs.Type == devices.TypeString {
			if len(str) > 0 && ss.n < maxPending {
				ss.add(e, len(vals)-1, str)
			} else {
				vals[len(vals)-1].Str = string(str)
			}
		}
	}
	return vals, nil
}

// parseValue checks one field against its spec. A TypeString value comes
// back as its decoded bytes (str), for the caller to make the string.
func parseValue(fs *devices.FieldSpec, m *member) (devices.Value, []byte, *RejectError) {
	v := devices.Value{Name: fs.Name, Type: fs.Type}
	switch fs.Type {
	case devices.TypeString:
		if m.kind != kString {
			return v, nil, fieldType(fs, m)
		}
		b := bytesOf(m)
		if len(b) > devices.MaxStringLen {
			return v, nil, fieldValue(fs, "longer than "+strconv.Itoa(devices.MaxStringLen)+" bytes")
		}
		if fs.Required && len(b) == 0 {
			return v, nil, fieldValue(fs, "is empty")
		}
		return v, b, nil
	case devices.TypeEnum:
		if m.kind != kString {
			return v, nil, fieldType(fs, m)
		}
		raw := bytesOf(m)
		for _, e := range fs.Enum {
			if string(raw) == e {
				v.Str = e // the vocabulary's string: no allocation
				return v, nil, nil
			}
		}
		return v, nil, fieldValue(fs, "want one of "+strings.Join(fs.Enum, "|")+", got "+quote(string(raw)))
	case devices.TypeBool:
		switch m.kind {
		case kTrue:
			v.Bool = true
		case kFalse:
		default:
			return v, nil, fieldType(fs, m)
		}
	case devices.TypeNumber:
		if m.kind != kNumber {
			return v, nil, fieldType(fs, m)
		}
		f, err := strconv.ParseFloat(string(m.raw), 64)
		if err != nil { // only ErrRange: the scanner checked the syntax
			return v, nil, fieldValue(fs, "out of range: "+quote(string(m.raw)))
		}
		if fs.Max > fs.Min && (f < fs.Min || f > fs.Max) {
			return v, nil, fieldValue(fs, rangeText(fs)+", got "+quote(string(m.raw)))
		}
		v.Num = f
	case devices.TypeInt:
		if m.kind != kNumber || m.frac {
			return v, nil, fieldType(fs, m)
		}
		n, ok := parseInt(m)
		if !ok || fs.Max > fs.Min && (float64(n) < fs.Min || float64(n) > fs.Max) {
			return v, nil, fieldValue(fs, rangeText(fs)+", got "+quote(string(m.raw)))
		}
		v.Int = n
	default:
		return v, nil, fieldType(fs, m)
	}
	return v, nil, nil
}

func fieldType(fs *devices.FieldSpec, m *member) *RejectError {
	got := m.kind.String()
	if m.kind == kNumber && m.frac {
		got = "number with a fraction"
	}
	return reject(ReasonBadFieldType, "field "+strconv.Quote(fs.Name)+" must be "+article(fs.Type)+", got "+got)
}

func fieldValue(fs *devices.FieldSpec, what string) *RejectError {
	return reject(ReasonBadFieldValue, "field "+strconv.Quote(fs.Name)+" "+what)
}

func rangeText(fs *devices.FieldSpec) string {
	if fs.Max > fs.Min {
		return "must be within [" + strconv.FormatFloat(fs.Min, 'g', -1, 64) + ", " + strconv.FormatFloat(fs.Max, 'g', -1, 64) + "]"
	}
	return "must fit 64 bits"
}

func article(t devices.FieldType) string {
	switch t {
	case devices.TypeString:
		return "a string"
	case devices.TypeEnum:
		return "a string (enum)"
	case devices.TypeBool:
		return "true or false"
	case devices.TypeNumber:
		return "a number"
	case devices.TypeInt:
		return "an integer"
	}
	return t.String()
}
