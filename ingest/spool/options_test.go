package spool

import (
	"strings"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		err  string // substring; empty for valid
		want Options
	}{
		{name: "defaults", in: Options{Dir: "d"},
			want: Options{Dir: "d", SegmentBytes: DefaultSegmentBytes, MaxBytes: DefaultMaxBytes, WarnFraction: DefaultWarnFraction}},
		{name: "explicit", in: Options{Dir: "d", SegmentBytes: 10, MaxBytes: 11, WarnFraction: 1},
			want: Options{Dir: "d", SegmentBytes: 10, MaxBytes: 11, WarnFraction: 1}},
		{name: "no dir", in: Options{}, err: "spool: dir is required"},
		{name: "negative segment", in: Options{Dir: "d", SegmentBytes: -1}, err: "spool: segment_bytes must be > 0: -1"},
		{name: "max not above segment", in: Options{Dir: "d", SegmentBytes: 100, MaxBytes: 100},
			err: "spool: max_bytes must be > segment_bytes: 100 <= 100"},
		{name: "default segment above max", in: Options{Dir: "d", MaxBytes: 1 << 20}, err: "max_bytes must be > segment_bytes"},
		{name: "warn fraction over 1", in: Options{Dir: "d", WarnFraction: 1.5}, err: "spool: warn_fraction must be in (0, 1]: 1.5"},
		{name: "negative warn fraction", in: Options{Dir: "d", WarnFraction: -0.1}, err: "warn_fraction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.in
			err := o.Validate()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Dir != tt.want.Dir || o.SegmentBytes != tt.want.SegmentBytes || o.MaxBytes != tt.want.MaxBytes ||
				o.WarnFraction != tt.want.WarnFraction || o.openFile == nil || o.now == nil {
				t.Fatalf("validated = %+v, want %+v", o, tt.want)
			}
		})
	}
}
