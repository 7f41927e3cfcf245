package ingest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/lineproto"
)

var errDisk = errors.New("write segment: no space left on device")

func TestNewPipelineRequiresOptions(t *testing.T) {
	valid := func() PipelineOptions {
		return PipelineOptions{
			Decoder: decode.New(testRegistry(), decode.Options{}),
			Dedup:   dedup.New(time.Minute, nil),
			Spool:   &fakeAppender{},
			Metrics: NewMetrics(nil),
		}
	}
	for _, tc := range []struct {
		name    string
		edit    func(*PipelineOptions)
		wantErr bool
	}{
		{"all required set, sink and clock optional", func(*PipelineOptions) {}, false},
		{"no decoder", func(o *PipelineOptions) { o.Decoder = nil }, true},
		{"no dedup", func(o *PipelineOptions) { o.Dedup = nil }, true},
		{"no spool", func(o *PipelineOptions) { o.Spool = nil }, true},
		{"no metrics", func(o *PipelineOptions) { o.Metrics = nil }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := valid()
			tc.edit(&o)
			p, err := NewPipeline(context.Background(), o)
			if (err != nil) != tc.wantErr {
				t.Fatalf("NewPipeline: err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && p == nil {
				t.Fatal("NewPipeline returned neither a pipeline nor an error")
			}
		})
	}
}

func TestPipelineAcceptsOnlyOnceDurable(t *testing.T) {
	evt := func(k devices.Kind, dev string) string { return topicOf(k, dev, devices.ChannelEvent) }
	for _, tc := range []struct {
		name        string
		topic       string
		payload     string
		kind        devices.Kind
		id          string
		measurement string
	}{
		{"alarm.panic", evt(devices.KindAlarm, "alarm-01"),
			`{"id":"p-1","ts":"` + tsText + `","type":"alarm.panic","button":"front-desk"}`,
			devices.KindAlarm, "p-1", "alarm"},
		{"access.granted", gateTopic, string(granted("acc-1", -1)), devices.KindAccess, "acc-1", "access"},
		{"guard.checkin", evt(devices.KindGuard, "guard-01"),
			`{"id":"ci-1","ts":"` + tsText + `","type":"guard.checkin","guard":"g-0042","post":"main-gate","role":"police"}`,
			devices.KindGuard, "ci-1", "guard"},
		{"kitchen.violation", evt(devices.KindKitchenCam, "cam-01"),
			`{"id":"kv-1","ts":"` + tsText + `","type":"kitchen.violation","category":"no_hat","confidence":0.91,"snapshot":"s3://snap/kv-1.jpg"}`,
			devices.KindKitchenCam, "kv-1", "kitchen"},
		{"heartbeat without id", topicOf(devices.KindAlarm, "alarm-01", devices.ChannelHeartbeat),
			`{"ts":"` + tsText + `","linked":true,"battery":87}`,
			devices.KindAlarm, "hb-" + strconv.FormatInt(time.Date(2026, 11, 27, 23, 12, 3, 0, time.UTC).UnixMilli(), 10), "heartbeat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spool.hold = true
			m := newMsg(tc.topic, []byte(tc.payload))
			f.p.Handle(m)

			if n := f.spool.Len(); n != 1 {
				t.Fatalf("appended %d records, want 1", n)
			}
			rec := f.spool.Rec(0)
			if !strings.HasPrefix(rec, tc.measurement+",") || !strings.Contains(rec, lineproto.FieldID+`="`+tc.id+`"`) {
				t.Errorf("record %q: want measurement %s and id %s", rec, tc.measurement, tc.id)
			}
			if m.Acks() != 0 {
				t.Fatal("acknowledged before the spool reported the record durable")
			}
			if got := metric(t, f.reg, "campusguard_ingest_accepted_total", "kind", string(tc.kind)); got != 0 {
				t.Errorf("accepted{kind=%s} = %v before durable, want 0", tc.kind, got)
			}
			// An alarm event takes the alarm lane: evaluated before it is
			// stored (TestPipelineAlarmLane); everything else after.
			wantEarly := 0
			if tc.kind == devices.KindAlarm && !strings.HasPrefix(tc.id, "hb-") {
				wantEarly = 1
			}
			if evs := f.sink.Events(); len(evs) != wantEarly {
				t.Fatalf("sink got %d events before durable, want %d", len(evs), wantEarly)
			}

			f.spool.complete(t, 0, nil)

			if m.Acks() != 1 {
				t.Fatalf("acks = %d after done(nil), want 1", m.Acks())
			}
			for _, c := range []struct {
				name   string
				labels []string
				want   float64
			}{
				{"campusguard_ingest_received_total", nil, 1},
				{"campusguard_ingest_accepted_total", []string{"kind", string(tc.kind)}, 1},
				{"campusguard_ingest_lag_seconds", nil, 1},
				{"campusguard_ingest_duplicates_total", nil, 0},
				{"campusguard_ingest_spool_errors_total", nil, 0},
			} {
				if got := metric(t, f.reg, c.name, c.labels...); got != c.want {
					t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
				}
			}
			for _, k := range devices.Kinds {
				if k == tc.kind {
					continue
				}
				if got := metric(t, f.reg, "campusguard_ingest_accepted_total", "kind", string(k)); got != 0 {
					t.Errorf("accepted{kind=%s} = %v, want 0", k, got)
				}
			}
			evs := f.sink.Events()
			if len(evs) != 1 || evs[0].ID != tc.id || evs[0].Kind != tc.kind || evs[0].School != school {
				t.Fatalf("sink got %+v, want one %s event %s of %s", evs, tc.kind, tc.id, school)
			}
			if lines := f.log.Lines(); len(lines) != 0 {
				t.Errorf("a good message logged: %q", lines)
			}
		})
	}
}

