package alarmtest

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

func TestClassify(t *testing.T) {
	in := at(11, 30, 10, 10)
	covers := func(school, device string, t time.Time) bool {
		return school == "s1" && device == "a1" && !t.Before(at(11, 30, 10, 0)) && t.Before(at(11, 30, 10, 30))
	}
	ev := func(typ string, ts time.Time, code string, vals ...devices.Value) devices.Event {
		return devices.Event{School: "s1", Device: "a1", Kind: devices.KindAlarm, Channel: devices.ChannelEvent,
			Type: typ, TS: ts, VendorCode: code, Values: vals}
	}
	mode := func(m string) devices.Value { return devices.Value{Name: "mode", Type: devices.TypeEnum, Str: m} }
	ok := func(b bool) devices.Value { return devices.Value{Name: "ok", Type: devices.TypeBool, Bool: b} }
	for _, tc := range []struct {
		name   string
		ev     devices.Event
		now    time.Time
		covers Covers
		want   Outcome
	}{
		{"panic inside the window", ev("alarm.panic", in, ""), in, covers, InWindow},
		{"panic without windows", ev("alarm.panic", in, ""), in, nil, None},
		{"panic stamped inside, arriving after", ev("alarm.panic", in, ""), at(11, 30, 10, 31), covers, None},
		{"panic arriving inside, stamped before", ev("alarm.panic", at(11, 30, 9, 0), ""), in, covers, None},
		{"manual test", ev("alarm.test", in, "", mode("manual")), in, nil, Manual},
		{"test without mode or code: manual", ev("alarm.test", in, ""), in, nil, Manual},
		{"periodic test", ev("alarm.test", in, "", ok(true), mode("periodic")), in, nil, Periodic},
		{"E602 without mode", ev("alarm.test", in, "E602"), in, nil, Periodic},
		{"E601 without mode", ev("alarm.test", in, "E601"), in, nil, Manual},
		{"failed test", ev("alarm.test", in, "E601", ok(false)), in, nil, Failed},
		{"trouble", ev("alarm.trouble", in, ""), in, covers, None},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(&tc.ev, tc.now, tc.covers); got != tc.want {
				t.Errorf("Classify = %q, want %q", got, tc.want)
			}
		})
	}
	retained := ev("alarm.test", in, "")
	retained.Retained = true
	if got := Classify(&retained, in, nil); got != None {
		t.Errorf("retained test = %q", got)
	}
	for o, want := range map[Outcome]bool{InWindow: true, Manual: true, Periodic: false, Failed: false, None: false} {
		if o.Tested() != want {
			t.Errorf("%q.Tested() = %v", o, !want)
		}
	}
}

func TestAppendLine(t *testing.T) {
	ev := devices.Event{Region: "130802", School: "s1", Device: "a1", Kind: devices.KindAlarm, Channel: devices.ChannelEvent,
		ID: `p-"1"\x`, Type: "alarm.panic", TS: time.UnixMilli(1795821123000)}
	got := string(AppendLine(nil, &ev, InWindow))
	want := `alarm_test,device=a1,outcome=window,region=130802,school=s1 event="p-\"1\"\\x",type="alarm.panic" 1795821123000000000` + "\n"
	if got != want {
		t.Errorf("AppendLine\n got %q\nwant %q", got, want)
	}
	if strings.Count(got, "\n") != 1 {
		t.Error("not one line")
	}
}
