package lineproto_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	protocol "github.com/influxdata/line-protocol"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/lineproto"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestGolden(t *testing.T) {
	events := sampleEvents()
	for typ := range devices.Vocabulary {
		if _, ok := events[typ]; !ok {
			t.Errorf("no sample event for vocabulary type %s", typ)
		}
	}
	for name, e := range events {
		t.Run(name, func(t *testing.T) {
			got := lineproto.Append(nil, &e)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Append\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestParses feeds every sample point through InfluxData's parser and
// checks it reads back what the event holds.
func TestParses(t *testing.T) {
	for name, e := range sampleEvents() {
		t.Run(name, func(t *testing.T) {
			line := lineproto.Append(nil, &e)
			if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
				t.Fatalf("not one line: %q", line)
			}
			m := parseOne(t, line)
			spec := e.Spec()
			if m.Name() != spec.Measurement {
				t.Errorf("measurement %q, want %q", m.Name(), spec.Measurement)
			}
			tags := m.TagList()
			if !sort.SliceIsSorted(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key }) {
				t.Errorf("tags not sorted: %q", line)
			}
			for k, want := range map[string]string{"region": e.Region, "school": e.School, "kind": string(e.Kind), "device": e.Device} {
				if got, _ := getTag(m, k); got != want {
					t.Errorf("tag %s = %q, want %q", k, got, want)
				}
			}
			if spec.Measurement == devices.MeasHeartbeat {
				want := lineproto.SourceHeartbeat
				if e.Channel == devices.ChannelStatus {
					want = lineproto.SourceStatus
				}
				if got, _ := getTag(m, "source"); got != want {
					t.Errorf("source = %q, want %q", got, want)
				}
			} else if got, _ := getTag(m, "type"); got != e.Type {
				t.Errorf("type = %q, want %q", got, e.Type)
			}
			if got, _ := getField(m, "id"); got != e.ID {
				t.Errorf("id = %v, want %q", got, e.ID)
			}
			lag := e.Received.Sub(e.TS)
			if lag >= lineproto.LateAfter || lag <= -lineproto.LateAfter {
				if got := getFieldOr(m, "lag_ms"); got != lag.Milliseconds() {
					t.Errorf("lag_ms = %v, want %d", got, lag.Milliseconds())
				}
			} else if got, ok := getField(m, "lag_ms"); ok {
				t.Errorf("lag_ms = %v on a point on time (lag %v)", got, lag)
			}
			if e.DeviceTS.IsZero() {
				if got, ok := getField(m, lineproto.FieldDeviceTS); ok {
					t.Errorf("device_ts = %v on an event with the device's own time", got)
				}
			} else if got := getFieldOr(m, lineproto.FieldDeviceTS); got != e.DeviceTS.UnixMilli() {
				t.Errorf("device_ts = %v, want %d", got, e.DeviceTS.UnixMilli())
			}
			for _, v := range e.Values {
				f := spec.Field(v.Name)
				if f.Tag {
					if got, _ := getTag(m, v.Name); got != v.Str {
						t.Errorf("tag %s = %q, want %q", v.Name, got, v.Str)
					}
					continue
				}
				got, _ := getField(m, v.Name)
				var want any
				switch f.Type {
				case devices.TypeBool:
					want = v.Bool
				case devices.TypeInt:
					want = v.Int
				case devices.TypeNumber:
					want = v.Num
				default:
					want = v.Str
				}
				if got != want {
					t.Errorf("field %s = %#v, want %#v", v.Name, got, want)
				}
			}
			if got := m.Time().UnixNano(); got != lineproto.Timestamp(&e) {
				t.Errorf("time %d, want %d", got, lineproto.Timestamp(&e))
			}
		})
	}
}

func parseOne(t *testing.T, line []byte) protocol.Metric {
	t.Helper()
	ms, err := protocol.NewParser(protocol.NewMetricHandler()).Parse(line)
	if err != nil || len(ms) != 1 {
		t.Fatalf("parse %q: %d metrics, %v", line, len(ms), err)
	}
	return ms[0]
}

func getTag(m protocol.Metric, key string) (string, bool) {
	for _, t := range m.TagList() {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// getFieldOr returns the field's value, or nil.
func getFieldOr(m protocol.Metric, key string) any {
	v, _ := getField(m, key)
	return v
}

func hasTag(m protocol.Metric, key string) bool {
	_, ok := getTag(m, key)
	return ok
}

func getField(m protocol.Metric, key string) (any, bool) {
	for _, f := range m.FieldList() {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

func TestTier(t *testing.T) {
	for cat, tier := range devices.ViolationCategories {
		e := event(devices.KindKitchenCam, devices.ChannelEvent, "kitchen.violation", "kv", vEnum("category", cat), vNum("confidence", 0.5))
		m := parseOne(t, lineproto.Append(nil, &e))
		if got, _ := getTag(m, "tier"); got != string(rune('0'+tier)) {
			t.Errorf("%s: tier %q, want %d", cat, got, tier)
		}
	}
	// Only kitchen.violation has a tier.
	e := sampleEvents()["kitchen.status"]
	if m := parseOne(t, lineproto.Append(nil, &e)); hasTag(m, "tier") {
		t.Errorf("kitchen.status has a tier tag")
	}
}

func TestEscaping(t *testing.T) {
	base := func(id string, vals ...devices.Value) devices.Event {
		e := event(devices.KindAccess, devices.ChannelEvent, "access.denied", id, vals...)
		e.Values = append([]devices.Value{vEnum("direction", "in"), vEnum("method", "card")}, e.Values...)
		return e
	}
	const head = "access,device=gate-01,direction=in,kind=access,method=card,region=130802,school=sq-no1-primary,type=access.denied "
	const tail = " 1795821123000"
	for _, tc := range []struct {
		name string
		e    devices.Event
		want string // without head; the tail's nanoseconds vary with the id
	}{
		{"plain", base("a", vStr("reason", "ok")), `reason="ok",id="a"`},
		{"spaces commas equals", base("a b,c=d", vStr("reason", "x, y = z")), `reason="x, y = z",id="a b,c=d"`},
		{"quotes", base(`say "hi"`, vStr("reason", `"q"`)), `reason="\"q\"",id="say \"hi\""`},
		{"backslashes", base(`a\b\`, vStr("reason", `C:\tmp\`)), `reason="C:\\tmp\\",id="a\\b\\"`},
		{"control characters", base("a\nb", vStr("reason", "line1\nline2\r\n\x00\f\x7f")), `reason="line1 line2     ",id="a b"`},
		{"tab kept in strings", base("a", vStr("reason", "a\tb")), "reason=\"a\tb\",id=\"a\""},
		{"chinese", base("事件-1", vStr("reason", "卡已过期，请到传达室登记")), `reason="卡已过期，请到传达室登记",id="事件-1"`},
		{"vendor code", func() devices.Event { e := base("a"); e.VendorCode = `0x"1b"`; return e }(),
			`id="a",vendor_code="0x\"1b\""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(lineproto.Append(nil, &tc.e))
			if !strings.HasPrefix(got, head) || !strings.Contains(got, tail) || !strings.HasSuffix(got, "\n") {
				t.Fatalf("Append = %q, want %q...%q", got, head, tail)
			}
			fields := strings.TrimPrefix(got, head)
			fields = fields[:strings.LastIndexByte(fields, ' ')]
			if fields != tc.want {
				t.Errorf("fields\n got %s\nwant %s", fields, tc.want)
			}
			if strings.Count(got, "\n") != 1 {
				t.Errorf("raw newline inside the point: %q", got)
			}
			parseOne(t, []byte(got))
		})
	}
}

// TestEscapingTags covers tag values no decoded event carries, so that an
// Event built by hand still yields one valid line.
func TestEscapingTags(t *testing.T) {
	e := event(devices.KindAccess, devices.ChannelEvent, "access.forced", "a")
	e.School, e.Device, e.Region = "a b,c=d", "x\ny\t\\z", ""
	got := string(lineproto.Append(nil, &e))
	want := `access,device=x\ y\ \\z,kind=access,school=a\ b\,c\=d,type=access.forced id="a" `
	if !strings.HasPrefix(got, want) {
		t.Errorf("Append\n got %q\nwant %q...", got, want)
	}
	parseOne(t, []byte(got))
}

func TestNonFiniteFloatLeftOut(t *testing.T) {
	e := event(devices.KindAccess, devices.ChannelEvent, "access.held_open", "a", vNum("duration_s", posInf()))
	got := string(lineproto.Append(nil, &e))
	if strings.Contains(got, "duration_s") {
		t.Errorf("infinite float written: %q", got)
	}
	parseOne(t, []byte(got))
}

func TestUnknownTypeWritesNothing(t *testing.T) {
	e := event(devices.KindAccess, devices.ChannelEvent, "access.teleport", "a")
	if got := lineproto.Append([]byte("x"), &e); string(got) != "x" {
		t.Errorf("Append = %q", got)
	}
}

func TestTimestamp(t *testing.T) {
	a := event(devices.KindAccess, devices.ChannelEvent, "access.forced", "evt-1")
	b := a
	b.Received = b.Received.Add(time.Hour) // a redelivery, received later
	c := a
	c.ID = "evt-2" // another event in the same millisecond
	d := a
	d.TS = d.TS.Add(999 * time.Microsecond) // sub-millisecond part is dropped
	ta, tb, tc, td := lineproto.Timestamp(&a), lineproto.Timestamp(&b), lineproto.Timestamp(&c), lineproto.Timestamp(&d)
	if ta != tb || ta != td {
		t.Errorf("same event, different timestamps: %d %d %d", ta, tb, td)
	}
	if ta == tc {
		t.Errorf("distinct events share timestamp %d", ta)
	}
	for _, n := range []int64{ta, tc} {
		if n/1e6 != ts.UnixMilli() {
			t.Errorf("timestamp %d left its millisecond %d", n, ts.UnixMilli())
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	events := sampleEvents()
	buf := make([]byte, 0, 1024)
	for name, e := range events {
		if n := testing.AllocsPerRun(100, func() { buf = lineproto.Append(buf[:0], &e) }); n != 0 {
			t.Errorf("%s: %v allocs per Append", name, n)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	e := sampleEvents()["access.granted"]
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = lineproto.Append(buf[:0], &e)
	}
	b.SetBytes(int64(len(buf)))
}
