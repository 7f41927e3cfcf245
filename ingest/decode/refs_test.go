package decode_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
)

// validPayload returns an event of spec with every required field set to a
// valid value and the registry-referenced fields set to ref.
func validPayload(spec *devices.EventSpec, ref string) string {
	parts := []string{`"id":"ref-1"`, `"ts":"` + tsText + `"`, `"type":"` + spec.Type + `"`}
	for _, f := range spec.Fields {
		if !f.Required && f.Ref == devices.RefNone {
			continue
		}
		var v string
		switch {
		case f.Ref != devices.RefNone:
			v = strconv.Quote(ref)
		case f.Type == devices.TypeEnum:
			v = strconv.Quote(f.Enum[0])
		case f.Type == devices.TypeString:
			v = `"x"`
		case f.Type == devices.TypeBool:
			v = "true"
		default:
			v = strconv.FormatFloat(f.Min, 'f', -1, 64)
		}
		parts = append(parts, strconv.Quote(f.Name)+":"+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestRegistryRefsEnforced: every vocabulary field with a registry reference
// (and so allowed to be an InfluxDB tag) is checked against the registry for
// every event type that carries it: a value the school has not registered is
// rejected, a registered one accepted.
func TestRegistryRefsEnforced(t *testing.T) {
	d := newDecoder()
	n := 0
	for _, spec := range devices.Vocabulary {
		hasRef := false
		for _, f := range spec.Fields {
			hasRef = hasRef || f.Ref != devices.RefNone
		}
		if !hasRef || spec.Measurement == devices.MeasHeartbeat {
			continue
		}
		n++
		topic := topicOf(spec.Kind, deviceOf(spec.Kind), devices.ChannelEvent)
		if _, err := d.Decode(topic, []byte(validPayload(spec, "main-gate")), received); err != nil {
			t.Errorf("%s with a registered post: %v", spec.Type, err)
		}
		_, err := d.Decode(topic, []byte(validPayload(spec, "junk-"+spec.Type)), received)
		if got := decode.ReasonOf(err); got != decode.ReasonUnknownPost {
			t.Errorf("%s with an unregistered value: reason %q, want %q (%v)", spec.Type, got, decode.ReasonUnknownPost, err)
		}
	}
	if n == 0 {
		t.Fatal("no vocabulary entry has a registry reference; the test checks nothing")
	}
}

// TestTagFieldsClosed: a vocabulary field stored as an InfluxDB tag is an
// enum or registry-validated, never a free string a device chooses.
func TestTagFieldsClosed(t *testing.T) {
	for _, spec := range devices.Vocabulary {
		for _, f := range spec.Fields {
			if f.Tag && f.Type != devices.TypeEnum && f.Ref == devices.RefNone {
				t.Errorf("%s: tag field %q is free text", spec.Type, f.Name)
			}
		}
	}
	if f := devices.Vocabulary["patrol.checkpoint"].Field("route"); f == nil || f.Tag {
		t.Errorf("patrol.checkpoint route: %+v, want a field, not a tag", f)
	}
}
