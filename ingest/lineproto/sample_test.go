package lineproto_test

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

var (
	ts       = time.Date(2026, 11, 27, 23, 12, 3, 0, time.UTC)
	received = ts.Add(1500 * time.Millisecond)
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

func event(k devices.Kind, ch devices.Channel, typ, id string, vals ...devices.Value) devices.Event {
	dev := map[devices.Kind]string{
		devices.KindAlarm: "alarm-01", devices.KindAccess: "gate-01",
		devices.KindGuard: "guard-01", devices.KindKitchenCam: "cam-01",
	}[k]
	return devices.Event{
		Region: "130802", School: "sq-no1-primary", Kind: k, Device: dev, Channel: ch,
		ID: id, Type: typ, TS: ts, Values: vals, Received: received,
	}
}

// sampleEvents returns one event of every vocabulary type and the status
// event, as decode produces them, keyed by golden-file name.
func sampleEvents() map[string]devices.Event {
	A, G, C, K := devices.KindAlarm, devices.KindAccess, devices.KindGuard, devices.KindKitchenCam
	E, H, S := devices.ChannelEvent, devices.ChannelHeartbeat, devices.ChannelStatus
	seq := func(e devices.Event, n int64, vendor string) devices.Event {
		e.Seq, e.HasSeq, e.VendorCode = n, true, vendor
		return e
	}
	return map[string]devices.Event{
		"alarm.panic":   event(A, E, "alarm.panic", "p-1", vStr("button", "front-desk")),
		"alarm.test":    seq(event(A, E, "alarm.test", "t-1", vBool("ok", true), vEnum("mode", "periodic")), 18, "E602"),
		"alarm.trouble": event(A, E, "alarm.trouble", "tr-1", vEnum("code", "mains"), vBool("cleared", false)),
		"alarm.link":    seq(event(A, E, "alarm.link", "l-1", vBool("linked", false)), 17, "E130"),
		"access.granted": event(G, E, "access.granted", "acc-000123", vEnum("direction", "in"), vEnum("method", "face"),
			vStr("person", "p-7f3a9c"), vEnum("role", "student")),
		"access.denied": event(G, E, "access.denied", "d-1", vEnum("direction", "out"), vEnum("method", "card"),
			vStr("reason", "卡已过期, \"expired\"")),
		"access.forced":    seq(event(G, E, "access.forced", "f-1"), 4711, "0x1b"),
		"access.held_open": event(G, E, "access.held_open", "h-1", vNum("duration_s", 42.5)),
		"access.tailgate":  event(G, E, "access.tailgate", "tg-1"),
		"access.climb":     event(G, E, "access.climb", "c-1"),
		"access.reverse":   seq(event(G, E, "access.reverse", "rv-1"), 4712, "0x86"),
		"access.impact":    seq(event(G, E, "access.impact", "im-1"), 4713, "0x87"),
		"access.blacklist": event(G, E, "access.blacklist", "b-1", vStr("person", "p-bad"), vEnum("method", "qr")),
		"gate.state":       event(G, E, "gate.state", "g-1", vEnum("state", "always_open")),
		"guard.checkin": event(C, E, "guard.checkin", "ci-1", vStr("guard", "g-0042"), vStr("post", "main-gate"),
			vEnum("role", "police")),
		"guard.checkout": event(C, E, "guard.checkout", "co-1", vStr("guard", "g-0042"), vStr("post", "guardroom"),
			vEnum("role", "guard")),
		"patrol.checkpoint": event(C, E, "patrol.checkpoint", "pc-1", vStr("route", "night"), vStr("point", "gym-east"),
			vInt("round", 3)),
		"kitchen.status": event(K, E, "kitchen.status", "ks-1", vBool("online", true), vBool("streaming", true),
			vNum("fps", 25), vNum("frame_age_s", 0.4), vBool("occluded", false)),
		"kitchen.violation": event(K, E, "kitchen.violation", "kv-1", vEnum("category", "rodent"), vNum("confidence", 0.91),
			vStr("snapshot", "s3://snap/kv-1.jpg")),
		"heartbeat.alarm": event(A, H, "heartbeat.alarm", "hb-1795821123000", vBool("linked", true), vNum("battery", 87),
			vStr("fw", "2.1.0"), vNum("uptime_s", 86400)),
		"heartbeat.access": seq(event(G, H, "heartbeat.access", "hb-own", vEnum("state", "closed")), 99, ""),
		"heartbeat.guard":  event(C, H, "heartbeat.guard", "hb-1795821123000"),
		"heartbeat.kitchencam": event(K, H, "heartbeat.kitchencam", "hb-1795821123000", vBool("online", true),
			vBool("streaming", false), vNum("fps", 0), vBool("occluded", true), vStr("fw", "k9"), vNum("uptime_s", 1e7)),
		"status": event(A, S, "status", "st-1795821123000", vEnum("status", "offline")),
		// A gate replaying a backlog 90 s late: the point carries lag_ms.
		"access.granted-late": late(event(G, E, "access.granted", "acc-000124", vEnum("direction", "out"), vEnum("method", "card"),
			vStr("person", "p-7f3a9c"), vEnum("role", "student")), 90*time.Second),
		// A panic from a terminal whose clock was reset: decode stamped it
		// with the receive time and kept the device's time.
		"alarm.panic-clock-skew": skewed(event(A, E, "alarm.panic", "p-2"), ts.Add(-8*24*time.Hour)),
	}
}

// skewed is e as decode produces it for an alarm message whose device time
// was outside the window: TS is the receive time.
func skewed(e devices.Event, device time.Time) devices.Event {
	e.DeviceTS, e.TS = device, e.Received
	return e
}

// late is e received lag after its ts.
func late(e devices.Event, lag time.Duration) devices.Event {
	e.Received = e.TS.Add(lag)
	return e
}
