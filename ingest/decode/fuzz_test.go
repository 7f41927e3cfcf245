package decode_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	protocol "github.com/influxdata/line-protocol"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/lineproto"
)

var writeCorpus = flag.Bool("write-corpus", false, "rewrite testdata/fuzz/FuzzDecode from the good and bad tables")

const corpusDir = "testdata/fuzz/FuzzDecode"

// FuzzDecode checks that Decode never panics, returns either an event or a
// *RejectError with a listed reason, agrees with encoding/json on every
// value it accepts, and yields events that lineproto encodes into one valid
// point.
func FuzzDecode(f *testing.F) {
	d := newDecoder()
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		e, err := d.Decode(topic, payload, received)
		if err != nil {
			var re *decode.RejectError
			if !errors.As(err, &re) {
				t.Fatalf("error is not a *RejectError: %T %v", err, err)
			}
			if !slices.Contains(decode.AllReasons, re.Reason) || re.Reason == decode.ReasonOther {
				t.Fatalf("reason %q not listed", re.Reason)
			}
			if !reflect.DeepEqual(e, devices.Event{}) {
				t.Fatalf("rejection returned an event: %+v", e)
			}
			return
		}
		checkEvent(t, &e, payload)
		line := lineproto.Append(nil, &e)
		if len(line) == 0 || bytes.IndexByte(line, '\n') != len(line)-1 {
			t.Fatalf("lineproto: not one line: %q", line)
		}
		ms, perr := protocol.NewParser(protocol.NewMetricHandler()).Parse(line)
		if perr != nil || len(ms) != 1 {
			t.Fatalf("lineproto: %q does not parse: %v", line, perr)
		}
		if ms[0].Name() != e.Spec().Measurement || ms[0].Time().UnixNano() != lineproto.Timestamp(&e) {
			t.Fatalf("lineproto: %q parses to %s at %d", line, ms[0].Name(), ms[0].Time().UnixNano())
		}
	})
}

// checkEvent asserts what holds for every accepted event, and compares the
// values with what encoding/json reads from the same payload.
func checkEvent(t *testing.T, e *devices.Event, payload []byte) {
	t.Helper()
	spec := e.Spec()
	if spec == nil || e.ID == "" || len(e.ID) > devices.MaxIDLen || e.Region == "" || e.Device == "" {
		t.Fatalf("incomplete event %+v", e)
	}
	if e.TS.After(testNow.Add(decode.DefaultOptions.MaxFuture)) || e.TS.Before(testNow.Add(-decode.DefaultOptions.MaxAge)) {
		t.Fatalf("ts %s outside the window", e.TS)
	}
	if !e.DeviceTS.IsZero() {
		// Only an alarm terminal's skewed clock is replaced, by the receive time.
		inWindow := !e.DeviceTS.After(testNow.Add(decode.DefaultOptions.MaxFuture)) &&
			!e.DeviceTS.Before(testNow.Add(-decode.DefaultOptions.MaxAge))
		if e.Kind != devices.KindAlarm || !e.TS.Equal(received) || inWindow {
			t.Fatalf("device time %s replaced by %s for a %s message", e.DeviceTS, e.TS, e.Kind)
		}
	}
	next := 0
	for _, v := range e.Values {
		i := slices.IndexFunc(spec.Fields, func(f devices.FieldSpec) bool { return f.Name == v.Name })
		if i < next || spec.Fields[i].Type != v.Type {
			t.Fatalf("value %+v out of vocabulary order or type", v)
		}
		next = i + 1
	}
	body := bytes.TrimSpace(payload)
	if len(body) == 0 || body[0] != '{' {
		return // plain status
	}
	if !json.Valid(body) {
		t.Fatalf("accepted invalid JSON %q", body)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	if id, ok := m["id"].(string); ok && id != e.ID {
		t.Fatalf("id %q, encoding/json says %q", e.ID, id)
	}
	if typ, ok := m["type"].(string); ok && e.Channel == devices.ChannelEvent && typ != e.Type {
		t.Fatalf("type %q, encoding/json says %q", e.Type, typ)
	}
	for _, v := range e.Values {
		var same bool
		switch j := m[v.Name].(type) {
		case string:
			same = j == v.Str
		case bool:
			same = j == v.Bool
		case json.Number:
			if v.Type == devices.TypeInt {
				n, err := strconv.ParseInt(string(j), 10, 64)
				same = err == nil && n == v.Int
			} else {
				n, err := strconv.ParseFloat(string(j), 64)
				same = err == nil && n == v.Num
			}
		}
		// alarm.test without a mode gets one from its vendor_code or the
		// default (decode's testMode): a value the payload lacks.
		derived := e.Type == "alarm.test" && v.Name == "mode" && m["mode"] == nil
		if derived {
			want := devices.TestManual
			if mode, ok := devices.ContactIDTestMode(e.VendorCode); ok {
				want = mode
			}
			same = v.Str == want
		}
		if !same && !(e.Channel == devices.ChannelStatus && v.Name == "status") {
			t.Fatalf("value %+v, encoding/json says %#v", v, m[v.Name])
		}
	}
}

// TestSeedCorpus keeps the committed corpus present; go test
// -run TestSeedCorpus -write-corpus regenerates it from the tables.
func TestSeedCorpus(t *testing.T) {
	if *writeCorpus {
		if err := os.MkdirAll(corpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		unsafe := regexp.MustCompile(`[^a-z0-9]+`)
		write := func(prefix, name, topic, payload string) {
			if len(payload) > 4<<10 {
				return // keep the corpus small; the fuzzer grows payloads itself
			}
			file := filepath.Join(corpusDir, prefix+"-"+unsafe.ReplaceAllString(name, "-"))
			data := fmt.Sprintf("go test fuzz v1\nstring(%q)\n[]byte(%q)\n", topic, payload)
			if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range goodCases() {
			write("good", tc.name, tc.topic, tc.payload)
		}
		for _, tc := range badCases() {
			write("bad", tc.name, tc.topic, tc.payload)
		}
	}
	files, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("seed corpus has %d files (%v); run go test -run TestSeedCorpus -write-corpus", len(files), err)
	}
}
