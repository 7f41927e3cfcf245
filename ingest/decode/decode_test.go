package decode_test

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
)

const tsText = "2026-11-28T07:12:03+08:00"

var (
	tsUTC    = time.Date(2026, 11, 27, 23, 12, 3, 0, time.UTC)
	tsMillis = strconv.FormatInt(tsUTC.UnixMilli(), 10)
	received = testNow.Add(1500 * time.Millisecond)
)

func vStr(name, s string) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeString, Str: s}
}
func vEnum(name, s string) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeEnum, Str: s}
}
func vBool(name string, b bool) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeBool, Bool: b}
}
func vNum(name string, f float64) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeNumber, Num: f}
}
func vInt(name string, n int64) devices.Value {
	return devices.Value{Name: name, Type: devices.TypeInt, Int: n}
}

// ev is the expected event of a fixture device.
func ev(k devices.Kind, ch devices.Channel, id, typ string, ts time.Time, vals ...devices.Value) devices.Event {
	return devices.Event{
		Region: region, School: school, Kind: k, Device: deviceOf(k), Channel: ch,
		ID: id, Type: typ, TS: ts, Values: vals, Received: received,
	}
}

// goodCase is a message Decode must accept and the event it must produce.
type goodCase struct {
	name    string
	topic   string
	payload string
	want    devices.Event
}