func TestPipelineRejects(t *testing.T) {
	payload := func(typ, fields string) string {
		return `{"id":"r-1","ts":"` + tsText + `","type":"` + typ + `"` + fields + `}`
	}
	grantedFields := `,"direction":"in","method":"face","person":"p-1","role":"student"`
	for _, tc := range []struct {
		name    string
		topic   string
		payload string
		reason  decode.Reason
	}{
		{"bad topic", "campus/130802/" + school + "/access/gate-01", string(granted("r-1", -1)), decode.ReasonBadTopic},
		{"bad channel", strings.TrimSuffix(gateTopic, "event") + "telemetry", string(granted("r-1", -1)), decode.ReasonBadChannel},
		{"unknown device", topicOf(devices.KindAccess, "gate-99", devices.ChannelEvent), string(granted("r-1", -1)), decode.ReasonUnknownDevice},
		{"device speaks for another school", "campus/" + region2 + "/" + school2 + "/access/gate-01/event",
			string(granted("r-1", -1)), decode.ReasonTopicMismatch},
		{"oversize", gateTopic, `{"id":"r-1","pad":"` + strings.Repeat("x", 17<<10) + `"}`, decode.ReasonOversize},
		{"bad utf-8", gateTopic, "{\"id\":\"\xff\"}", decode.ReasonBadUTF8},
		{"bad json", gateTopic, `{"id":"r-1",`, decode.ReasonBadJSON},
		{"missing id", gateTopic, `{"ts":"` + tsText + `","type":"access.forced"}`, decode.ReasonMissingID},
		{"unknown type", gateTopic, payload("access.teleport", ""), decode.ReasonUnknownType},
		{"wrong kind", gateTopic, payload("alarm.panic", ""), decode.ReasonWrongKind},
		{"missing field", gateTopic, payload("access.granted", `,"direction":"in"`), decode.ReasonMissingField},
		{"bad field value", gateTopic, payload("access.granted", strings.Replace(grantedFields, `"in"`, `"sideways"`, 1)), decode.ReasonBadFieldValue},
		{"ts in the future", gateTopic, strings.Replace(payload("access.granted", grantedFields), tsText, "2026-11-28T09:00:00+08:00", 1), decode.ReasonTSFuture},
		{"unknown post", topicOf(devices.KindGuard, "guard-01", devices.ChannelEvent),
			`{"id":"ci-1","ts":"` + tsText + `","type":"guard.checkin","guard":"g-1","post":"roof","role":"guard"}`, decode.ReasonUnknownPost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spool.hold = true
			m := newMsg(tc.topic, []byte(tc.payload))
			f.p.Handle(m)

			if m.Acks() != 1 {
				t.Errorf("acks = %d, want 1 at once: a rejected message never becomes valid", m.Acks())
			}
			if n := f.spool.Len(); n != 0 {
				t.Errorf("appended %d records of a rejected message", n)
			}
			if got := metric(t, f.reg, "campusguard_ingest_rejected_total", "reason", string(tc.reason)); got != 1 {
				t.Errorf("rejected{reason=%s} = %v, want 1", tc.reason, got)
			}
			var total float64
			for _, r := range decode.AllReasons {
				total += metric(t, f.reg, "campusguard_ingest_rejected_total", "reason", string(r))
			}
			if total != 1 {
				t.Errorf("rejected total over all reasons = %v, want 1", total)
			}
			if got := metric(t, f.reg, "campusguard_ingest_received_total"); got != 1 {
				t.Errorf("received = %v, want 1", got)
			}
			if evs := f.sink.Events(); len(evs) != 0 {
				t.Errorf("sink got %d events of a rejected message", len(evs))
			}
			if lines := f.log.Lines(`"reason":"`+string(tc.reason)+`"`, "message rejected"); len(lines) != 1 {
				t.Errorf("want one warning with the reason, log is %q", f.log.Lines())
			}
		})
	}
}

