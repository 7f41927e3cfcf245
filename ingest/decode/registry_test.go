package decode_test

import (
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
)

// The fixture world: one primary school in 130802 with a device of every
// kind, and a middle school in 130803 whose gate must not speak for it.
const (
	region  = "130802"
	school  = "sq-no1-primary"
	region2 = "130803"
	school2 = "sq-no2-middle"
)

// testNow is the fake clock of every test: 07:15 Beijing time.
var testNow = time.Date(2026, 11, 28, 7, 15, 0, 0, time.FixedZone("CST", 8*3600))

// testRegistry builds the registry in Go, independent of the YAML loader.
func testRegistry() *devices.Registry {
	r := &devices.Registry{
		Regions: []devices.Region{{Code: region, Name: "双桥区"}, {Code: region2, Name: "双滦区"}},
		Schools: []devices.School{
			{
				ID: school, Name: "双桥区第一小学", Region: region, Type: devices.SchoolPrimary,
				Posts: []devices.Post{{ID: "guardroom"}, {ID: "main-gate", MinStaff: 2}},
				Devices: []devices.Device{
					{ID: "alarm-01", Kind: devices.KindAlarm},
					{ID: "gate-01", Kind: devices.KindAccess, Gate: "north"},
					{ID: "guard-01", Kind: devices.KindGuard, Post: "main-gate"},
					{ID: "cam-01", Kind: devices.KindKitchenCam, Kitchen: "k1"},
				},
			},
			{
				ID: school2, Region: region2, Type: devices.SchoolSecondary,
				Devices: []devices.Device{{ID: "gate-21", Kind: devices.KindAccess}},
			},
		},
	}
	r.Index()
	return r
}

func newDecoder() *decode.Decoder {
	return decode.New(testRegistry(), decode.Options{Now: func() time.Time { return testNow }})
}

// topicOf returns the topic of a device of the fixture school.
func topicOf(kind devices.Kind, device string, ch devices.Channel) string {
	return "campus/" + region + "/" + school + "/" + string(kind) + "/" + device + "/" + string(ch)
}

// deviceOf returns the fixture device of kind.
func deviceOf(k devices.Kind) string {
	switch k {
	case devices.KindAlarm:
		return "alarm-01"
	case devices.KindAccess:
		return "gate-01"
	case devices.KindGuard:
		return "guard-01"
	}
	return "cam-01"
}