func goodCases() []goodCase {
	evt := func(k devices.Kind) string { return topicOf(k, deviceOf(k), devices.ChannelEvent) }
	hb := func(k devices.Kind) string { return topicOf(k, deviceOf(k), devices.ChannelHeartbeat) }
	st := func(k devices.Kind) string { return topicOf(k, deviceOf(k), devices.ChannelStatus) }
	E, H := devices.ChannelEvent, devices.ChannelHeartbeat
	A, G, C, K := devices.KindAlarm, devices.KindAccess, devices.KindGuard, devices.KindKitchenCam
	withSeq := func(e devices.Event, seq int64, vendor string) devices.Event {
		e.Seq, e.HasSeq, e.VendorCode = seq, true, vendor
		return e
	}
	withVendor := func(e devices.Event, vendor string) devices.Event {
		e.VendorCode = vendor
		return e
	}
	return []goodCase{
		{"alarm.panic", evt(A), `{"id":"p-1","ts":"` + tsText + `","type":"alarm.panic","button":"front-desk"}`,
			ev(A, E, "p-1", "alarm.panic", tsUTC, vStr("button", "front-desk"))},
		{"alarm.panic clock 8 days behind", evt(A), `{"id":"p-skew-1","ts":"2026-11-20T07:12:03+08:00","type":"alarm.panic"}`,
			skewed(ev(A, E, "p-skew-1", "alarm.panic", received.UTC()), tsUTC.Add(-8*24*time.Hour))},
		{"alarm.panic clock 6 min ahead", evt(A), `{"id":"p-skew-2","ts":"2026-11-28T07:21:00+08:00","type":"alarm.panic"}`,
			skewed(ev(A, E, "p-skew-2", "alarm.panic", received.UTC()), testNow.Add(6*time.Minute).UTC())},
		{"heartbeat.alarm clock at the epoch", hb(A), `{"ts":0,"type":"heartbeat.alarm"}`,
			skewed(ev(A, H, "hb-0", "heartbeat.alarm", received.UTC()), time.UnixMilli(0).UTC())},
		{"alarm.panic millis, no fields", evt(A), `{"id":"p-2","ts":` + tsMillis + `,"type":"alarm.panic"}`,
			ev(A, E, "p-2", "alarm.panic", tsUTC)},
		{"alarm.test", evt(A), `{"id":"t-1","ts":"` + tsText + `","type":"alarm.test","ok":true}`,
			ev(A, E, "t-1", "alarm.test", tsUTC, vBool("ok", true), vEnum("mode", "manual"))},
		{"alarm.test manual E601", evt(A), `{"id":"t-601","ts":"` + tsText + `","type":"alarm.test","ok":true,"vendor_code":"E601"}`,
			withVendor(ev(A, E, "t-601", "alarm.test", tsUTC, vBool("ok", true), vEnum("mode", "manual")), "E601")},
		{"alarm.test periodic E602", evt(A), `{"id":"t-602","ts":"` + tsText + `","type":"alarm.test","ok":true,"vendor_code":"E602"}`,
			withVendor(ev(A, E, "t-602", "alarm.test", tsUTC, vBool("ok", true), vEnum("mode", "periodic")), "E602")},
		{"alarm.test periodic bare 602", evt(A), `{"id":"t-602b","ts":"` + tsText + `","type":"alarm.test","vendor_code":"602"}`,
			withVendor(ev(A, E, "t-602b", "alarm.test", tsUTC, vEnum("mode", "periodic")), "602")},
		{"alarm.test periodic mode", evt(A), `{"id":"t-p","ts":"` + tsText + `","type":"alarm.test","mode":"periodic"}`,
			ev(A, E, "t-p", "alarm.test", tsUTC, vEnum("mode", "periodic"))},
		{"alarm.test mode agrees with code", evt(A), `{"id":"t-m","ts":"` + tsText + `","type":"alarm.test","mode":"manual","vendor_code":"e601"}`,
			withVendor(ev(A, E, "t-m", "alarm.test", tsUTC, vEnum("mode", "manual")), "e601")},
		{"alarm.trouble", evt(A), `{"type":"alarm.trouble","code":"mains","cleared":false,"id":"tr-1","ts":"` + tsText + `"}`,
			ev(A, E, "tr-1", "alarm.trouble", tsUTC, vEnum("code", "mains"), vBool("cleared", false))},
		{"alarm.link", evt(A), `{"id":"l-1","ts":"2026-11-27T23:12:03Z","type":"alarm.link","linked":false,"seq":17,"vendor_code":"E130"}`,
			withSeq(ev(A, E, "l-1", "alarm.link", tsUTC, vBool("linked", false)), 17, "E130")},
		{"access.granted", evt(G), accessGranted,
			ev(G, E, "acc-000123", "access.granted", tsUTC, vEnum("direction", "in"), vEnum("method", "face"),
				vStr("person", "p-7f3a9c"), vEnum("role", "student"))},
		{"access.denied", evt(G), `{"id":"d-1","ts":"` + tsText + `","type":"access.denied","direction":"out","method":"card","reason":"expired card"}`,
			ev(G, E, "d-1", "access.denied", tsUTC, vEnum("direction", "out"), vEnum("method", "card"), vStr("reason", "expired card"))},
		{"access.forced", evt(G), `{"id":"f-1","ts":"` + tsText + `","type":"access.forced","vendor_code":"0x1b"}`,
			withVendor(ev(G, E, "f-1", "access.forced", tsUTC), "0x1b")},
		{"access.held_open", evt(G), `{"id":"h-1","ts":"` + tsText + `","type":"access.held_open","duration_s":42.5}`,
			ev(G, E, "h-1", "access.held_open", tsUTC, vNum("duration_s", 42.5))},
		{"access.tailgate", evt(G), `{"id":"tg-1","ts":"` + tsText + `","type":"access.tailgate"}`,
			ev(G, E, "tg-1", "access.tailgate", tsUTC)},
		{"access.climb", evt(G), `{"id":"c-1","ts":"2026-11-28T07:12:03.250+08:00","type":"access.climb"}`,
			ev(G, E, "c-1", "access.climb", tsUTC.Add(250*time.Millisecond))},
		{"access.reverse hikvision 0x86", evt(G), `{"id":"rv-1","ts":"` + tsText + `","type":"access.reverse","vendor_code":"0x86"}`,
			withVendor(ev(G, E, "rv-1", "access.reverse", tsUTC), "0x86")},
		{"access.impact hikvision 0x87", evt(G), `{"id":"im-1","ts":"` + tsText + `","type":"access.impact","vendor_code":"0x87"}`,
			withVendor(ev(G, E, "im-1", "access.impact", tsUTC), "0x87")},
		{"access.blacklist", evt(G), `{"id":"b-1","ts":"` + tsText + `","type":"access.blacklist","person":"p-bad","method":"qr"}`,
			ev(G, E, "b-1", "access.blacklist", tsUTC, vStr("person", "p-bad"), vEnum("method", "qr"))},
		{"gate.state", evt(G), `{"id":"g-1","ts":"` + tsText + `","type":"gate.state","state":"always_open"}`,
			ev(G, E, "g-1", "gate.state", tsUTC, vEnum("state", "always_open"))},
		{"guard.checkin", evt(C), `{"id":"ci-1","ts":"` + tsText + `","type":"guard.checkin","guard":"g-0042","post":"main-gate","role":"police"}`,
			ev(C, E, "ci-1", "guard.checkin", tsUTC, vStr("guard", "g-0042"), vStr("post", "main-gate"), vEnum("role", "police"))},
		{"guard.checkout", evt(C), `{"id":"co-1","ts":"` + tsText + `","type":"guard.checkout","guard":"g-0042","post":"guardroom","role":"guard"}`,
			ev(C, E, "co-1", "guard.checkout", tsUTC, vStr("guard", "g-0042"), vStr("post", "guardroom"), vEnum("role", "guard"))},
		{"patrol.checkpoint", evt(C), `{"id":"pc-1","ts":"` + tsText + `","type":"patrol.checkpoint","route":"night","point":"gym-east","round":3}`,
			ev(C, E, "pc-1", "patrol.checkpoint", tsUTC, vStr("route", "night"), vStr("point", "gym-east"), vInt("round", 3))},
		{"kitchen.status", evt(K), `{"id":"ks-1","ts":"` + tsText + `","type":"kitchen.status","online":true,"streaming":true,"fps":25,"frame_age_s":0.4,"occluded":false}`,
			ev(K, E, "ks-1", "kitchen.status", tsUTC, vBool("online", true), vBool("streaming", true), vNum("fps", 25),
				vNum("frame_age_s", 0.4), vBool("occluded", false))},
		{"kitchen.violation", evt(K), `{"id":"kv-1","ts":"` + tsText + `","type":"kitchen.violation","category":"no_hat","confidence":0.91,"snapshot":"s3://snap/kv-1.jpg"}`,
			ev(K, E, "kv-1", "kitchen.violation", tsUTC, vEnum("category", "no_hat"), vNum("confidence", 0.91), vStr("snapshot", "s3://snap/kv-1.jpg"))},
		{"unknown extra fields ignored", evt(A), `{"id":"x-1","ts":"` + tsText + `","type":"alarm.panic","firmware":{"v":[1,2,{"x":null}]},"note":"新的字段","linked":true}`,
			ev(A, E, "x-1", "alarm.panic", tsUTC)},
		{"null optional field is absent", evt(A), `{"id":"n-1","ts":"` + tsText + `","type":"alarm.panic","button":null,"seq":null}`,
			ev(A, E, "n-1", "alarm.panic", tsUTC)},
		{"escapes and Chinese text", evt(G), `{"id":"d-\u4e2d-2","ts":"` + tsText + `","type":"access.denied","direction":"in","method":"f\u0061ce","reason":"卡已过期 \"expired\"\n"}`,
			ev(G, E, "d-中-2", "access.denied", tsUTC, vEnum("direction", "in"), vEnum("method", "face"), vStr("reason", "卡已过期 \"expired\"\n"))},

		// Strings side by side (id, vendor_code, string fields; escaped,
		// empty, absent): each comes out whole though all share one
		// allocation.
		{"strings side by side", evt(G), `{"id":"z\"1","ts":"` + tsText + `","type":"access.denied","direction":"out","method":"card","person":"","reason":"r\\1","vendor_code":"0x\u00412"}`,
			withVendor(ev(G, E, `z"1`, "access.denied", tsUTC, vEnum("direction", "out"), vEnum("method", "card"), vStr("person", ""), vStr("reason", `r\1`)), "0xA2")},
		{"heartbeat with empty fw and vendor_code", hb(A), `{"id":"hb-\u0041","ts":"` + tsText + `","fw":"","vendor_code":"","seq":1}`,
			withSeq(ev(A, H, "hb-A", "heartbeat.alarm", tsUTC, vStr("fw", "")), 1, "")},
		{"heartbeat.alarm", hb(A), `{"ts":"` + tsText + `","linked":true,"battery":87,"fw":"2.1.0","uptime_s":86400}`,
			ev(A, H, "hb-"+tsMillis, "heartbeat.alarm", tsUTC, vBool("linked", true), vNum("battery", 87), vStr("fw", "2.1.0"), vNum("uptime_s", 86400))},
		{"heartbeat.access", hb(G), `{"id":"hb-own","type":"heartbeat","ts":` + tsMillis + `,"state":"closed","seq":99}`,
			withSeq(ev(G, H, "hb-own", "heartbeat.access", tsUTC, vEnum("state", "closed")), 99, "")},
		{"heartbeat with its vocabulary type", hb(C), `{"type":"heartbeat.guard","ts":"` + tsText + `"}`,
			ev(C, H, "hb-"+tsMillis, "heartbeat.guard", tsUTC)},
		{"heartbeat.guard", hb(C), `{"ts":"` + tsText + `"}`,
			ev(C, H, "hb-"+tsMillis, "heartbeat.guard", tsUTC)},
		{"heartbeat.kitchencam", hb(K), `{"ts":"` + tsText + `","online":true,"streaming":false,"fps":0,"occluded":true,"fw":"k9"}`,
			ev(K, H, "hb-"+tsMillis, "heartbeat.kitchencam", tsUTC, vBool("online", true), vBool("streaming", false), vNum("fps", 0),
				vBool("occluded", true), vStr("fw", "k9"))},

		{"status plain online", st(A), `online`,
			statusEv(A, "st-"+strconv.FormatInt(received.UnixMilli(), 10), received.UTC(), "online")},
		{"status plain offline with newline", st(K), "offline\n",
			statusEv(K, "st-"+strconv.FormatInt(received.UnixMilli(), 10), received.UTC(), "offline")},
		{"status JSON", st(G), `{"status":"offline","ts":"` + tsText + `"}`,
			statusEv(G, "st-"+tsMillis, tsUTC, "offline")},
		{"status JSON without ts", st(C), `{"status":"online","id":"will-1"}`,
			statusEv(C, "will-1", received.UTC(), "online")},
	}
}

