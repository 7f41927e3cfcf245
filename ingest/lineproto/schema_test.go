package lineproto_test

import (
	"math"
	"testing"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/lineproto"
)

func posInf() float64 { return math.Inf(1) }

// lpType is the InfluxDB type of a field as Append writes it.
func lpType(t devices.FieldType) string {
	switch t {
	case devices.TypeBool:
		return "boolean"
	case devices.TypeInt:
		return "integer"
	case devices.TypeNumber:
		return "float"
	}
	return "string"
}

// TestSchemaStable walks the vocabulary: InfluxDB fixes a field's type per
// measurement at the first write and rejects later points that disagree, so
// no (measurement, field) may have two types, and no name may be a tag in
// one point and a field in another of the same measurement.
func TestSchemaStable(t *testing.T) {
	type key struct{ meas, name string }
	fieldType := map[key]string{}
	fieldFrom := map[key]string{}
	isTag := map[key]string{}
	addField := func(meas, name, typ, from string) {
		k := key{meas, name}
		if old, ok := fieldType[k]; ok && old != typ {
			t.Errorf("%s field %q is %s in %s but %s in %s", meas, name, old, fieldFrom[k], typ, from)
		}
		fieldType[k], fieldFrom[k] = typ, from
	}
	specs := []*devices.EventSpec{devices.StatusSpec}
	for _, s := range devices.Vocabulary {
		specs = append(specs, s)
	}
	for _, s := range specs {
		if s.Measurement == "" {
			t.Errorf("%s has no measurement", s.Type)
		}
		tags := []string{lineproto.TagRegion, lineproto.TagSchool, lineproto.TagKind, lineproto.TagDevice}
		if s.Measurement == devices.MeasHeartbeat {
			tags = append(tags, lineproto.TagSource)
		} else {
			tags = append(tags, lineproto.TagType)
		}
		if s.Type == "kitchen.violation" {
			tags = append(tags, lineproto.TagTier)
		}
		addField(s.Measurement, lineproto.FieldID, "string", "envelope")
		addField(s.Measurement, lineproto.FieldSeq, "integer", "envelope")
		addField(s.Measurement, lineproto.FieldVendorCode, "string", "envelope")
		addField(s.Measurement, lineproto.FieldLagMS, "integer", "envelope")
		addField(s.Measurement, lineproto.FieldDeviceTS, "integer", "envelope")
		for _, f := range s.Fields {
			if f.Tag {
				tags = append(tags, f.Name)
				// A tag's values must come from a closed set the device cannot
				// grow: the vocabulary's enums, or registry lists that decode
				// validates (Ref). A free string as a tag lets one device fill
				// max-values-per-tag and get other schools' points refused.
				if f.Type != devices.TypeEnum && f.Ref == devices.RefNone {
					t.Errorf("%s: tag %q is neither an enum nor registry-validated (Ref): a device could choose its values", s.Type, f.Name)
				}
				if f.Type == devices.TypeEnum && len(f.Enum) == 0 {
					t.Errorf("%s: enum tag %q has no values", s.Type, f.Name)
				}
				continue
			}
			addField(s.Measurement, f.Name, lpType(f.Type), s.Type)
		}
		for _, tag := range tags {
			isTag[key{s.Measurement, tag}] = s.Type
		}
	}
	for k, from := range isTag {
		if _, ok := fieldType[k]; ok {
			t.Errorf("%s: %q is a tag (in %s) and a field (in %s)", k.meas, k.name, from, fieldFrom[k])
		}
	}
}

// TestSchemaMatchesOutput checks the walk above describes what Append
// really writes, for the sample events.
func TestSchemaMatchesOutput(t *testing.T) {
	for name, e := range sampleEvents() {
		m := parseOne(t, lineproto.Append(nil, &e))
		spec := e.Spec()
		for _, f := range m.FieldList() {
			var want string
			switch f.Key {
			case lineproto.FieldID, lineproto.FieldVendorCode:
				want = "string"
			case lineproto.FieldSeq, lineproto.FieldLagMS, lineproto.FieldDeviceTS:
				want = "integer"
			default:
				fs := spec.Field(f.Key)
				if fs == nil || fs.Tag {
					t.Errorf("%s: unexpected field %q", name, f.Key)
					continue
				}
				want = lpType(fs.Type)
			}
			var got string
			switch f.Value.(type) {
			case string:
				got = "string"
			case int64:
				got = "integer"
			case float64:
				got = "float"
			case bool:
				got = "boolean"
			}
			if got != want {
				t.Errorf("%s: field %s written as %s, want %s", name, f.Key, got, want)
			}
		}
	}
}

// TestTagsAreClosed checks every tag Append really writes, for the sample
// events: the registry's own region, school, kind and device (decode checks
// them against the registry), the vocabulary's type, the constant source, the
// tier computed from an enum, or a vocabulary field that is an enum or
// registry-validated. Nothing a device may choose freely becomes a tag.
func TestTagsAreClosed(t *testing.T) {
	fixed := map[string]bool{
		lineproto.TagRegion: true, lineproto.TagSchool: true, lineproto.TagKind: true, lineproto.TagDevice: true,
		lineproto.TagType: true, lineproto.TagSource: true, lineproto.TagTier: true,
	}
	for name, e := range sampleEvents() {
		m := parseOne(t, lineproto.Append(nil, &e))
		for _, tag := range m.TagList() {
			if fixed[tag.Key] {
				continue
			}
			f := e.Spec().Field(tag.Key)
			switch {
			case f == nil:
				t.Errorf("%s: tag %q is not in the vocabulary", name, tag.Key)
			case f.Type == devices.TypeEnum:
				if !contains(f.Enum, tag.Value) {
					t.Errorf("%s: tag %s=%q is outside its enum", name, tag.Key, tag.Value)
				}
			case f.Ref == devices.RefNone:
				t.Errorf("%s: tag %q holds a value the device chose (%q)", name, tag.Key, tag.Value)
			}
		}
	}
	// The patrol route is the device's free text: a field, never a tag.
	e := sampleEvents()["patrol.checkpoint"]
	m := parseOne(t, lineproto.Append(nil, &e))
	if hasTag(m, "route") {
		t.Errorf("patrol.checkpoint: route is a tag")
	}
	if v, ok := getField(m, "route"); !ok || v != "night" {
		t.Errorf("patrol.checkpoint: field route = %v, %v; want \"night\"", v, ok)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
