package ingest

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
)

// The fixture world: one primary school in 130802 with a device of every
// kind, and a middle school in 130803 whose gate must not speak for it.
const (
	region  = "130802"
	school  = "sq-no1-primary"
	region2 = "130803"
	school2 = "sq-no2-middle"
)

// testNow is where every fake clock starts: 07:15 Beijing time, three
// minutes after tsText.
var testNow = time.Date(2026, 11, 28, 7, 15, 0, 0, time.FixedZone("CST", 8*3600))

const tsText = "2026-11-28T07:12:03+08:00"

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
					{ID: "gate-02", Kind: devices.KindAccess, Gate: "south"},
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

// topicOf returns the topic of a device of the fixture school.
func topicOf(kind devices.Kind, device string, ch devices.Channel) string {
	return "campus/" + region + "/" + school + "/" + string(kind) + "/" + device + "/" + string(ch)
}

// gateTopic is the event topic of the fixture school's north gate.
var gateTopic = topicOf(devices.KindAccess, "gate-01", devices.ChannelEvent)

// granted returns an access.granted payload with the given id, and a seq
// member when seq >= 0.
func granted(id string, seq int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"id":"` + id + `","ts":"` + tsText + `","type":"access.granted",`)
	if seq >= 0 {
		b.WriteString(`"seq":`)
		b.WriteString(strconv.Itoa(seq))
		b.WriteString(",")
	}
	b.WriteString(`"direction":"in","method":"face","person":"p-7f3a9c","role":"student"}`)
	return b.Bytes()
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: testNow} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeMsg is an mqtt.Message that counts its acknowledgements.
type fakeMsg struct {
	topic    string
	payload  []byte
	dup      bool
	retained bool
	acks     atomic.Int32
}

func newMsg(topic string, payload []byte) *fakeMsg { return &fakeMsg{topic: topic, payload: payload} }

func (m *fakeMsg) Topic() string   { return m.topic }
func (m *fakeMsg) Payload() []byte { return m.payload }
func (m *fakeMsg) Retained() bool  { return m.retained }
func (m *fakeMsg) Duplicate() bool { return m.dup }
func (m *fakeMsg) Ack()            { m.acks.Add(1) }
func (m *fakeMsg) Acks() int       { return int(m.acks.Load()) }
func (m *fakeMsg) String() string  { return m.topic + " " + string(m.payload) }
func (m *fakeMsg) redelivery() *fakeMsg {
	return &fakeMsg{topic: m.topic, payload: m.payload, dup: true}
}

// fakeAppender is an Appender that records what it gets. By default it
// reports every record durable before Append returns; with hold set it
// keeps the done funcs for the test to call (complete), and with err set it
// fails every record at once.
type fakeAppender struct {
	mu    sync.Mutex
	hold  bool
	err   error
	recs  [][]byte
	dones []func(error)
}

func (a *fakeAppender) Append(_ context.Context, rec []byte, done func(error)) {
	a.mu.Lock()
	a.recs = append(a.recs, bytes.Clone(rec))
	hold, err := a.hold, a.err
	if hold {
		a.dones = append(a.dones, done)
	}
	a.mu.Unlock()
	if !hold {
		done(err)
	}
}

// Len returns how many records were appended.
func (a *fakeAppender) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.recs)
}

// Rec returns the i-th appended record.
func (a *fakeAppender) Rec(i int) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return string(a.recs[i])
}

// complete reports the outcome of the i-th held record.
func (a *fakeAppender) complete(t *testing.T, i int, err error) {
	t.Helper()
	a.mu.Lock()
	if i >= len(a.dones) || a.dones[i] == nil {
		a.mu.Unlock()
		t.Fatalf("no held append #%d (have %d)", i, len(a.dones))
	}
	done := a.dones[i]
	a.dones[i] = nil
	a.mu.Unlock()
	done(err)
}

// fakeSink records the events it accepts.
type fakeSink struct {
	mu  sync.Mutex
	evs []devices.Event
}

func (s *fakeSink) Accept(ev *devices.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, *ev)
}

func (s *fakeSink) Events() []devices.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]devices.Event(nil), s.evs...)
}

// lineWriter is a concurrency-safe log sink that keeps each line.
type lineWriter struct {
	mu    sync.Mutex
	lines []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Lines returns the logged lines that contain every one of substrs.
func (w *lineWriter) Lines(substrs ...string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
next:
	for _, l := range w.lines {
		for _, s := range substrs {
			if !strings.Contains(l, s) {
				continue next
			}
		}
		out = append(out, l)
	}
	return out
}

// fixture is a Pipeline wired to fakes, a real decoder and a real dedup
// tracker, all on one fake clock.
type fixture struct {
	p     *Pipeline
	clock *fakeClock
	spool *fakeAppender
	sink  *fakeSink
	reg   *prometheus.Registry
	log   *lineWriter

	cancel  context.CancelFunc
	retryMu sync.Mutex
	retries []func() // scheduled spool-append retries, run by the test
}

// runRetries runs the retries scheduled so far and reports how many.
func (f *fixture) runRetries() int {
	f.retryMu.Lock()
	rs := f.retries
	f.retries = nil
	f.retryMu.Unlock()
	for _, r := range rs {
		r()
	}
	return len(rs)
}

const dedupWindow = 10 * time.Minute

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		clock: newFakeClock(),
		spool: &fakeAppender{},
		sink:  &fakeSink{},
		reg:   prometheus.NewRegistry(),
		log:   &lineWriter{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	f.cancel = cancel
	p, err := NewPipeline(ctx, PipelineOptions{
		ScheduleRetry: func(_ int, retry func()) {
			f.retryMu.Lock()
			defer f.retryMu.Unlock()
			f.retries = append(f.retries, retry)
		},
		Decoder: decode.New(testRegistry(), decode.Options{Now: f.clock.Now}),
		Dedup:   dedup.New(dedupWindow, f.clock.Now),
		Spool:   f.spool,
		Sink:    f.sink,
		Now:     f.clock.Now,
		Logger:  zerolog.New(f.log),
		Metrics: NewMetrics(f.reg),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	return f
}

// metric returns the value of the counter (or the sample count of the
// histogram) name whose labels include labelPairs ("k", "v", ...); it fails
// the test when there is no such series.
func metric(t testing.TB, reg *prometheus.Registry, name string, labelPairs ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labelPairs); i += 2 {
				if !hasLabel(m, labelPairs[i], labelPairs[i+1]) {
					continue series
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
		t.Fatalf("metric %s has no series %v", name, labelPairs)
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
