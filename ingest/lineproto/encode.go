package lineproto

import (
	"math"
	"strconv"

	"github.com/campusguard/campusguard/devices"
)

// Append appends the line protocol point of e to dst, terminated by '\n',
// and returns the extended buffer. An event whose type has no vocabulary
// entry (which decode never produces) appends nothing.
func Append(dst []byte, e *devices.Event) []byte {
	spec := e.Spec()
	if spec == nil {
		return dst
	}
	p := plans[spec]
	if p == nil {
		return dst
	}
	dst = append(dst, p.measurement...)
	for i := range p.tags {
		dst = appendTag(dst, &p.tags[i], p, e)
	}

	dst = append(dst, ' ')
	for _, f := range p.fields {
		v, ok := e.Lookup(f.Name)
		if !ok {
			continue
		}
		var good bool
		if dst, good = appendField(dst, f, &v); good {
			dst = append(dst, ',')
		}
	}
	dst = append(dst, FieldID+`="`...)
	dst = appendString(dst, e.ID)
	dst = append(dst, '"')
	if lag := e.Received.Sub(e.TS); lag >= LateAfter || lag <= -LateAfter {
		dst = append(dst, ","+FieldLagMS+"="...)
		dst = strconv.AppendInt(dst, lag.Milliseconds(), 10)
		dst = append(dst, 'i')
	}
	if e.HasSeq {
		dst = append(dst, ","+FieldSeq+"="...)
		dst = strconv.AppendInt(dst, e.Seq, 10)
		dst = append(dst, 'i')
	}
	if !e.DeviceTS.IsZero() {
		dst = append(dst, ","+FieldDeviceTS+"="...)
		dst = strconv.AppendInt(dst, e.DeviceTS.UnixMilli(), 10)
		dst = append(dst, 'i')
	}
	if e.VendorCode != "" {
		dst = append(dst, ","+FieldVendorCode+`="`...)
		dst = appendString(dst, e.VendorCode)
		dst = append(dst, '"')
	}

	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, Timestamp(e), 10)
	return append(dst, '\n')
}

// Timestamp returns the point's timestamp in nanoseconds: TS in whole
// milliseconds, plus fnv1a32(ID) mod 1e6 (see the package doc). TS must
// lie within InfluxDB's range (years 1677 to 2262); decode keeps it within
// days of the receive time.
func Timestamp(e *devices.Event) int64 {
	return e.TS.UnixMilli()*1e6 + int64(fnv1a32(e.ID)%1e6)
}

// fnv1a32 is the 32-bit FNV-1a hash (as hash/fnv, without the allocation).
func fnv1a32(s string) uint32 {
	const (
		offset32 = 2166136261
		prime32  = 16777619
	)
	h := uint32(offset32)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= prime32
	}
	return h
}

// appendTag appends ",key=value" for one planned tag; an empty value is left
// out (line protocol has no empty tag values).
func appendTag(dst []byte, t *tagPlan, p *plan, e *devices.Event) []byte {
	var val string
	switch t.from {
	case fromRegion:
		val = e.Region
	case fromSchool:
		val = e.School
	case fromKind:
		val = string(e.Kind)
	case fromDevice:
		val = e.Device
	case fromType:
		val = e.Type
	case fromSource:
		val = p.source
	case fromTier:
		tier := devices.ViolationCategories[e.Str("category")]
		if tier <= 0 {
			return dst
		}
		dst = append(dst, ',')
		dst = append(dst, t.key...)
		dst = append(dst, '=')
		return strconv.AppendInt(dst, int64(tier), 10)
	case fromValue:
		val = e.Str(t.field)
	}
	if val == "" {
		return dst
	}
	dst = append(dst, ',')
	dst = append(dst, t.key...)
	dst = append(dst, '=')
	return appendKey(dst, val)
}

// appendField appends key=value for one vocabulary field, typed by its spec
// so that a field's type never depends on the message. It reports false
// (and appends nothing) for a float that is not finite.
func appendField(dst []byte, f *devices.FieldSpec, v *devices.Value) ([]byte, bool) {
	num := v.Num
	if v.Type == devices.TypeInt {
		num = float64(v.Int)
	}
	if f.Type == devices.TypeNumber && (math.IsNaN(num) || math.IsInf(num, 0)) {
		return dst, false
	}
	dst = appendKey(dst, f.Name)
	dst = append(dst, '=')
	switch f.Type {
	case devices.TypeBool:
		dst = strconv.AppendBool(dst, v.Bool)
	case devices.TypeInt:
		n := v.Int
		if v.Type == devices.TypeNumber {
			n = int64(v.Num)
		}
		dst = strconv.AppendInt(dst, n, 10)
		dst = append(dst, 'i')
	case devices.TypeNumber:
		dst = strconv.AppendFloat(dst, num, 'g', -1, 64)
	default: // TypeString, and TypeEnum fields not marked Tag
		dst = append(dst, '"')
		dst = appendString(dst, v.Str)
		dst = append(dst, '"')
	}
	return dst, true
}