func TestPipelineDuplicates(t *testing.T) {
	for _, tc := range []struct {
		name string
		// second is the message that follows the original granted("dup-1")
		// on gate-01 once the original is durable and time has advanced.
		second  *fakeMsg
		advance time.Duration
		wantDup bool
	}{
		{"broker redelivery of the same message", newMsg(gateTopic, granted("dup-1", -1)).redelivery(), 0, true},
		{"device resends the id in a new message", newMsg(gateTopic, granted("dup-1", -1)), 0, true},
		{"same id within the window", newMsg(gateTopic, granted("dup-1", -1)), dedupWindow - time.Second, true},
		{"same id from another device", newMsg(topicOf(devices.KindAccess, "gate-02", devices.ChannelEvent), granted("dup-1", -1)), 0, false},
		{"another id from the same device", newMsg(gateTopic, granted("dup-2", -1)), 0, false},
		{"same id after two windows", newMsg(gateTopic, granted("dup-1", -1)), 2 * dedupWindow, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			first := newMsg(gateTopic, granted("dup-1", -1))
			f.p.Handle(first)
			if first.Acks() != 1 || f.spool.Len() != 1 {
				t.Fatalf("original: acks %d, appended %d; want 1, 1", first.Acks(), f.spool.Len())
			}
			f.clock.Advance(tc.advance)
			f.p.Handle(tc.second)

			if tc.second.Acks() != 1 {
				t.Errorf("second message acks = %d, want 1", tc.second.Acks())
			}
			wantAppended, wantDups := 2, 0.0
			if tc.wantDup {
				wantAppended, wantDups = 1, 1
			}
			if n := f.spool.Len(); n != wantAppended {
				t.Errorf("appended %d records, want %d", n, wantAppended)
			}
			if got := metric(t, f.reg, "campusguard_ingest_duplicates_total"); got != wantDups {
				t.Errorf("duplicates = %v, want %v", got, wantDups)
			}
			if got := metric(t, f.reg, "campusguard_ingest_accepted_total", "kind", "access"); got != float64(wantAppended) {
				t.Errorf("accepted{kind=access} = %v, want %v", got, wantAppended)
			}
			if n := len(f.sink.Events()); n != wantAppended {
				t.Errorf("sink got %d events, want %d", n, wantAppended)
			}
		})
	}
}

