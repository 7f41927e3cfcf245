package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// envelope are the fields every payload may carry besides its type's.
var envelope = map[string]bool{"id": true, "ts": true, "type": true, "seq": true, "vendor_code": true}

// checkPayload checks one decoded payload against devices.Vocabulary, the
// way campusguard's decoder is specified to: envelope fields, the type's
// spec for the channel and kind, required fields present, JSON types,
// enums and ranges, and no unknown fields.
func checkPayload(kind, channel string, f map[string]any) error {
	id, _ := f["id"].(string)
	if id == "" || len(id) > devices.MaxIDLen {
		return fmt.Errorf("id %v: want a string of 1-%d bytes", f["id"], devices.MaxIDLen)
	}
	ts, _ := f["ts"].(string)
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		return fmt.Errorf("ts %v: want RFC 3339", f["ts"])
	}
	if seq, ok := f["seq"].(float64); !ok || seq < 1 || seq != math.Trunc(seq) {
		return fmt.Errorf("seq %v: want a positive integer", f["seq"])
	}
	typ, _ := f["type"].(string)
	var spec *devices.EventSpec
	switch devices.Channel(channel) {
	case devices.ChannelEvent:
		spec = devices.LookupEvent(typ)
		if spec == nil {
			return fmt.Errorf("type %q: not an event type", typ)
		}
		if string(spec.Kind) != kind {
			return fmt.Errorf("type %q is sent by %s devices, not %s", typ, spec.Kind, kind)
		}
	case devices.ChannelHeartbeat:
		spec = devices.HeartbeatSpec(devices.Kind(kind))
		if spec == nil || typ != spec.Type {
			return fmt.Errorf("heartbeat type %q: want heartbeat.%s", typ, kind)
		}
	case devices.ChannelStatus:
		spec = devices.StatusSpec
		if typ != spec.Type {
			return fmt.Errorf("status type %q: want status", typ)
		}
	default:
		return fmt.Errorf("channel %q unknown", channel)
	}
	for name, v := range f {
		if envelope[name] {
			continue
		}
		fs := spec.Field(name)
		if fs == nil {
			return fmt.Errorf("%s: unknown field %q", typ, name)
		}
		if err := checkValue(fs, v); err != nil {
			return fmt.Errorf("%s.%s: %w", typ, name, err)
		}
	}
	for _, fs := range spec.Fields {
		if _, ok := f[fs.Name]; fs.Required && !ok {
			return fmt.Errorf("%s: required field %q missing", typ, fs.Name)
		}
	}
	return nil
}

func checkValue(fs *devices.FieldSpec, v any) error {
	switch fs.Type {
	case devices.TypeString:
		s, ok := v.(string)
		if !ok || len(s) > devices.MaxStringLen {
			return fmt.Errorf("%v: want a string of at most %d bytes", v, devices.MaxStringLen)
		}
	case devices.TypeEnum:
		s, ok := v.(string)
		if !ok || !slices.Contains(fs.Enum, s) {
			return fmt.Errorf("%v: want one of %v", v, fs.Enum)
		}
	case devices.TypeBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%v: want a bool", v)
		}
	case devices.TypeNumber, devices.TypeInt:
		n, ok := v.(float64)
		if !ok {
			return fmt.Errorf("%v: want a number", v)
		}
		if fs.Type == devices.TypeInt && n != math.Trunc(n) {
			return fmt.Errorf("%v: want an integer", v)
		}
		if fs.Max > fs.Min && (n < fs.Min || n > fs.Max) {
			return fmt.Errorf("%v: want %v..%v", v, fs.Min, fs.Max)
		}
	default:
		return fmt.Errorf("unknown field type %v", fs.Type)
	}
	return nil
}

// TestCheckPayloadRejects makes sure the checker below is not vacuous.
func TestCheckPayloadRejects(t *testing.T) {
	base := `"id":"d-1","ts":"2026-11-30T07:00:00+08:00","seq":1,`
	tests := []struct {
		name, kind, channel, payload string
	}{
		{"unknown type", "access", "event", `{` + base + `"type":"access.teleport"}`},
		{"wrong kind", "alarm", "event", `{` + base + `"type":"access.forced"}`},
		{"missing required", "access", "event", `{` + base + `"type":"access.granted","direction":"in","method":"card","person":"p1"}`},
		{"bad enum", "access", "event", `{` + base + `"type":"gate.state","state":"ajar"}`},
		{"string as bool", "kitchencam", "event", `{` + base + `"type":"kitchen.status","online":"yes","streaming":true}`},
		{"out of range", "kitchencam", "event", `{` + base + `"type":"kitchen.violation","category":"phone","confidence":1.5}`},
		{"fraction for integer", "guard", "event", `{` + base + `"type":"patrol.checkpoint","route":"r","point":"p","round":1.5}`},
		{"unknown field", "guard", "heartbeat", `{` + base + `"type":"heartbeat.guard","mood":"ok"}`},
		{"heartbeat type", "guard", "heartbeat", `{` + base + `"type":"heartbeat.alarm"}`},
		{"no id", "guard", "status", `{"ts":"2026-11-30T07:00:00+08:00","seq":1,"type":"status","status":"online"}`},
		{"bad ts", "guard", "status", `{"id":"x","ts":"yesterday","seq":1,"type":"status","status":"online"}`},
		{"no seq", "guard", "status", `{"id":"x","ts":"2026-11-30T07:00:00+08:00","type":"status","status":"online"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f map[string]any
			if err := json.Unmarshal([]byte(tt.payload), &f); err != nil {
				t.Fatal(err)
			}
			if err := checkPayload(tt.kind, tt.channel, f); err == nil {
				t.Errorf("checkPayload accepted %s", tt.payload)
			}
		})
	}
}

// TestPayloadsMatchVocabulary runs two virtual days with every source
// switched on (load, panics, every fault) and checks every payload.
func TestPayloadsMatchVocabulary(t *testing.T) {
	faults := []Fault{
		mustFault(t, "silent_device:cd-0001-alarm-1@09:00-10:00"),
		mustFault(t, "post_unstaffed:cd-0001:main-gate@07:00-08:10"),
		mustFault(t, "kitchen_cam_off:cd-0002-kitchencam-1@11:00-12:00"),
		mustFault(t, "panic_press:cd-0003-alarm-1@10:15"),
		mustFault(t, "gate_forced:cd-0002-gate-1@22:00"),
	}
	s := newSim(t, Options{Seed: 3, Rate: 0.01, PanicRate: 1, HeartbeatScale: 0.2, Faults: faults, Start: monday.Add(-time.Hour)})
	msgs := collect(t, s, monday.AddDate(0, 0, 2), time.Minute)
	seen := map[string]int{}
	for i := range msgs {
		m := &msgs[i]
		if err := checkPayload(m.Kind, m.Channel, m.Fields); err != nil {
			t.Fatalf("%s: %v\n%s", m.Topic, err, m.Raw)
		}
		if len(m.Raw) > 16<<10 {
			t.Fatalf("%s: payload of %d bytes exceeds 16 KiB", m.Topic, len(m.Raw))
		}
		seen[m.typ()]++
	}
	for _, typ := range evTypes {
		// Tailgating is rare (5% a gate-day); alarm tests are monthly
		// (TestAlarmMonthlyTest checks them).
		if seen[typ.name] == 0 && typ != tTailgate && typ != tTest {
			t.Errorf("no %s in two days; seen %v", typ.name, seen)
		}
	}
}

func mustFault(t testing.TB, s string) Fault {
	t.Helper()
	f, err := ParseFault(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