// skewed is e with the device's time device kept aside (decode stamped the
// event with the receive time).
func skewed(e devices.Event, device time.Time) devices.Event {
	e.DeviceTS = device
	return e
}

func statusEv(k devices.Kind, id string, ts time.Time, status string) devices.Event {
	return ev(k, devices.ChannelStatus, id, "status", ts, vEnum("status", status))
}

const accessGranted = `{"id":"acc-000123","ts":"2026-11-28T07:12:03+08:00","type":"access.granted",` +
	`"direction":"in","method":"face","person":"p-7f3a9c","role":"student","vendor_code":""}`

func TestDecodeGood(t *testing.T) {
	d := newDecoder()
	for _, tc := range goodCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Decode(tc.topic, []byte(tc.payload), received)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got.Dev == nil || got.Dev.ID != got.Device || got.Dev.Index() < 0 {
				t.Errorf("Decode: Dev = %+v, want the registry's device %s", got.Dev, got.Device)
			}
			got.Dev = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode\n got %+v\nwant %+v", got, tc.want)
			}
			if got.Spec() == nil {
				t.Errorf("event has no spec")
			}
		})
	}
}

// TestGoodCasesCoverVocabulary makes a new vocabulary entry fail until it
// has a good case.
func TestGoodCasesCoverVocabulary(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range goodCases() {
		covered[tc.want.Type] = true
	}
	for typ := range devices.Vocabulary {
		if !covered[typ] {
			t.Errorf("no good case for %s", typ)
		}
	}
	if !covered["status"] {
		t.Errorf("no good case for status")
	}
}

