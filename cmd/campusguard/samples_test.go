package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// sample is one message a test publishes and what it must become.
type sample struct {
	topic       string
	payload     []byte
	measurement string
	retained    bool
}

// topicOf returns the device topic for channel ch.
func topicOf(d *devices.Device, ch devices.Channel) string {
	s := d.School()
	return fmt.Sprintf("campus/%s/%s/%s/%s/%s", s.Region, s.ID, d.Kind, d.ID, ch)
}

// payloadFor renders a valid payload of spec: every field (required and
// optional) with a value its spec allows, so every field path is stored.
func payloadFor(spec *devices.EventSpec, d *devices.Device, id string, ts time.Time, withType bool) []byte {
	var b strings.Builder
	b.WriteString(`{"id":` + strconv.Quote(id) + `,"ts":` + strconv.Quote(ts.Format(time.RFC3339Nano)))
	if withType {
		b.WriteString(`,"type":` + strconv.Quote(spec.Type))
	}
	for _, f := range spec.Fields {
		b.WriteString(`,` + strconv.Quote(f.Name) + `:`)
		switch f.Type {
		case devices.TypeString:
			v := "x-" + f.Name
			if f.Name == "post" && len(d.School().Posts) > 0 {
				v = d.School().Posts[0].ID
			}
			b.WriteString(strconv.Quote(v))
		case devices.TypeBool:
			b.WriteString("true")
		case devices.TypeNumber:
			lo, hi := f.Min, f.Max
			b.WriteString(strconv.FormatFloat(lo+(hi-lo)/2, 'f', -1, 64))
		case devices.TypeInt:
			b.WriteString(strconv.Itoa(int(f.Min) + 1))
		case devices.TypeEnum:
			b.WriteString(strconv.Quote(f.Enum[0]))
		}
	}
	b.WriteString(`,"vendor_code":"0x1b"}`)
	return []byte(b.String())
}

// samplesFor builds n messages for every event type of every kind, every
// kind's heartbeat, and a status message per device, from the devices of reg
// (first device of each kind). ids are unique.
func samplesFor(reg *devices.Registry, n int, base time.Time) []sample {
	byKind := map[devices.Kind]*devices.Device{}
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			d := &reg.Schools[i].Devices[j]
			if byKind[d.Kind] == nil && (d.Kind != devices.KindGuard || len(d.School().Posts) > 0) {
				byKind[d.Kind] = d
			}
		}
	}
	types := make([]string, 0, len(devices.Vocabulary))
	for t := range devices.Vocabulary {
		types = append(types, t)
	}
	sort.Strings(types)
	var out []sample
	seq := 0
	for i := 0; i < n; i++ {
		for _, t := range types {
			spec := devices.Vocabulary[t]
			d := byKind[spec.Kind]
			if d == nil {
				panic("registry lacks a device of kind " + string(spec.Kind))
			}
			seq++
			ts := base.Add(time.Duration(seq) * time.Millisecond)
			id := fmt.Sprintf("t-%d", seq)
			ch := devices.ChannelEvent
			if spec.Measurement == devices.MeasHeartbeat {
				ch = devices.ChannelHeartbeat
			}
			out = append(out, sample{topic: topicOf(d, ch), payload: payloadFor(spec, d, id, ts, ch == devices.ChannelEvent), measurement: spec.Measurement})
		}
		for _, k := range devices.Kinds {
			seq++
			ts := base.Add(time.Duration(seq) * time.Millisecond)
			p := fmt.Sprintf(`{"status":"online","ts":%d}`, ts.UnixMilli())
			out = append(out, sample{topic: topicOf(byKind[k], devices.ChannelStatus), payload: []byte(p), measurement: devices.MeasHeartbeat})
		}
	}
	return out
}