// TestPipelineRedeliveryWhileInFlight covers a broker redelivery (after a
// reconnect) of a message whose append has not finished: acknowledging it
// at once would release the broker's copy, and if the append then failed
// the event would be lost. It must share the original's outcome, including
// the retries of a failed append.
func TestPipelineRedeliveryWhileInFlight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome error
	}{
		{"original becomes durable: both acknowledged", nil},
		{"original fails, retry succeeds: all acknowledged once", errDisk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spool.hold = true
			orig := newMsg(gateTopic, granted("fl-1", -1))
			f.p.Handle(orig)
			again := orig.redelivery()
			f.p.Handle(again)

			if n := f.spool.Len(); n != 1 {
				t.Fatalf("appended %d records, want 1", n)
			}
			if got := metric(t, f.reg, "campusguard_ingest_duplicates_total"); got != 1 {
				t.Errorf("duplicates = %v, want 1", got)
			}
			if again.Acks() != 0 {
				t.Fatal("redelivery acknowledged while the original was not yet durable")
			}
			f.spool.complete(t, 0, tc.outcome)
			if tc.outcome != nil {
				if orig.Acks() != 0 || again.Acks() != 0 {
					t.Fatalf("acknowledged after a failed append: original %d, redelivery %d", orig.Acks(), again.Acks())
				}
				// Another redelivery while the retry is pending waits too.
				third := orig.redelivery()
				f.p.Handle(third)
				if n := f.spool.Len(); n != 1 {
					t.Fatalf("appended %d records while a retry is pending, want 1", n)
				}
				if n := f.runRetries(); n != 1 {
					t.Fatalf("%d retries scheduled, want 1", n)
				}
				f.spool.complete(t, 1, nil)
				if third.Acks() != 1 {
					t.Fatalf("third delivery acks %d, want 1", third.Acks())
				}
			}
			if orig.Acks() != 1 || again.Acks() != 1 {
				t.Fatalf("acks: original %d, redelivery %d; want 1 each", orig.Acks(), again.Acks())
			}
			if evs := f.sink.Events(); len(evs) != 1 {
				t.Fatalf("sink got %d events, want 1", len(evs))
			}
		})
	}
}

// TestPipelineSpoolFailure: a failed append is neither acknowledged nor
// dropped; the pipeline retries it until the spool works again.
func TestPipelineSpoolFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		hold bool // done(err) later from the committer, or at once from Append
	}{
		{"append fails later", true},
		{"append rejected at once", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.spool.hold = tc.hold
			f.spool.err = errDisk
			m := newMsg(gateTopic, granted("sf-1", 7))
			f.p.Handle(m)
			if tc.hold {
				f.spool.complete(t, 0, errDisk)
			}

			if m.Acks() != 0 {
				t.Fatal("a message the spool failed to store was acknowledged")
			}
			if got := metric(t, f.reg, "campusguard_ingest_spool_errors_total"); got != 1 {
				t.Errorf("spool_errors = %v, want 1", got)
			}
			if got := metric(t, f.reg, "campusguard_ingest_accepted_total", "kind", "access"); got != 0 {
				t.Errorf("accepted = %v, want 0", got)
			}
			if n := len(f.sink.Events()); n != 0 {
				t.Errorf("sink got %d events of a failed append", n)
			}
			if lines := f.log.Lines("spool append failed", "no space left", gateTopic); len(lines) != 1 {
				t.Errorf("want one error line for the failure, log is %q", f.log.Lines())
			}

			// The disk recovers; the scheduled retry stores the message.
			f.spool.hold, f.spool.err = false, nil
			if n := f.runRetries(); n != 1 {
				t.Fatalf("%d retries scheduled, want 1", n)
			}
			if n := f.spool.Len(); n != 2 {
				t.Fatalf("appended %d records, want 2 (the failure and the retry)", n)
			}
			if m.Acks() != 1 {
				t.Errorf("acks after the retry = %d, want 1", m.Acks())
			}
			if got := metric(t, f.reg, "campusguard_ingest_seq_gaps_total"); got != 0 {
				t.Errorf("seq gaps = %v, want 0", got)
			}
			evs := f.sink.Events()
			if len(evs) != 1 || evs[0].ID != "sf-1" {
				t.Fatalf("sink got %+v, want sf-1 once", evs)
			}
		})
	}
}

