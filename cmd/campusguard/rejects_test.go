package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// badCase is one kind of bad message and the reason it must be rejected with.
type badCase struct {
	name    string
	reason  string
	topic   string
	payload string
}

// badCases builds one bad message of every rejection kind against reg.
func badCases(reg *devices.Registry) []badCase {
	var gate, alarm, guard, otherSchoolGate *devices.Device
	for i := range reg.Schools {
		for j := range reg.Schools[i].Devices {
			d := &reg.Schools[i].Devices[j]
			switch {
			case d.Kind == devices.KindAccess && gate == nil:
				gate = d
			case d.Kind == devices.KindAccess && otherSchoolGate == nil && gate != nil && d.School() != gate.School():
				otherSchoolGate = d
			case d.Kind == devices.KindAlarm && alarm == nil:
				alarm = d
			case d.Kind == devices.KindGuard && guard == nil:
				guard = d
			}
		}
	}
	s := gate.School()
	now := time.Now()
	ts := now.Add(-time.Second).Format(time.RFC3339)
	ev := topicOf(gate, devices.ChannelEvent)
	granted := func(extra string) string {
		return `{"id":"bad-x","ts":"` + ts + `","type":"access.granted","direction":"in","method":"card","person":"p1","role":"student"` + extra + `}`
	}
	return []badCase{
		{"malformed region", "bad_topic", fmt.Sprintf("campus/13080X/%s/access/%s/event", s.ID, gate.ID), granted("")},
		{"unknown channel", "bad_channel", fmt.Sprintf("campus/%s/%s/access/%s/telemetry", s.Region, s.ID, gate.ID), granted("")},
		{"unknown kind", "unknown_kind", fmt.Sprintf("campus/%s/%s/camera/%s/event", s.Region, s.ID, gate.ID), granted("")},
		{"unknown device", "unknown_device", fmt.Sprintf("campus/%s/%s/access/no-such-gate/event", s.Region, s.ID), granted("")},
		{"device speaks for another school", "topic_mismatch", fmt.Sprintf("campus/%s/%s/access/%s/event", otherSchoolGate.School().Region, otherSchoolGate.School().ID, gate.ID), granted("")},
		{"oversize payload", "oversize", ev, granted(`,"pad":"` + strings.Repeat("x", 17<<10) + `"`)},
		{"invalid UTF-8", "bad_utf8", ev, "{\"id\":\"\xff\xfe\"}"},
		{"truncated JSON", "bad_json", ev, `{"id":"x","ts":`},
		{"no id", "missing_id", ev, `{"ts":"` + ts + `","type":"access.forced"}`},
		{"id too long", "bad_id", ev, `{"id":"` + strings.Repeat("a", 200) + `","ts":"` + ts + `","type":"access.forced"}`},
		{"no type", "missing_type", ev, `{"id":"x","ts":"` + ts + `"}`},
		{"unknown type", "unknown_type", ev, `{"id":"x","ts":"` + ts + `","type":"access.teleport"}`},
		{"type of another kind", "wrong_kind", ev, `{"id":"x","ts":"` + ts + `","type":"alarm.panic"}`},
		{"required field missing", "missing_field", ev, `{"id":"x","ts":"` + ts + `","type":"access.granted","method":"card","person":"p1","role":"student"}`},
		{"field of wrong JSON type", "bad_field_type", ev, `{"id":"x","ts":"` + ts + `","type":"access.granted","direction":5,"method":"card","person":"p1","role":"student"}`},
		{"enum value outside the list", "bad_field_value", ev, `{"id":"x","ts":"` + ts + `","type":"access.granted","direction":"sideways","method":"card","person":"p1","role":"student"}`},
		{"no timestamp", "missing_ts", ev, `{"id":"x","type":"access.forced"}`},
		{"unparsable timestamp", "bad_ts", ev, `{"id":"x","ts":"yesterday","type":"access.forced"}`},
		{"timestamp an hour ahead", "ts_future", ev, `{"id":"x","ts":"` + now.Add(time.Hour).Format(time.RFC3339) + `","type":"access.forced"}`},
		{"timestamp a month old", "ts_past", ev, `{"id":"x","ts":"` + now.Add(-30*24*time.Hour).Format(time.RFC3339) + `","type":"access.forced"}`},
		{"negative seq", "bad_seq", ev, `{"id":"x","ts":"` + ts + `","type":"access.forced","seq":-1}`},
		{"status neither online nor offline", "bad_status", topicOf(alarm, devices.ChannelStatus), `maybe`},
		{"check-in at a post the school lacks", "unknown_post", topicOf(guard, devices.ChannelEvent), `{"id":"x","ts":"` + ts + `","type":"guard.checkin","guard":"g1","post":"roof","role":"guard"}`},
	}
}

// TestRejectsBadMessagesKeepsGood publishes every kind of bad message,
// each between two good ones, through real Mosquitto: each bad one is
// counted under its own reason and every good one is stored.
func TestRejectsBadMessagesKeepsGood(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	c := baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket())
	// Both sessions (the default): the main session keeps the wildcard
	// kind, so an unknown kind is still delivered, rejected and counted.
	a := startApp(t, c)

	cases := badCases(reg)
	if len(cases) < 15 {
		t.Fatalf("only %d kinds of bad message", len(cases))
	}
	good := accessEvents(reg, len(cases)+1, "good", time.Now().Add(-time.Minute))
	var msgs []sample
	for i, c := range cases {
		msgs = append(msgs, good[i], sample{topic: c.topic, payload: []byte(c.payload)})
	}
	msgs = append(msgs, good[len(cases)])
	newPublisher(t, mq.URL(), "rejects-pub").publishAll(t, msgs)

	db.WaitCount(t, "access", len(good), 60*time.Second)
	want := map[string]float64{}
	for _, c := range cases {
		want[c.reason]++
	}
	eventually(t, 30*time.Second, "every bad message counted", func() (bool, string) {
		got := rejectedByReason(t, a.promReg)
		var total float64
		for _, v := range got {
			total += v
		}
		return total == float64(len(cases)), fmt.Sprint(got)
	})
	got := rejectedByReason(t, a.promReg)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got[c.reason] != want[c.reason] {
				t.Errorf("rejected{reason=%q} = %v, want %v", c.reason, got[c.reason], want[c.reason])
			}
		})
	}
	if n := len(want); n < 15 {
		t.Errorf("only %d distinct reasons exercised", n)
	}
}

// rejectedByReason reads campusguard_ingest_rejected_total by reason.
func rejectedByReason(t testing.TB, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "campusguard_ingest_rejected_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && m.GetCounter().GetValue() > 0 {
					out[l.GetValue()] = m.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}
