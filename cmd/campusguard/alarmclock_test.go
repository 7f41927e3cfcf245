package main

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestSkewedClockPanicAlertsAndIsStored (issue 7 item 5): a panic stamped
// 8 days behind (a clock reset after a power cut) and one 6 minutes ahead
// each raise a P0 on the alert topic and are stored with the device's time
// in device_ts, instead of being rejected as ts_past / ts_future and
// acknowledged away; the skew metric counts them.
func TestSkewedClockPanicAlertsAndIsStored(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	a := startApp(t, baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket()))
	alerts := subscribeAlerts(t, mq.URL(), "police-platform")

	var alarms []*devices.Device
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			if d := &reg.Schools[i].Devices[j]; d.Kind == devices.KindAlarm && len(alarms) < 2 &&
				(len(alarms) == 0 || alarms[0].School() != d.School()) {
				alarms = append(alarms, d)
			}
		}
	}
	if len(alarms) < 2 {
		t.Fatal("need alarm terminals in two schools")
	}
	now := time.Now()
	newPublisher(t, mq.URL(), "skew-pub").publishAll(t, []sample{
		{topic: topicOf(alarms[0], devices.ChannelEvent), payload: panicPayload("press-behind", now.Add(-8*24*time.Hour))},
		{topic: topicOf(alarms[1], devices.ChannelEvent), payload: panicPayload("press-ahead", now.Add(6*time.Minute))},
	})
	// The two presses are evaluated independently (different schools,
	// shards), so their alerts may come in either order: collect both.
	got := map[string]alertMsg{}
	waitAlert(t, alerts, 60*time.Second, "panic alerts of both terminals", func(m alertMsg) bool {
		if m.Rule == "alarm_panic" && (m.Device == alarms[0].ID || m.Device == alarms[1].ID) {
			got[m.Device] = m
		}
		return len(got) == 2
	})
	for _, d := range alarms {
		if a := got[d.ID]; a.Severity != "P0" || a.State != "firing" {
			t.Errorf("panic alert of %s = %+v", d.ID, a)
		}
	}
	db.WaitCount(t, "alarm", 2, 60*time.Second)
	if n := db.CountField(t, "alarm", "device_ts"); n != 2 {
		t.Errorf("%d alarm points with device_ts, want 2", n)
	}
	eventually(t, 30*time.Second, "skew counted", func() (bool, string) {
		mfs, err := a.promReg.Gather()
		if err != nil {
			return false, err.Error()
		}
		got := map[string]float64{}
		for _, mf := range mfs {
			if mf.GetName() == "campusguard_ingest_alarm_clock_skew_total" {
				for _, m := range mf.GetMetric() {
					got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
		return got["past"] == 1 && got["future"] == 1, ""
	})
	if r := rejectedByReason(t, a.promReg); r["ts_past"] != 0 || r["ts_future"] != 0 {
		t.Errorf("rejected: %v", r)
	}
}
