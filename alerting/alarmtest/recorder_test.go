package alarmtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
)

func TestRecorder(t *testing.T) {
	var logs bytes.Buffer
	var lines []string
	reg := prometheus.NewPedanticRegistry()
	r, err := NewRecorder(zerolog.New(&logs), reg, func(l []byte) { lines = append(lines, string(l)) })
	if err != nil {
		t.Fatal(err)
	}
	ev := devices.Event{Region: "130802", School: "s1", Device: "a1", Kind: devices.KindAlarm, ID: "p-1", Type: "alarm.panic",
		TS: at(11, 30, 10, 10)}
	r.Record(&ev, InWindow)
	r.Record(&ev, None)
	ev.Type = "alarm.test"
	r.Record(&ev, Periodic)
	want := `
# HELP campusguard_alarm_tests_total Alarm tests seen, by outcome: window (a panic press inside a registered test window, no P0), manual (E601 test press), periodic (E602 self-test: link only, not a test press), failed (ok=false).
# TYPE campusguard_alarm_tests_total counter
campusguard_alarm_tests_total{outcome="failed"} 0
campusguard_alarm_tests_total{outcome="manual"} 0
campusguard_alarm_tests_total{outcome="periodic"} 1
campusguard_alarm_tests_total{outcome="window"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "campusguard_alarm_tests_total"); err != nil {
		t.Error(err)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "alarm_test,device=a1,outcome=window,") {
		t.Errorf("points = %q", lines)
	}
	if !strings.Contains(logs.String(), `"outcome":"window"`) || !strings.Contains(logs.String(), `"message":"alarm test recorded"`) {
		t.Errorf("log = %s", logs.String())
	}
}
