package ingest

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
)

// TestPipelineHeartbeatsNotRemembered: a redelivered heartbeat is stored
// and acknowledged again rather than counted as a duplicate (dedup keeps
// real events only, see remembered), while an event is still deduped.
func TestPipelineHeartbeatsNotRemembered(t *testing.T) {
	f := newFixture(t)
	hb := newMsg(alarmHeartbeat, []byte(`{"ts":"`+tsText+`","linked":true,"battery":87}`))
	f.p.Handle(hb)
	f.p.Handle(hb.redelivery())
	ev := newMsg(gateTopic, granted("hb-ev-1", -1))
	f.p.Handle(ev)
	f.p.Handle(ev.redelivery())

	if n := f.spool.Len(); n != 3 {
		t.Fatalf("appended %d records, want 3 (both heartbeats, the event once)", n)
	}
	if f.spool.Rec(0) != f.spool.Rec(1) {
		t.Errorf("the redelivered heartbeat's record differs:\n%s%s", f.spool.Rec(0), f.spool.Rec(1))
	}
	if got := metric(t, f.reg, "campusguard_ingest_duplicates_total"); got != 1 {
		t.Errorf("duplicates = %v, want 1 (the event's redelivery)", got)
	}
	if hb.Acks() != 1 || ev.Acks() != 1 {
		t.Errorf("acks: heartbeat %d, event %d, want 1 each", hb.Acks(), ev.Acks())
	}
	if s := f.p.o.Dedup.Stats(); s.Entries != 1 {
		t.Errorf("dedup remembers %d pairs, want 1 (the event's)", s.Entries)
	}
}

// TestPipelineRetryAfterReuse: a failed append is retried with its own
// record although later messages were encoded (in recycled buffers)
// meanwhile, and the sink's events keep their values (the Event memory is
// reused, the Values it refers to are not).
func TestPipelineRetryAfterReuse(t *testing.T) {
	f := newFixture(t)
	f.spool.hold, f.spool.err = true, errDisk
	first := newMsg(gateTopic, granted("ru-0", 1))
	f.p.Handle(first)
	f.spool.complete(t, 0, errDisk)
	want := f.spool.Rec(0)

	f.spool.hold, f.spool.err = false, nil
	for i := 1; i <= 5; i++ {
		f.p.Handle(newMsg(gateTopic, granted("ru-"+strconv.Itoa(i), i+1)))
	}
	if n := f.runRetries(); n != 1 {
		t.Fatalf("%d retries, want 1", n)
	}
	if got := f.spool.Rec(f.spool.Len() - 1); got != want {
		t.Errorf("retried record\n%s want\n%s", got, want)
	}
	if first.Acks() != 1 {
		t.Errorf("first acked %d times, want 1", first.Acks())
	}
	evs := f.sink.Events()
	if len(evs) != 6 {
		t.Fatalf("sink got %d events, want 6", len(evs))
	}
	for _, ev := range evs {
		if ev.Str("person") != "p-7f3a9c" || ev.Str("direction") != "in" || len(ev.Values) != 4 {
			t.Errorf("event %s values %+v changed after it was handed on", ev.ID, ev.Values)
		}
	}
}

// swapRegistry is a registry that a test reloads (as cmd/campusguard does).
type swapRegistry struct {
	p atomic.Pointer[devices.Registry]
}

func (s *swapRegistry) Device(id string) (*devices.Device, bool) { return s.p.Load().Device(id) }

// TestPipelineSeqGapsAcrossReload: a reload that renumbers the devices
// keeps each device's sequence (dedup keeps numbers by device index).
func TestPipelineSeqGapsAcrossReload(t *testing.T) {
	clock := newFakeClock()
	live := &swapRegistry{}
	live.p.Store(testRegistry())
	reg := prometheus.NewRegistry()
	tr := dedup.New(dedupWindow, clock.Now)
	tr.UseRegistry(live.p.Load)
	p, err := NewPipeline(context.Background(), PipelineOptions{
		Decoder: decode.New(live, decode.Options{Now: clock.Now}),
		Dedup:   tr,
		Spool:   &fakeAppender{},
		Now:     clock.Now,
		Logger:  zerolog.Nop(),
		Metrics: NewMetrics(reg),
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Handle(newMsg(gateTopic, granted("rl-1", 10)))
	gate2 := topicOf(devices.KindAccess, "gate-02", devices.ChannelEvent)
	p.Handle(newMsg(gate2, granted("rl-2", 50)))

	// The new registry lists the school's devices in reverse order.
	next := testRegistry()
	ds := next.Schools[0].Devices
	for i, j := 0, len(ds)-1; i < j; i, j = i+1, j-1 {
		ds[i], ds[j] = ds[j], ds[i]
	}
	next.Index()
	oldGate, _ := live.p.Load().Device("gate-01")
	newGate, _ := next.Device("gate-01")
	if oldGate.Index() == newGate.Index() {
		t.Fatal("the reload did not renumber gate-01")
	}
	live.p.Store(next)

	p.Handle(newMsg(gateTopic, granted("rl-3", 12)))
	p.Handle(newMsg(gate2, granted("rl-4", 51)))
	if got := metric(t, reg, "campusguard_ingest_seq_gaps_total"); got != 1 {
		t.Errorf("seq gaps = %v, want 1 (gate-01's 11)", got)
	}
}

// handleAllocs is how many allocations one unique access.granted message
// costs through Handle with a spool that is durable at once. The decoder
// makes them all (the event's strings and its Values); see
// docs/performance.md.
const handleAllocs = 2

// TestPipelineHandleAllocs guards the per-message allocations.
func TestPipelineHandleAllocs(t *testing.T) {
	p, err := NewPipeline(context.Background(), PipelineOptions{
		Decoder: decode.New(testRegistry(), decode.Options{}),
		Dedup:   dedup.New(dedupWindow, time.Now),
		Spool:   immediateAppender{},
		Sink:    &countSink{},
		Logger:  zerolog.Nop(),
		Metrics: NewMetrics(prometheus.NewRegistry()),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := newBenchMsg(time.Now())
	m.want = -1
	n := 0
	handle := func() {
		m.set(n)
		n++
		p.Handle(m)
	}
	for range 100 { // warm the flight pool, the maps and the metrics
		handle()
	}
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	if got := testing.AllocsPerRun(1000, handle); got > handleAllocs {
		t.Errorf("Handle allocates %v times per message, want at most %d", got, handleAllocs)
	}
	if got := m.acked.Load(); got != int64(n) {
		t.Fatalf("acked %d of %d", got, n)
	}
}

// countSink counts events and checks each is whole when it arrives.
type countSink struct{ n atomic.Int64 }

func (s *countSink) Accept(ev *devices.Event) {
	if ev.ID == "" || ev.Dev == nil {
		panic("sink got an empty event")
	}
	s.n.Add(1)
}
