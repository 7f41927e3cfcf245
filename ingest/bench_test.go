package ingest

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/dedup"
	"github.com/campusguard/campusguard/ingest/spool"
)

// benchMsg is one reusable message whose id and seq are rewritten in place
// before each Handle, so the benchmark allocates nothing of its own. The
// pipeline reads the payload only inside Handle; Ack may come later, from
// the spool's committer, and only counts.
type benchMsg struct {
	topic   string
	payload []byte
	idAt    int // offset of the 12 id digits
	seqAt   int // offset of the 12 seq digits
	acked   atomic.Int64
	want    int64
	all     chan struct{} // closed when acked reaches want
}

const benchDigits = 12

// newBenchMsg returns a realistic access.granted message stamped now.
func newBenchMsg(now time.Time) *benchMsg {
	const idPrefix, seqPrefix = `{"id":"acc-`, `","ts":"`
	head := idPrefix + "000000000000" + seqPrefix + now.Format(time.RFC3339) + `","type":"access.granted","seq":`
	p := []byte(head + "100000000000" +
		`,"direction":"in","method":"face","person":"p-7f3a9c","role":"student","vendor_code":"0x20"}`)
	return &benchMsg{
		topic:   gateTopic,
		payload: p,
		idAt:    len(idPrefix),
		seqAt:   len(head),
	}
}

// set writes n into the id and seq digits.
func (m *benchMsg) set(n int) {
	putDigits(m.payload[m.idAt:m.idAt+benchDigits], n)
	putDigits(m.payload[m.seqAt+1:m.seqAt+benchDigits], n) // keep the leading 1
}

func putDigits(dst []byte, n int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
}

func (m *benchMsg) Topic() string   { return m.topic }
func (m *benchMsg) Payload() []byte { return m.payload }
func (m *benchMsg) Retained() bool  { return false }
func (m *benchMsg) Duplicate() bool { return false }
func (m *benchMsg) Ack() {
	if m.acked.Add(1) == m.want {
		close(m.all)
	}
}

// immediateAppender reports every record durable at once: the pipeline's
// CPU cost without the disk.
type immediateAppender struct{}

func (immediateAppender) Append(_ context.Context, _ []byte, done func(error)) { done(nil) }

// benchmarkPipeline feeds b.N unique access.granted messages through
// Handle on one goroutine, as paho does, and stops the clock once every
// message is acknowledged (durable).
func benchmarkPipeline(b *testing.B, app Appender, reg *prometheus.Registry) {
	p, err := NewPipeline(context.Background(), PipelineOptions{
		Decoder: decode.New(testRegistry(), decode.Options{}),
		Dedup:   dedup.New(dedupWindow, time.Now),
		Spool:   app,
		Logger:  zerolog.Nop(),
		Metrics: NewMetrics(reg),
	})
	if err != nil {
		b.Fatal(err)
	}
	m := newBenchMsg(time.Now())
	m.set(0)
	if _, err := decode.New(testRegistry(), decode.Options{}).Decode(m.topic, m.payload, time.Now()); err != nil {
		b.Fatalf("benchmark payload %s: %v", m.payload, err)
	}
	m.want, m.all = int64(b.N), make(chan struct{})

	b.SetBytes(int64(len(m.payload)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m.set(i)
		p.Handle(m)
	}
	select {
	case <-m.all:
	case <-time.After(time.Minute):
		b.Fatalf("only %d of %d messages acknowledged within a minute", m.acked.Load(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if got := metric(b, reg, "campusguard_ingest_accepted_total", "kind", "access"); got != float64(b.N) {
		b.Fatalf("accepted %v of %d", got, b.N)
	}
}

// BenchmarkPipeline is the per-message path decode → validate → dedup →
// encode → spool append with a real spool (group commit, fsync) and a
// reader draining it, as the InfluxDB writer does.
func BenchmarkPipeline(b *testing.B) {
	reg := prometheus.NewRegistry()
	sp, err := spool.Open(spool.Options{Dir: b.TempDir(), SegmentBytes: 16 << 20, MaxBytes: 256 << 20, Registerer: reg})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr, readErr := make(chan error, 1), make(chan error, 1)
	go func() { runErr <- sp.Run(ctx) }()
	go func() {
		for {
			batch, err := sp.Read(ctx, 4096, 4<<20)
			if err == nil {
				err = sp.Commit(batch)
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()

	benchmarkPipeline(b, sp, reg)
	b.ReportMetric(float64(b.N)/metric(b, reg, "campusguard_spool_fsync_seconds"), "msgs/fsync")

	cancel()
	if err := <-runErr; err != nil {
		b.Fatal(err)
	}
	if err := <-readErr; !errors.Is(err, context.Canceled) {
		b.Fatal(err)
	}
	if err := sp.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPipelineNoSpool is BenchmarkPipeline with an appender that is
// durable at once: the CPU cost of a message without the disk.
func BenchmarkPipelineNoSpool(b *testing.B) {
	benchmarkPipeline(b, immediateAppender{}, prometheus.NewRegistry())
}

// TestBenchMsg checks the benchmark's in-place rewriting keeps the payload
// valid and unique.
func TestBenchMsg(t *testing.T) {
	m := newBenchMsg(testNow)
	d := decode.New(testRegistry(), decode.Options{Now: func() time.Time { return testNow }})
	for _, n := range []int{0, 7, 123456789, 999999999999} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			m.set(n)
			ev, err := d.Decode(m.topic, m.payload, testNow)
			if err != nil {
				t.Fatalf("%s: %v", m.payload, err)
			}
			if want := "acc-" + strconv.FormatInt(int64(n)+1e12, 10)[1:]; ev.ID != want {
				t.Errorf("id = %q, want %q", ev.ID, want)
			}
			if want := int64(1e11 + n%1e11); !ev.HasSeq || ev.Seq != want {
				t.Errorf("seq = %d (%v), want %d", ev.Seq, ev.HasSeq, want)
			}
		})
	}
}
