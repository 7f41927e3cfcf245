package peerbench

import (
	"fmt"
	"strconv"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Message is one MQTT publish of the burst.
type Message struct {
	Topic   string
	Payload []byte
}

// Gate is an access device of the registry, with its event topic.
type Gate struct {
	ID    string
	Topic string
}

// Gates returns every access device of reg with its event topic
// (campus/{region}/{school}/access/{device}/event).
func Gates(reg *devices.Registry) []Gate {
	var gates []Gate
	for i := range reg.Schools {
		s := &reg.Schools[i]
		for j := range s.Devices {
			d := &s.Devices[j]
			if d.Kind != devices.KindAccess {
				continue
			}
			gates = append(gates, Gate{ID: d.ID,
				Topic: fmt.Sprintf("campus/%s/%s/%s/%s/event", s.Region, s.ID, d.Kind, d.ID)})
		}
	}
	return gates
}

// Burst makes the messages publisher p (of any number) sends: n
// access.granted events spread round-robin over gates, each with a unique
// id and a unique timestamp (base plus the message's global number in
// microseconds, so no two points of the run share a series and a time and
// InfluxDB keeps every one). Payloads follow docs/protocol.md.
func Burst(gates []Gate, p, n int, base time.Time) []Message {
	msgs := make([]Message, n)
	dirs := [2]string{"in", "out"}
	methods := [3]string{"card", "face", "qr"}
	for i := range msgs {
		k := p*n + i
		g := gates[k%len(gates)]
		ts := base.Add(time.Duration(k) * time.Microsecond).Format("2006-01-02T15:04:05.000000Z07:00")
		b := make([]byte, 0, 192)
		b = append(b, `{"id":"`...)
		b = append(b, g.ID...)
		b = append(b, "-b"...)
		b = strconv.AppendInt(b, int64(k), 10)
		b = append(b, `","ts":"`...)
		b = append(b, ts...)
		b = append(b, `","type":"access.granted","direction":"`...)
		b = append(b, dirs[k%2]...)
		b = append(b, `","method":"`...)
		b = append(b, methods[k%3]...)
		b = append(b, `","person":"p-`...)
		b = strconv.AppendInt(b, int64(k%50000), 36)
		b = append(b, `","role":"student"}`...)
		msgs[i] = Message{Topic: g.Topic, Payload: b}
	}
	return msgs
}
