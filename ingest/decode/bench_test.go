package decode_test

import (
	"testing"

	"github.com/campusguard/campusguard/devices"
)

func benchmarkDecode(b *testing.B, topic, payload string, wantErr bool) {
	d := newDecoder()
	p := []byte(payload)
	if _, err := d.Decode(topic, p, received); (err != nil) != wantErr {
		b.Fatalf("Decode: %v", err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		_, _ = d.Decode(topic, p, received)
	}
}

func BenchmarkDecode(b *testing.B) {
	benchmarkDecode(b, topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent), accessGranted, false)
}

func BenchmarkDecodeHeartbeat(b *testing.B) {
	benchmarkDecode(b, topicOf(devices.KindAlarm, "alarm-01", devices.ChannelHeartbeat),
		`{"ts":1795821123000,"linked":true,"battery":87,"fw":"2.1.0","uptime_s":86400}`, false)
}

// BenchmarkDecodeRejected measures a rejection late in validation (the
// error and its detail are built).
func BenchmarkDecodeRejected(b *testing.B) {
	benchmarkDecode(b, topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent),
		ok("access.granted", `"direction":"sideways","method":"card","person":"p-1","role":"staff"`), true)
}

func BenchmarkDecodeParallel(b *testing.B) {
	d := newDecoder()
	topic := topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent)
	p := []byte(accessGranted)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = d.Decode(topic, p, received)
		}
	})
}