// badCase is a message Decode must reject, and why.
type badCase struct {
	name    string
	topic   string
	payload string
	reason  decode.Reason
}

// ok builds an event payload from fields, with a valid id and ts unless
// overridden.
func ok(typ string, fields string) string {
	p := `{"id":"e-1","ts":"` + tsText + `","type":"` + typ + `"`
	if fields != "" {
		p += "," + fields
	}
	return p + "}"
}

func badCases() []badCase {
	gate := topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent)
	alarm := topicOf(devices.KindAlarm, "alarm-01", devices.ChannelEvent)
	guard := topicOf(devices.KindGuard, "guard-01", devices.ChannelEvent)
	cam := topicOf(devices.KindKitchenCam, "cam-01", devices.ChannelEvent)
	hb := topicOf(devices.KindAccess, "gate-01", devices.ChannelHeartbeat)
	st := topicOf(devices.KindAlarm, "alarm-01", devices.ChannelStatus)
	granted := `"direction":"in","method":"card","person":"p-1","role":"staff"`
	return []badCase{
		{"five levels", "campus/130802/sq-no1-primary/access/gate-01", accessGranted, decode.ReasonBadTopic},
		{"seven levels", gate + "/x", accessGranted, decode.ReasonBadTopic},
		{"wrong prefix", strings.Replace(gate, "campus/", "school/", 1), accessGranted, decode.ReasonBadTopic},
		{"short region", strings.Replace(gate, "130802", "13080", 1), accessGranted, decode.ReasonBadTopic},
		{"upper-case school", strings.Replace(gate, school, "SQ-No1", 1), accessGranted, decode.ReasonBadTopic},
		{"empty device", "campus/130802/sq-no1-primary/access//event", accessGranted, decode.ReasonBadTopic},
		{"wildcard device", "campus/130802/sq-no1-primary/access/+/event", accessGranted, decode.ReasonBadTopic},
		{"bad channel", strings.Replace(gate, "/event", "/events", 1), accessGranted, decode.ReasonBadChannel},
		{"unknown kind", strings.Replace(gate, "/access/", "/camera/", 1), accessGranted, decode.ReasonUnknownKind},
		{"unknown device", strings.Replace(gate, "gate-01", "gate-99", 1), accessGranted, decode.ReasonUnknownDevice},
		{"device of another school", "campus/130802/sq-no1-primary/access/gate-21/event", accessGranted, decode.ReasonTopicMismatch},
		{"school in another region", "campus/130803/sq-no1-primary/access/gate-01/event", accessGranted, decode.ReasonTopicMismatch},
		{"device of another kind", "campus/130802/sq-no1-primary/alarm/gate-01/event", ok("alarm.panic", ""), decode.ReasonTopicMismatch},
		{"oversize", gate, ok("access.granted", granted+`,"pad":"`+strings.Repeat("x", 16<<10)+`"`), decode.ReasonOversize},
		{"bad utf-8", gate, ok("access.granted", `"direction":"in","method":"card","person":"p-`+"\xff"+`","role":"staff"`), decode.ReasonBadUTF8},
		{"empty payload", gate, ``, decode.ReasonBadJSON},
		{"array payload", gate, `[` + accessGranted + `]`, decode.ReasonBadJSON},
		{"trailing garbage", gate, accessGranted + ` {}`, decode.ReasonBadJSON},
		{"truncated", gate, accessGranted[:len(accessGranted)-5], decode.ReasonBadJSON},
		{"duplicate id", gate, `{"id":"a","id":"b","ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonBadJSON},
		{"bad unknown member", gate, ok("access.forced", `"extra":tru`), decode.ReasonBadJSON},
		{"too deep", gate, ok("access.forced", `"extra":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)), decode.ReasonBadJSON},
		{"raw control char", gate, ok("access.forced", "\"extra\":\"a\tb\""), decode.ReasonBadJSON},
		{"missing id", gate, `{"ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonMissingID},
		{"null id", gate, `{"id":null,"ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonMissingID},
		{"numeric id", gate, `{"id":42,"ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonBadID},
		{"empty id", gate, `{"id":"","ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonBadID},
		{"long id", gate, `{"id":"` + strings.Repeat("a", devices.MaxIDLen+1) + `","ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonBadID},
		{"control char in id", gate, `{"id":"a\u0007b","ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonBadID},
		{"missing type", gate, `{"id":"e-1","ts":"` + tsText + `"}`, decode.ReasonMissingType},
		{"unknown type", gate, ok("access.teleport", ""), decode.ReasonUnknownType},
		{"heartbeat type on event channel", gate, ok("heartbeat.access", ""), decode.ReasonUnknownType},
		{"numeric type", gate, `{"id":"e-1","ts":"` + tsText + `","type":7}`, decode.ReasonUnknownType},
		{"type of another kind", gate, ok("alarm.panic", ""), decode.ReasonWrongKind},
		{"missing required field", gate, ok("access.granted", `"direction":"in","method":"card","role":"staff"`), decode.ReasonMissingField},
		{"null required field", alarm, ok("alarm.link", `"linked":null`), decode.ReasonMissingField},
		{"enum as number", gate, ok("access.granted", `"direction":1,"method":"card","person":"p-1","role":"staff"`), decode.ReasonBadFieldType},
		{"bool as string", alarm, ok("alarm.link", `"linked":"true"`), decode.ReasonBadFieldType},
		{"int with fraction", guard, ok("patrol.checkpoint", `"route":"r","point":"p","round":1.5`), decode.ReasonBadFieldType},
		{"number as string", cam, ok("kitchen.violation", `"category":"rodent","confidence":"0.9"`), decode.ReasonBadFieldType},
		{"test mode outside list", alarm, ok("alarm.test", `"mode":"auto"`), decode.ReasonBadFieldValue},
		{"manual test mode with E602", alarm, ok("alarm.test", `"mode":"manual","vendor_code":"E602"`), decode.ReasonBadFieldValue},
		{"periodic test mode with 601", alarm, ok("alarm.test", `"mode":"periodic","vendor_code":"601"`), decode.ReasonBadFieldValue},
		{"reverse entry from an alarm", alarm, ok("access.reverse", ""), decode.ReasonWrongKind},
		{"vendor_code as number", gate, ok("access.forced", `"vendor_code":27`), decode.ReasonBadFieldType},
		{"enum outside list", gate, ok("access.granted", `"direction":"sideways","method":"card","person":"p-1","role":"staff"`), decode.ReasonBadFieldValue},
		{"number out of range", cam, ok("kitchen.violation", `"category":"rodent","confidence":1.5`), decode.ReasonBadFieldValue},
		{"int out of range", guard, ok("patrol.checkpoint", `"route":"r","point":"p","round":5000`), decode.ReasonBadFieldValue},
		{"number overflows", cam, ok("kitchen.status", `"online":true,"streaming":true,"fps":1e999`), decode.ReasonBadFieldValue},
		{"long string", gate, ok("access.granted", `"direction":"in","method":"card","person":"`+strings.Repeat("p", devices.MaxStringLen+1)+`","role":"staff"`), decode.ReasonBadFieldValue},
		{"empty required string", gate, ok("access.granted", `"direction":"in","method":"card","person":"","role":"staff"`), decode.ReasonBadFieldValue},
		{"missing ts", gate, `{"id":"e-1","type":"access.forced"}`, decode.ReasonMissingTS},
		{"ts without offset", gate, `{"id":"e-1","ts":"2026-11-28T07:12:03","type":"access.forced"}`, decode.ReasonBadTS},
		{"ts with space", gate, `{"id":"e-1","ts":"2026-11-28 07:12:03+08:00","type":"access.forced"}`, decode.ReasonBadTS},
		{"ts 30 February", gate, `{"id":"e-1","ts":"2026-02-30T07:12:03+08:00","type":"access.forced"}`, decode.ReasonBadTS},
		{"ts fractional millis", gate, `{"id":"e-1","ts":1.7e12,"type":"access.forced"}`, decode.ReasonBadTS},
		{"ts bool", gate, `{"id":"e-1","ts":true,"type":"access.forced"}`, decode.ReasonBadTS},
		{"ts in the future", gate, `{"id":"e-1","ts":"2026-11-28T07:21:00+08:00","type":"access.forced"}`, decode.ReasonTSFuture},
		{"ts too old", gate, `{"id":"e-1","ts":"2026-11-20T07:12:03+08:00","type":"access.forced"}`, decode.ReasonTSPast},
		{"ts millis in seconds", gate, `{"id":"e-1","ts":1795821123,"type":"access.forced"}`, decode.ReasonTSPast},
		{"negative seq", gate, ok("access.forced", `"seq":-1`), decode.ReasonBadSeq},
		{"string seq", gate, ok("access.forced", `"seq":"5"`), decode.ReasonBadSeq},
		{"huge seq", gate, ok("access.forced", `"seq":99999999999999999999`), decode.ReasonBadSeq},
		{"status word", st, `maybe`, decode.ReasonBadStatus},
		{"status empty", st, ``, decode.ReasonBadStatus},
		{"status JSON value", st, `{"status":"up"}`, decode.ReasonBadStatus},
		{"status JSON missing", st, `{"ts":"` + tsText + `"}`, decode.ReasonBadStatus},
		{"status JSON broken", st, `{"status":"online"`, decode.ReasonBadJSON},
		{"unknown post", guard, ok("guard.checkin", `"guard":"g-1","post":"back-gate","role":"guard"`), decode.ReasonUnknownPost},
		{"heartbeat wrong type", hb, `{"ts":"` + tsText + `","type":"ping"}`, decode.ReasonUnknownType},
		{"heartbeat type of another kind", hb, `{"ts":"` + tsText + `","type":"heartbeat.alarm"}`, decode.ReasonWrongKind},
		{"heartbeat missing ts", hb, `{"state":"open"}`, decode.ReasonMissingTS},
		{"heartbeat bad field", hb, `{"ts":"` + tsText + `","state":"ajar"}`, decode.ReasonBadFieldValue},
	}
}

func TestDecodeBad(t *testing.T) {
	d := newDecoder()
	for _, tc := range badCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := d.Decode(tc.topic, []byte(tc.payload), received)
			var re *decode.RejectError
			if !errors.As(err, &re) {
				t.Fatalf("Decode = %+v, %v; want a *RejectError %s", got, err, tc.reason)
			}
			if re.Reason != tc.reason {
				t.Errorf("reason = %s (%v), want %s", re.Reason, err, tc.reason)
			}
			if want := "decode: " + string(re.Reason) + ": "; !strings.HasPrefix(err.Error(), want) || re.Detail == "" {
				t.Errorf("Error() = %q, want prefix %q and a detail", err.Error(), want)
			}
			if !reflect.DeepEqual(got, devices.Event{}) {
				t.Errorf("rejected message returned event %+v", got)
			}
		})
	}
}

// TestBadCasesCoverReasons keeps the bad table honest: every reason that
// Decode can return has at least one case.
func TestBadCasesCoverReasons(t *testing.T) {
	covered := map[decode.Reason]bool{}
	for _, tc := range badCases() {
		covered[tc.reason] = true
	}
	for _, r := range decode.AllReasons {
		if !covered[r] && r != decode.ReasonOther {
			t.Errorf("no bad case for %s", r)
		}
	}
}

func TestReasonsAreDistinct(t *testing.T) {
	seen := map[decode.Reason]bool{}
	for _, r := range decode.AllReasons {
		if seen[r] || r == "" || strings.ToLower(string(r)) != string(r) {
			t.Errorf("reason %q duplicated, empty or not lower-case", r)
		}
		seen[r] = true
	}
}

func TestReasonOf(t *testing.T) {
	_, err := newDecoder().Decode("nope", nil, received)
	wrapped := fmt.Errorf("ingest: decode %s: %w", "nope", err)
	for _, tc := range []struct {
		err  error
		want decode.Reason
	}{
		{nil, ""},
		{err, decode.ReasonBadTopic},
		{wrapped, decode.ReasonBadTopic},
		{errors.New("boom"), decode.ReasonOther},
	} {
		if got := decode.ReasonOf(tc.err); got != tc.want {
			t.Errorf("ReasonOf(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestTimeBounds checks the edges of the accepted window exactly.
func TestTimeBounds(t *testing.T) {
	d := decode.New(testRegistry(), decode.Options{
		MaxFuture: time.Minute, MaxAge: time.Hour, Now: func() time.Time { return testNow },
	})
	// Every kind but alarm (see TestAlarmClockSkew).
	topic := topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent)
	for _, tc := range []struct {
		ts   time.Time
		want decode.Reason
	}{
		{testNow.Add(time.Minute), ""},
		{testNow.Add(time.Minute + time.Millisecond), decode.ReasonTSFuture},
		{testNow.Add(-time.Hour), ""},
		{testNow.Add(-time.Hour - time.Millisecond), decode.ReasonTSPast},
	} {
		p := `{"id":"a","type":"access.forced","ts":` + strconv.FormatInt(tc.ts.UnixMilli(), 10) + `}`
		_, err := d.Decode(topic, []byte(p), received)
		if got := decode.ReasonOf(err); got != tc.want {
			t.Errorf("ts %s: reason %q, want %q (%v)", tc.ts, got, tc.want, err)
		}
	}
}

func TestOptions(t *testing.T) {
	if err := (decode.Options{}).Validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
	err := decode.Options{MaxPayload: -1, MaxAge: -time.Second}.Validate()
	if err == nil || !strings.Contains(err.Error(), "max_payload") || !strings.Contains(err.Error(), "max_age") {
		t.Errorf("negative options: %v", err)
	}
	// A smaller payload limit applies.
	d := decode.New(testRegistry(), decode.Options{MaxPayload: 10, Now: func() time.Time { return testNow }})
	_, err = d.Decode(topicOf(devices.KindAlarm, "alarm-01", devices.ChannelStatus), []byte("offline    \n"), received)
	if decode.ReasonOf(err) != decode.ReasonOversize {
		t.Errorf("MaxPayload 10: %v", err)
	}
}

// TestDecodeConcurrent runs one Decoder from many goroutines (go test -race).
func TestDecodeConcurrent(t *testing.T) {
	d := newDecoder()
	cases := goodCases()
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, tc := range cases {
				if _, err := d.Decode(tc.topic, []byte(tc.payload), received); err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}
