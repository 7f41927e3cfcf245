package decode_test

import (
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// TestDecodeAllocs guards the allocations of an accepted message: its
// Values slice and one string holding its id, vendor_code and string
// values (a message without string values or Values needs fewer).
func TestDecodeAllocs(t *testing.T) {
	for _, tc := range []struct {
		name, topic, payload string
		max                  float64
	}{
		{"access.granted", topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent), accessGranted, 2},
		{"heartbeat with a derived id", topicOf(devices.KindAlarm, "alarm-01", devices.ChannelHeartbeat),
			`{"ts":1795821123000,"linked":true,"battery":87,"fw":"2.1.0","uptime_s":86400}`, 2},
		{"plain status", topicOf(devices.KindAccess, "gate-01", devices.ChannelStatus), `online`, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDecoder()
			p := []byte(tc.payload)
			if _, err := d.Decode(tc.topic, p, received); err != nil {
				t.Fatal(err)
			}
			got := testing.AllocsPerRun(200, func() { _, _ = d.Decode(tc.topic, p, received) })
			if got > tc.max {
				t.Errorf("Decode allocates %v times, want at most %v", got, tc.max)
			}
		})
	}
}