// TestPipelineSpoolFailureAtShutdown: when the pipeline stops while an
// append fails, the message stays unacknowledged and its id is forgotten,
// so the broker's redelivery to the next run is stored.
func TestPipelineSpoolFailureAtShutdown(t *testing.T) {
	f := newFixture(t)
	f.spool.hold = true
	m := newMsg(gateTopic, granted("sd-1", -1))
	f.p.Handle(m)
	f.cancel()
	f.spool.complete(t, 0, context.Canceled)
	if n := f.runRetries(); n != 0 {
		t.Fatalf("%d retries scheduled after shutdown, want 0", n)
	}
	if m.Acks() != 0 {
		t.Fatal("acknowledged a message the spool never stored")
	}
	f.spool.hold = false
	again := m.redelivery()
	f.p.Handle(again)
	if n := f.spool.Len(); n != 2 {
		t.Fatalf("appended %d records, want 2: the redelivery must be stored (Forget)", n)
	}
}

func TestPipelineSeqGaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		seqs []int
		want float64
	}{
		{"consecutive", []int{1, 2, 3, 4}, 0},
		{"one jump", []int{1, 4}, 2},
		{"two jumps", []int{1, 3, 6}, 3},
		{"counter reset is not a gap", []int{500, 1, 2}, 0},
		{"repeated seq is not a gap", []int{5, 5, 6}, 0},
		{"first seq is not a gap", []int{1000}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for i, seq := range tc.seqs {
				f.p.Handle(newMsg(gateTopic, granted("sq-"+strconv.Itoa(i), seq)))
			}
			if got := metric(t, f.reg, "campusguard_ingest_seq_gaps_total"); got != tc.want {
				t.Errorf("seq gaps = %v, want %v", got, tc.want)
			}
			if n := f.spool.Len(); n != len(tc.seqs) {
				t.Errorf("appended %d, want %d: gaps never drop messages", n, len(tc.seqs))
			}
		})
	}
}

func TestPipelineSeqGapsArePerDevice(t *testing.T) {
	f := newFixture(t)
	gate2 := topicOf(devices.KindAccess, "gate-02", devices.ChannelEvent)
	for i, m := range []*fakeMsg{
		newMsg(gateTopic, granted("a-1", 1)),
		newMsg(gate2, granted("b-1", 10)),
		newMsg(gateTopic, granted("a-2", 2)),
		newMsg(gate2, granted("b-2", 11)),
	} {
		f.p.Handle(m)
		if m.Acks() != 1 {
			t.Fatalf("message %d not acknowledged", i)
		}
	}
	if got := metric(t, f.reg, "campusguard_ingest_seq_gaps_total"); got != 0 {
		t.Errorf("seq gaps = %v, want 0: interleaved devices each count on their own", got)
	}
}

