package peerbench

import (
	"fmt"
	"strconv"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Message is one MQTT publish of the burst. Its payload is made when it is
// published (At), stamped with that moment as a device would stamp it.
type Message struct {
	Topic      string
	k          int    // the message's number in the run, unique
	head, tail []byte // the payload before and after the ts value
}

// At returns the payload with ts = now: the millisecond of now plus the
// message's number (mod 10⁶) in nanoseconds, so no two messages of a run
// on one gate share a timestamp and a consumer that keys points by ts
// (Telegraf) keeps every one.
func (m Message) At(now time.Time) []byte {
	ts := now.Truncate(time.Millisecond).Add(time.Duration(m.k % 1_000_000))
	b := make([]byte, 0, len(m.head)+len(m.tail)+40)
	b = append(b, m.head...)
	b = ts.AppendFormat(b, "2006-01-02T15:04:05.000000000Z07:00")
	return append(b, m.tail...)
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
// id. Payloads follow docs/protocol.md.
func Burst(gates []Gate, p, n int) []Message {
	msgs := make([]Message, n)
	dirs := [2]string{"in", "out"}
	methods := [3]string{"card", "face", "qr"}
	for i := range msgs {
		k := p*n + i
		g := gates[k%len(gates)]
		head := make([]byte, 0, 64)
		head = append(head, `{"id":"`...)
		head = append(head, g.ID...)
		head = append(head, "-b"...)
		head = strconv.AppendInt(head, int64(k), 10)
		head = append(head, `","ts":"`...)
		tail := make([]byte, 0, 128)
		tail = append(tail, `","type":"access.granted","direction":"`...)
		tail = append(tail, dirs[k%2]...)
		tail = append(tail, `","method":"`...)
		tail = append(tail, methods[k%3]...)
		tail = append(tail, `","person":"p-`...)
		tail = strconv.AppendInt(tail, int64(k%50000), 36)
		tail = append(tail, `","role":"student"}`...)
		msgs[i] = Message{Topic: g.Topic, k: k, head: head, tail: tail}
	}
	return msgs
}
