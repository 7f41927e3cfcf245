package mqtt

import (
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/ingest/testenv"
)

func TestSplitAlarmLane(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          []string
		main, alarm []string
	}{
		// A wildcard kind stays on main unchanged: unknown kinds are
		// still received (and rejected as unknown_kind).
		{"the default: everything", []string{DeviceTopic},
			[]string{DeviceTopic}, []string{AlarmEventTopic}},
		{"a regional instance", []string{"campus/130802/+/+/+/+"},
			[]string{"campus/130802/+/+/+/+"}, []string{"campus/130802/+/alarm/+/event"}},
		{"two regions", []string{"campus/130802/+/+/+/+", "campus/130803/+/+/+/+"},
			[]string{"campus/130802/+/+/+/+", "campus/130803/+/+/+/+"},
			[]string{"campus/130802/+/alarm/+/event", "campus/130803/+/alarm/+/event"}},
		{"alarm kind only", []string{"campus/+/+/alarm/+/+"},
			[]string{"campus/+/+/alarm/+/heartbeat", "campus/+/+/alarm/+/status"},
			[]string{AlarmEventTopic}},
		{"events only", []string{"campus/+/+/+/+/event"},
			[]string{"campus/+/+/+/+/event"}, []string{AlarmEventTopic}},
		{"one alarm terminal's events", []string{"campus/130802/sq-1/alarm/alarm-01/event"},
			nil, []string{"campus/130802/sq-1/alarm/alarm-01/event"}},
		{"no alarm events in it", []string{"campus/+/+/access/+/+", "campus/+/+/+/+/heartbeat"},
			[]string{"campus/+/+/access/+/+", "campus/+/+/+/+/heartbeat"}, nil},
		{"# cannot exclude: both sessions", []string{"campus/130802/#"},
			[]string{"campus/130802/#"}, []string{"campus/130802/+/alarm/+/event"}},
		{"bare #", []string{"#"}, []string{"#"}, []string{AlarmEventTopic}},
		{"another tree", []string{"other/+/+/+/+/+", "campus/+/+"},
			[]string{"other/+/+/+/+/+", "campus/+/+"}, nil},
		{"overlapping filters, no duplicates", []string{DeviceTopic, "campus/+/+/alarm/+/+"},
			[]string{DeviceTopic, "campus/+/+/alarm/+/heartbeat", "campus/+/+/alarm/+/status"},
			[]string{AlarmEventTopic}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			main, alarm := SplitAlarmLane(tc.in)
			if !slices.Equal(main, tc.main) {
				t.Errorf("main = %q, want %q", main, tc.main)
			}
			if !slices.Equal(alarm, tc.alarm) {
				t.Errorf("alarm = %q, want %q", alarm, tc.alarm)
			}
			for _, f := range append(main, alarm...) {
				if err := checkFilter(f); err != nil {
					t.Errorf("%q: %v", f, err)
				}
			}
		})
	}
}

// TestAlarmLaneSessions runs the two sessions campusguard runs against a
// real Mosquitto: alarm events arrive only on the alarm session, while the
// main session, whose handler holds every message unacknowledged (a full
// spool), receives everything else; both register their metrics on one
// registry.
func TestAlarmLaneSessions(t *testing.T) {
	t.Parallel()
	broker := testenv.Mosquitto(t)
	reg := prometheus.NewRegistry()
	mainTopics, alarmTopics := SplitAlarmLane([]string{DeviceTopic})

	mo := testOptions(t, broker.URL(), "cg-lane")
	mo.Topics, mo.Registerer = mainTopics, reg
	mainGot := newReceived()
	start(t, mo, func(m Message) { mainGot.add(m) }) // never acknowledged

	ao := testOptions(t, broker.URL(), "cg-lane-alarm")
	ao.Topics, ao.Registerer, ao.Session = alarmTopics, reg, "alarm"
	alarmGot := newReceived()
	start(t, ao, ackAll(alarmGot))

	const (
		heartbeat = "campus/130802/sq-1/alarm/alarm-01/heartbeat"
		panicEvt  = "campus/130802/sq-1/alarm/alarm-01/event"
	)
	pub := newPublisher(t, broker.URL(), "pub-lane")
	pub.publish(t, topic, payloads("gate", 50)...)
	pub.publish(t, heartbeat, payloads("hb", 50)...)
	pub.publish(t, panicEvt, "panic-1")
	waitFor(t, "the panic on the alarm session", func() (bool, string) { return alarmGot.has("panic-1") })
	waitFor(t, "gate events and heartbeats on the main session", func() (bool, string) {
		return mainGot.has(append(payloads("gate", 50), payloads("hb", 50)...)...)
	})
	// The main session's wildcard kind matches the panic too (held there
	// unacknowledged, like everything else on it); the pipeline's dedup
	// handles whichever copy comes second.
	if n := alarmGot.Count("hb-0"); n != 0 {
		t.Errorf("alarm session received a heartbeat %d times", n)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "campusguard_mqtt_connected" && len(mf.GetMetric()) != 2 {
			t.Errorf("campusguard_mqtt_connected has %d series, want one per session", len(mf.GetMetric()))
		}
	}
}
