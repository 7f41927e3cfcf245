package sim

import (
	"strings"
	"testing"
	"time"
)

func clockAt(h, m int) time.Time { return time.Date(0, 1, 1, h, m, 0, 0, time.UTC) }

func TestParseFault(t *testing.T) {
	rfc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in      string
		want    Fault
		wantErr string
	}{
		{in: "silent_device:cd-0001-alarm-1", want: Fault{Kind: FaultSilentDevice, Device: "cd-0001-alarm-1"}},
		{in: "post_unstaffed:cd-0002:main-gate", want: Fault{Kind: FaultPostUnstaffed, School: "cd-0002", Post: "main-gate"}},
		{in: "kitchen_cam_off:cd-0003-kitchencam-1@11:00-13:00",
			want: Fault{Kind: FaultKitchenCamOff, Device: "cd-0003-kitchencam-1", From: clockAt(11, 0), To: clockAt(13, 0)}},
		{in: "silent_device:cd-0001-gate-1@22:00-02:00",
			want: Fault{Kind: FaultSilentDevice, Device: "cd-0001-gate-1", From: clockAt(22, 0), To: clockAt(2, 0)}},
		{in: "panic_press:cd-0001-alarm-1@10:15", want: Fault{Kind: FaultPanicPress, Device: "cd-0001-alarm-1", From: clockAt(10, 15)}},
		{in: "gate_forced:cd-0001-gate-1@2026-11-30T22:00:00+08:00",
			want: Fault{Kind: FaultGateForced, Device: "cd-0001-gate-1", From: rfc("2026-11-30T22:00:00+08:00")}},
		{in: "post_unstaffed:cd-0002:main-gate@2026-11-30T06:00:00+08:00/2026-11-30T09:00:00+08:00",
			want: Fault{Kind: FaultPostUnstaffed, School: "cd-0002", Post: "main-gate",
				From: rfc("2026-11-30T06:00:00+08:00"), To: rfc("2026-11-30T09:00:00+08:00")}},

		{in: "silent_school:cd-0004@14:00-15:00", want: Fault{Kind: FaultSilentSchool, School: "cd-0004", From: clockAt(14, 0), To: clockAt(15, 0)}},
		{in: "kitchen_violation:cd-0002-kitchencam-1", want: Fault{Kind: FaultKitchenViolation, Device: "cd-0002-kitchencam-1"}},
		{in: "silent_school:cd-0004:x", wantErr: "want silent_school:school"},

		{in: "", wantErr: "want kind:target"},
		{in: "silent_device", wantErr: "want kind:target"},
		{in: "silent_device:", wantErr: "want kind:target"},
		{in: "meteor:cd-0001", wantErr: `unknown fault kind "meteor"`},
		{in: "post_unstaffed:cd-0002", wantErr: "want post_unstaffed:school:post"},
		{in: "post_unstaffed:cd-0002:", wantErr: "want post_unstaffed:school:post"},
		{in: "post_unstaffed:cd-0002:a:b", wantErr: "want post_unstaffed:school:post"},
		{in: "silent_device:cd-0001:x", wantErr: "want silent_device:device"},
		{in: "silent_device:cd-0001@", wantErr: "empty time"},
		{in: "silent_device:cd-0001@25:00", wantErr: `bad clock time "25:00"`},
		{in: "silent_device:cd-0001@7:00", wantErr: `bad clock time "7:00"`},
		{in: "silent_device:cd-0001@07:00-", wantErr: `bad clock time ""`},
		{in: "silent_device:cd-0001@2026-11-30T25:00:00+08:00", wantErr: "want RFC 3339"},
		{in: "silent_device:cd-0001@2026-11-30T09:00:00+08:00/2026-11-30T08:00:00+08:00", wantErr: "is not after"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFault(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFault(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFault(%q): %v", tt.in, err)
			}
			if got.Kind != tt.want.Kind || got.Device != tt.want.Device || got.School != tt.want.School ||
				got.Post != tt.want.Post || !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
				t.Errorf("ParseFault(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFaultResolve(t *testing.T) {
	start := at(monday, 10, 0) // Monday 10:00
	tests := []struct {
		fault    string
		from, to time.Time // zero to: no end
	}{
		{"silent_device:d", start, time.Time{}},
		{"silent_device:d@11:00-13:00", at(monday, 11, 0), at(monday, 13, 0)},
		{"silent_device:d@09:00-11:00", at(monday, 9, 0), at(monday, 11, 0)},           // running at the start
		{"silent_device:d@08:00-09:00", at(monday, 24+8, 0), at(monday, 24+9, 0)},      // over: tomorrow
		{"silent_device:d@22:00-02:00", at(monday, 22, 0), at(monday, 24+2, 0)},        // over midnight
		{"silent_device:d@09:00", at(monday, 9, 0), time.Time{}},                       // open-ended, running
		{"panic_press:d@09:00", at(monday, 24+9, 0), time.Time{}},                      // point in the past: tomorrow
		{"panic_press:d@10:30", at(monday, 10, 30), time.Time{}},                       // later today
		{"gate_forced:d@2026-11-29T09:00:00+08:00", at(monday, -24+9, 0), time.Time{}}, // absolute: as given
		{"silent_device:d@2026-11-30T10:30:00+08:00/2026-12-01T00:00:00+08:00", at(monday, 10, 30), at(monday, 24, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			p := mustFault(t, tt.fault).resolve(start.UnixNano())
			wantTo := maxTime
			if !tt.to.IsZero() {
				wantTo = tt.to.UnixNano()
			}
			if p.from != tt.from.UnixNano() || p.to != wantTo {
				t.Errorf("resolve = [%s, %s), want [%s, %s)", time.Unix(0, p.from).In(shanghai), time.Unix(0, p.to).In(shanghai), tt.from, tt.to)
			}
		})
	}
}
