package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestEndToEndEveryKind publishes every event type of every kind, every
// kind's heartbeat and status through real Mosquitto — each message twice —
// and checks that InfluxDB holds each exactly once in the right
// measurement, with the contract's tags and fields.
func TestEndToEndEveryKind(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	reg, regPath := testRegistry(t, 20)
	startApp(t, baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket()))

	msgs := samplesFor(reg, 5, time.Now().Add(-time.Minute))
	want := map[string]int{}
	for _, m := range msgs {
		want[m.measurement]++
	}
	pub := newPublisher(t, mq.URL(), "e2e-pub")
	pub.publishAll(t, msgs)
	pub.publishAll(t, msgs) // every message twice: none may be doubled

	for _, meas := range []string{devices.MeasHeartbeat, devices.MeasAlarm, devices.MeasAccess, devices.MeasGuard, devices.MeasKitchen} {
		got := db.WaitCount(t, meas, want[meas], 60*time.Second)
		t.Logf("%s: %d points (want %d)", meas, got, want[meas])
		if n := db.CountField(t, meas, "id"); n != want[meas] {
			t.Errorf("%s: %d points with an id field, want %d", meas, n, want[meas])
		}
	}

	// Tags: the contract's location tags plus low-cardinality enums only.
	wantTags := map[string][]string{
		devices.MeasAccess:    {"device", "direction", "kind", "method", "region", "role", "school", "state", "type"},
		devices.MeasAlarm:     {"code", "device", "kind", "mode", "region", "school", "type"},
		devices.MeasGuard:     {"device", "kind", "post", "region", "role", "school", "type"},
		devices.MeasKitchen:   {"category", "device", "kind", "region", "school", "tier", "type"},
		devices.MeasHeartbeat: {"device", "kind", "region", "school", "source", "state", "status"},
	}
	for meas, tags := range wantTags {
		got := showKeys(t, db, "SHOW TAG KEYS FROM "+meas)
		if strings.Join(got, ",") != strings.Join(tags, ",") {
			t.Errorf("%s tag keys = %v, want %v", meas, got, tags)
		}
		for _, never := range []string{"id", "person", "guard", "route"} {
			for _, g := range got {
				if g == never {
					t.Errorf("%s: %q must be a field, never a tag", meas, never)
				}
			}
		}
	}
	// Fields: ids of people and events are fields.
	fields := showKeys(t, db, "SHOW FIELD KEYS FROM access")
	for _, f := range []string{"id", "person", "vendor_code", "lag_ms"} {
		if !contains(fields, f) {
			t.Errorf("access fields %v lack %q", fields, f)
		}
	}
	// The patrol route is the device's free text: a field, never a tag.
	if gf := showKeys(t, db, "SHOW FIELD KEYS FROM guard"); !contains(gf, "route") {
		t.Errorf("guard fields %v lack %q", gf, "route")
	}
	// One point read back in full.
	s := db.Query(t, `SELECT * FROM access WHERE "type"='access.granted' LIMIT 1`)
	if len(s) != 1 || len(s[0].Values) != 1 {
		t.Fatalf("access.granted point not found: %+v", s)
	}
	row := map[string]any{}
	for i, c := range s[0].Columns {
		row[c] = s[0].Values[0][i]
	}
	if row["direction"] != "in" || row["method"] != "card" || row["role"] != "student" || row["person"] != "x-person" || row["vendor_code"] != "0x1b" {
		t.Errorf("access.granted point = %v", row)
	}
}

func showKeys(t *testing.T, db *testenv.InfluxServer, q string) []string {
	t.Helper()
	var keys []string
	for _, s := range db.Query(t, q) {
		for _, v := range s.Values {
			keys = append(keys, fmt.Sprint(v[0]))
		}
	}
	sort.Strings(keys)
	return keys
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
