package decode_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
)

// TestAlarmClockSkew: an alarm terminal's message is never dropped for its
// timestamp (issue 7 item 5). A press stamped 6 min ahead or 8 days behind
// (a clock reset after a power cut) is accepted with the receive time, the
// device's time kept in DeviceTS, and counted; other kinds keep the window.
func TestAlarmClockSkew(t *testing.T) {
	d := newDecoder() // default window: 5 min ahead, 7 days behind
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	alarmEvt := topicOf(devices.KindAlarm, "alarm-01", devices.ChannelEvent)
	alarmHB := topicOf(devices.KindAlarm, "alarm-01", devices.ChannelHeartbeat)
	alarmSt := topicOf(devices.KindAlarm, "alarm-01", devices.ChannelStatus)
	gate := topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent)
	ahead := testNow.Add(6 * time.Minute)
	behind := testNow.Add(-8 * 24 * time.Hour)
	epoch := time.UnixMilli(0).UTC()
	for _, tc := range []struct {
		name, topic, payload string
		device               time.Time // the device's ts; zero: accepted as sent
		id                   string
		reject               decode.Reason
	}{
		{"panic 6 min ahead", alarmEvt, `{"id":"p-1","type":"alarm.panic","ts":` + ms(ahead) + `}`, ahead, "p-1", ""},
		{"panic 8 days behind", alarmEvt, `{"id":"p-2","type":"alarm.panic","ts":"` + behind.Format(time.RFC3339) + `"}`, behind, "p-2", ""},
		{"panic at the Unix epoch (RTC reset)", alarmEvt, `{"id":"p-3","type":"alarm.panic","ts":0}`, epoch, "p-3", ""},
		{"panic in year 9999", alarmEvt, `{"id":"p-4","type":"alarm.panic","ts":"9999-12-31T23:59:59Z"}`, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "p-4", ""},
		{"trouble behind", alarmEvt, `{"id":"t-1","type":"alarm.trouble","code":"mains","ts":` + ms(behind) + `}`, behind, "t-1", ""},
		{"link ahead", alarmEvt, `{"id":"l-1","type":"alarm.link","linked":false,"ts":` + ms(ahead) + `}`, ahead, "l-1", ""},
		{"test press behind", alarmEvt, `{"id":"x-1","type":"alarm.test","ts":` + ms(behind) + `}`, behind, "x-1", ""},
		{"heartbeat behind: id from the device's time", alarmHB, `{"ts":` + ms(behind) + `}`, behind, "hb-" + ms(behind), ""},
		{"status JSON ahead", alarmSt, `{"status":"online","ts":` + ms(ahead) + `}`, ahead, "st-" + ms(ahead), ""},
		{"panic in the window keeps its time", alarmEvt, `{"id":"p-5","type":"alarm.panic","ts":"` + tsText + `"}`, time.Time{}, "p-5", ""},
		{"access event ahead still rejected", gate, `{"id":"g-1","type":"access.forced","ts":` + ms(ahead) + `}`, time.Time{}, "", decode.ReasonTSFuture},
		{"access event behind still rejected", gate, `{"id":"g-2","type":"access.forced","ts":` + ms(behind) + `}`, time.Time{}, "", decode.ReasonTSPast},
		{"bad ts still rejected for alarms", alarmEvt, `{"id":"p-6","type":"alarm.panic","ts":"yesterday"}`, time.Time{}, "", decode.ReasonBadTS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := d.Decode(tc.topic, []byte(tc.payload), received)
			if tc.reject != "" {
				if got := decode.ReasonOf(err); got != tc.reject {
					t.Fatalf("reason %q, want %q (%v)", got, tc.reject, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if e.ID != tc.id {
				t.Errorf("id %q, want %q", e.ID, tc.id)
			}
			if tc.device.IsZero() {
				if !e.DeviceTS.IsZero() || !e.TS.Equal(tsUTC) {
					t.Errorf("TS %s DeviceTS %s, want the device's %s kept as TS", e.TS, e.DeviceTS, tsUTC)
				}
				return
			}
			if !e.TS.Equal(received) || e.TS.Location() != time.UTC {
				t.Errorf("TS %s, want the receive time %s in UTC", e.TS, received.UTC())
			}
			if !e.DeviceTS.Equal(tc.device) {
				t.Errorf("DeviceTS %s, want %s", e.DeviceTS, tc.device)
			}
		})
	}
}

// TestAlarmClockSkewRedelivery documents the idempotency trade-off: a
// skewed alarm message keeps its id on redelivery (the device's id, or the
// heartbeat id derived from the device's time), so in-process dedup
// recognises it; its TS is the receive time of each delivery.
func TestAlarmClockSkewRedelivery(t *testing.T) {
	d := newDecoder()
	topic := topicOf(devices.KindAlarm, "alarm-01", devices.ChannelHeartbeat)
	payload := []byte(`{"ts":0,"linked":true}`)
	a, errA := d.Decode(topic, payload, received)
	b, errB := d.Decode(topic, payload, received.Add(3*time.Second))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.ID != b.ID || a.ID != "hb-0" || !a.DeviceTS.Equal(b.DeviceTS) {
		t.Errorf("redelivery: ids %q %q, device times %s %s; want one id hb-0 and one device time", a.ID, b.ID, a.DeviceTS, b.DeviceTS)
	}
	if b.TS.Sub(a.TS) != 3*time.Second {
		t.Errorf("TS %s and %s: want each delivery's receive time", a.TS, b.TS)
	}
}
