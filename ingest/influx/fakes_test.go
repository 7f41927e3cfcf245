package influx

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/spool"
)

// testDeadline bounds every wait in these tests.
const testDeadline = 10 * time.Second

// fakeSource is an in-memory Source with the spool's semantics: Read blocks
// until a record is there, successive Reads continue after the previous
// batch, Commit moves the committed cursor, Rewind moves the reader back.
// Every change is broadcast so tests wait on conditions, never sleep.
type fakeSource struct {
	mu        sync.Mutex
	records   [][]byte
	read      int             // reader position
	committed int             // committed cursor
	ends      map[*[]byte]int // first record of a batch handed out -> its end
	reads     int
	commits   int
	rewinds   int
	readErr   func(n int) error // n: 1-based Read call; nil: no error
	commitErr func(n int) error
	changed   chan struct{} // closed and replaced on every change
}

func newFakeSource(records ...string) *fakeSource {
	s := &fakeSource{ends: map[*[]byte]int{}, changed: make(chan struct{})}
	s.append(records...)
	return s
}

func (s *fakeSource) broadcast() { close(s.changed); s.changed = make(chan struct{}) }

func (s *fakeSource) append(records ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range records {
		s.records = append(s.records, []byte(r))
	}
	s.broadcast()
}

func (s *fakeSource) Read(ctx context.Context, maxRecords, maxBytes int) (spool.Batch, error) {
	for {
		s.mu.Lock()
		s.reads++
		s.broadcast()
		if s.readErr != nil {
			if err := s.readErr(s.reads); err != nil {
				s.mu.Unlock()
				return spool.Batch{}, err
			}
		}
		if s.read < len(s.records) {
			end, size := s.read, 0
			for end < len(s.records) && end-s.read < maxRecords &&
				(end == s.read || size+len(s.records[end]) <= maxBytes) {
				size += len(s.records[end])
				end++
			}
			recs := make([][]byte, end-s.read)
			copy(recs, s.records[s.read:end])
			s.ends[&recs[0]] = end
			s.read = end
			s.mu.Unlock()
			return spool.Batch{Records: recs}, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return spool.Batch{}, ctx.Err()
		}
	}
}

func (s *fakeSource) Commit(b spool.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commits++
	if s.commitErr != nil {
		if err := s.commitErr(s.commits); err != nil {
			s.broadcast()
			return err
		}
	}
	end, ok := s.ends[&b.Records[0]]
	if !ok {
		panic("fakeSource: commit of a batch it did not hand out")
	}
	s.committed = max(s.committed, end)
	s.broadcast()
	return nil
}

func (s *fakeSource) Rewind() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rewinds++
	s.read = s.committed
	s.broadcast()
}

// waitUntil waits until cond (called with s locked) holds, failing the test
// after testDeadline.
func (s *fakeSource) waitUntil(t *testing.T, what string, cond func(*fakeSource) bool) {
	t.Helper()
	timeout := time.NewTimer(testDeadline)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		ok, ch := cond(s), s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func (s *fakeSource) state() (read, committed, rewinds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read, s.committed, s.rewinds
}

// fakeInflux answers /api/v2/write and /ping like InfluxDB 1.8: 204 on
// success; a point whose field type conflicts with the type first stored
// for that field, or a line that does not parse, is dropped while the others
// are stored, and the answer is 400 with {"error": "partial write: ..."} and
// an X-Influxdb-Error header. inject can answer a request itself first.
type fakeInflux struct {
	*httptest.Server
	mu       sync.Mutex
	points   map[string]string // series + " " + timestamp -> fields
	types    map[string]byte   // measurement + "." + field -> 'i', 's', 'f', 'b'
	writes   int               // write requests received
	auth     []string          // Authorization headers seen
	inject   func(n int, w http.ResponseWriter, r *http.Request) bool
	notify   chan struct{}
	accepted int // points stored, counting overwrites
}

func newFakeInflux(t *testing.T) *fakeInflux {
	f := &fakeInflux{points: map[string]string{}, types: map[string]byte{}, notify: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/write", f.serveWrite)
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeInflux) serveWrite(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.writes++
	n, inject := f.writes, f.inject
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if inject != nil && inject(n, w, r) {
		return
	}
	if r.URL.Query().Get("bucket") != "db/autogen" {
		httpError(w, http.StatusNotFound, "database not found")
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			httpError(w, http.StatusBadRequest, err.Error())
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { close(f.notify); f.notify = make(chan struct{}) }()
	var problem string
	dropped := 0
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		if p := f.store(line); p != "" {
			if strings.HasPrefix(p, "field type conflict") {
				dropped++
			}
			problem = p
		}
	}
	if problem != "" {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("partial write: %s dropped=%d", problem, dropped))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNoContent)
}

// store keeps one line "series fields timestamp" (no escaped spaces in test
// data) and returns what is wrong with it, if anything.
func (f *fakeInflux) store(line string) string {
	parts := strings.Split(line, " ")
	if len(parts) != 3 || parts[1] == "" {
		return fmt.Sprintf("unable to parse '%s': bad line", line)
	}
	meas, _, _ := strings.Cut(parts[0], ",")
	for _, fv := range strings.Split(parts[1], ",") {
		k, v, ok := strings.Cut(fv, "=")
		if !ok || v == "" {
			return fmt.Sprintf("unable to parse '%s': missing field value", line)
		}
		typ := byte('f')
		switch {
		case strings.HasPrefix(v, `"`):
			typ = 's'
		case strings.HasSuffix(v, "i"):
			typ = 'i'
		case v == "true" || v == "false":
			typ = 'b'
		}
		key := meas + "." + k
		if have, ok := f.types[key]; ok && have != typ {
			return fmt.Sprintf("field type conflict: input field %q on measurement %q", k, meas)
		}
		f.types[key] = typ
	}
	f.points[parts[0]+" "+parts[2]] = parts[1]
	f.accepted++
	return ""
}

// httpError answers like InfluxDB 1.8's httpError.
func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("X-Influxdb-Error", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (f *fakeInflux) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.points)
}

func (f *fakeInflux) has(series string, ts int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.points[fmt.Sprintf("%s %d", series, ts)]
	return ok
}

func (f *fakeInflux) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// testWriter builds a Writer for src against url whose waits do not sleep;
// it returns the registry holding its metrics.
func testWriter(t *testing.T, url string, src Source, edit func(*Options)) (*Writer, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	opts := Defaults()
	opts.URL = url
	opts.Bucket = "db/autogen"
	opts.Token = "writer:s3cret"
	opts.DeadLetterDir = t.TempDir()
	opts.Registerer = reg
	opts.Logger = zerolog.New(zerolog.NewTestWriter(t))
	opts.FlushInterval = 0 // tests that want the wait set it
	if edit != nil {
		edit(&opts)
	}
	w, err := New(opts, src)
	if err != nil {
		t.Fatal(err)
	}
	w.wait = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return w, reg
}

// runWriter runs w until the test ends and checks that Run returned nil.
func runWriter(t *testing.T, w *Writer) (cancel func(), done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { ch <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-ch:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(testDeadline):
			t.Errorf("Run did not return after cancel")
		}
	})
	return cancel, ch
}

// metricValue reads a counter or gauge from reg; labels are name, value pairs.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
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
	}
	t.Fatalf("metric %s%v not found", name, labels)
	return 0
}

// lines makes n records "m,dev=d<i%7> v=<i>i <base+i>".
func lines(n, base int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("m,dev=d%d v=%di %d\n", i%7, i, base+i)
	}
	return out
}