// TestPipelineFloodIsRateLimited sends 1,000 bad messages with 100 good
// ones among them: the log gets at most the limit's lines per second and
// every good message is still stored.
func TestPipelineFloodIsRateLimited(t *testing.T) {
	const bad, every = 1000, 10
	f := newFixture(t)
	var good []*fakeMsg
	for i := range bad {
		f.p.Handle(newMsg(gateTopic, []byte(`{"id":"junk-`+strconv.Itoa(i)+`"`)))
		if i%every == 0 {
			m := newMsg(gateTopic, granted("ok-"+strconv.Itoa(i), -1))
			good = append(good, m)
			f.p.Handle(m)
		}
	}

	const limit = 10 // newRateLimiter(10, time.Second, ...) in NewPipeline
	if n := len(f.log.Lines()); n > limit || n == 0 {
		t.Errorf("logged %d lines for a flood of %d bad messages in one second, want 1..%d", n, bad, limit)
	}
	if got := metric(t, f.reg, "campusguard_ingest_rejected_total", "reason", string(decode.ReasonBadJSON)); got != bad {
		t.Errorf("rejected{bad_json} = %v, want %d: every rejection is counted even when not logged", got, bad)
	}
	if n := f.spool.Len(); n != len(good) {
		t.Errorf("appended %d, want all %d good messages", n, len(good))
	}
	for _, m := range good {
		if m.Acks() != 1 {
			t.Fatalf("good message %s acks = %d, want 1", m, m.Acks())
		}
	}
	if got := metric(t, f.reg, "campusguard_ingest_accepted_total", "kind", "access"); got != float64(len(good)) {
		t.Errorf("accepted = %v, want %d", got, len(good))
	}

	// A second later the limiter lets lines through again.
	before := len(f.log.Lines())
	f.clock.Advance(time.Second)
	f.p.Handle(newMsg(gateTopic, []byte(`{`)))
	if n := len(f.log.Lines()); n != before+1 {
		t.Errorf("after a second: %d lines, want %d", n, before+1)
	}
}

// TestPipelineMetricsPrecreated checks that dashboards see zeros for every
// kind and reason before the first message.
func TestPipelineMetricsPrecreated(t *testing.T) {
	reg := prometheus.NewRegistry()
	NewMetrics(reg)
	for _, k := range devices.Kinds {
		if got := metric(t, reg, "campusguard_ingest_accepted_total", "kind", string(k)); got != 0 {
			t.Errorf("accepted{kind=%s} = %v", k, got)
		}
	}
	for _, r := range decode.AllReasons {
		if got := metric(t, reg, "campusguard_ingest_rejected_total", "reason", string(r)); got != 0 {
			t.Errorf("rejected{reason=%s} = %v", r, got)
		}
	}
}

// TestPipelineRetainedReplay: a retained status the broker replays on
// subscription is acknowledged and passed on as state, never stored.
func TestPipelineRetainedReplay(t *testing.T) {
	f := newFixture(t)
	topic := strings.Replace(gateTopic, "/event", "/status", 1)
	m := newMsg(topic, []byte("offline"))
	m.retained = true
	f.p.Handle(m)
	if m.Acks() != 1 {
		t.Fatalf("retained replay acks = %d, want 1", m.Acks())
	}
	if n := f.spool.Len(); n != 0 {
		t.Fatalf("retained replay appended %d records, want 0", n)
	}
	evs := f.sink.Events()
	if len(evs) != 1 || !evs[0].Retained || evs[0].Str("status") != "offline" {
		t.Fatalf("sink got %+v, want one retained offline status", evs)
	}
	if got := metric(t, f.reg, "campusguard_ingest_retained_replays_total"); got != 1 {
		t.Errorf("retained_replays = %v, want 1", got)
	}
	// A bad retained message is still rejected with its reason.
	bad := newMsg(topic, []byte("maybe"))
	bad.retained = true
	f.p.Handle(bad)
	if got := metric(t, f.reg, "campusguard_ingest_rejected_total", "reason", "bad_status"); got != 1 {
		t.Errorf("rejected{bad_status} = %v, want 1", got)
	}
}
