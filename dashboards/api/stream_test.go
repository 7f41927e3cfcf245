package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// sseEvent is one event read off a stream.
type sseEvent struct {
	name, data, comment string
}

// readEvent reads the next event (or comment) of a stream.
func readEvent(t *testing.T, br *bufio.Reader) sseEvent {
	t.Helper()
	var ev sseEvent
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v (partial %+v)", err, ev)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev != (sseEvent{}) {
				return ev
			}
		case strings.HasPrefix(line, ":"):
			ev.comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "event: "):
			ev.name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			ev.data += line[len("data: "):]
		case strings.HasPrefix(line, "retry: "):
		default:
			t.Fatalf("unexpected stream line %q", line)
		}
	}
}

// snapshotRules reads a snapshot event and returns its alerts' rules.
func snapshotRules(t *testing.T, br *bufio.Reader) []string {
	t.Helper()
	ev := readEvent(t, br)
	if ev.name != "snapshot" {
		t.Fatalf("first event %+v, want a snapshot", ev)
	}
	var snap snapshotEvent
	if err := json.Unmarshal([]byte(ev.data), &snap); err != nil {
		t.Fatal(err)
	}
	return rulesOfViews(snap.Alerts)
}

// nextAlert reads an alert event and returns "event rule".
func nextAlert(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	ev := readEvent(t, br)
	if ev.name != "alert" {
		t.Fatalf("event %+v, want an alert", ev)
	}
	var ae struct {
		Event string         `json:"event"`
		Alert alerting.Alert `json:"alert"`
	}
	if err := json.Unmarshal([]byte(ev.data), &ae); err != nil {
		t.Fatal(err)
	}
	return ae.Event + " " + string(ae.Alert.Rule)
}

// manualTickers makes each stream's ping ticker a channel the test
// drives; each new stream's channel arrives on the returned channel.
func manualTickers(a *API) chan chan time.Time {
	made := make(chan chan time.Time, 8)
	a.newTicker = func(time.Duration) (<-chan time.Time, func()) {
		c := make(chan time.Time)
		made <- c
		return c, func() {}
	}
	return made
}

func TestStream(t *testing.T) {
	e := newEnv(t, nil)
	tickers := manualTickers(e.api)
	s := e.seed()
	if _, err := e.m.Close(s.forcedC.ID, actorOf("admin"), "done"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.h)
	connect := func(viewer string) (*bufio.Reader, func()) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/stream", nil)
		req.Header.Set("X-Test-Viewer", viewer)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
			t.Fatalf("stream: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return bufio.NewReader(resp.Body), func() { resp.Body.Close() }
	}

	// The snapshot holds the open alerts the viewer may see.
	police, closePolice := connect("police")
	if got := snapshotRules(t, police); strings.Join(got, " ") != "alarm_panic" {
		t.Fatalf("police snapshot %q", got)
	}
	(<-tickers) <- t0
	if ev := readEvent(t, police); ev.comment != "ping" || ev.name != "" {
		t.Fatalf("want a ping, got %+v", ev)
	}
	market, closeMarket := connect("market")
	if got := snapshotRules(t, market); strings.Join(got, " ") != "kitchen_repeat kitchen_violation" {
		t.Fatalf("market snapshot %q", got)
	}
	<-tickers
	if n := testutil.ToFloat64(e.api.metrics.sseClients); n != 2 {
		t.Fatalf("sse clients %v, want 2", n)
	}

	// Each stream gets only the changes its viewer may see, in order.
	e.fire(alerting.KitchenCamOffline, schoolB, "cam-b1") // market, school
	e.fire(alerting.AlarmOffline, schoolC, "alarm-c1")    // police, school
	if _, err := e.m.Ack(s.panicA.ID, actorOf("police"), ""); err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.GuardUnlicensed, schoolC, "g-y") // education only: neither
	if _, err := e.m.Close(s.kitchenA.ID, actorOf("market"), "整改完成"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Close(s.panicA.ID, actorOf("police"), "误触"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fired alarm_offline", "acknowledged alarm_panic", "resolved alarm_panic"} {
		if got := nextAlert(t, police); got != want {
			t.Fatalf("police got %q, want %q", got, want)
		}
	}
	for _, want := range []string{"fired kitchen_cam_offline", "resolved kitchen_violation"} {
		if got := nextAlert(t, market); got != want {
			t.Fatalf("market got %q, want %q", got, want)
		}
	}

	// A reconnect starts again from a snapshot.
	closePolice()
	police, closePolice = connect("police")
	if got := snapshotRules(t, police); strings.Join(got, " ") != "alarm_offline" {
		t.Fatalf("police snapshot after reconnect %q", got)
	}
	closePolice()
	closeMarket()
	srv.Close() // waits for the handlers
	if n := e.api.hub.count(); n != 0 {
		t.Fatalf("%d streams left in the hub", n)
	}
	if n := testutil.ToFloat64(e.api.metrics.sseClients); n != 0 {
		t.Fatalf("sse clients %v, want 0", n)
	}
	if n := testutil.ToFloat64(e.api.metrics.requests.WithLabelValues(routeStream, "200")); n != 3 {
		t.Fatalf("stream requests %v, want 3", n)
	}
}

// pipeWriter is a ResponseWriter whose body the test reads through a
// pipe: a write blocks until the test reads it, like a full socket.
type pipeWriter struct {
	h  http.Header
	pw *io.PipeWriter
}

func (p *pipeWriter) Header() http.Header         { return p.h }
func (p *pipeWriter) WriteHeader(int)             {}
func (p *pipeWriter) Write(b []byte) (int, error) { return p.pw.Write(b) }
func (p *pipeWriter) Flush()                      {}

// openStream serves GET /api/v1/stream as viewer on its own goroutine; it
// returns the body, a cancel for the request context, and a channel
// closed when the handler has returned.
func openStream(t *testing.T, e *env, viewer string) (*bufio.Reader, *io.PipeReader, context.CancelFunc, chan struct{}) {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/api/v1/stream", nil).WithContext(ctx)
	req.Header.Set("X-Test-Viewer", viewer)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.h.ServeHTTP(&pipeWriter{h: http.Header{}, pw: pw}, req)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		pr.Close()
		<-done
	})
	return bufio.NewReader(pr), pr, cancel, done
}

func TestStreamEndsWithContext(t *testing.T) {
	e := newEnv(t, nil)
	manualTickers(e.api)
	e.seed()
	br, _, cancel, done := openStream(t, e, "school-a")
	if got := snapshotRules(t, br); strings.Join(got, " ") != "alarm_panic kitchen_violation" {
		t.Fatalf("school snapshot %q", got)
	}
	if n := e.api.hub.count(); n != 1 {
		t.Fatalf("hub %d, want 1", n)
	}
	cancel() // the client went away, or the server shuts down
	<-done
	if n := e.api.hub.count(); n != 0 {
		t.Fatalf("hub %d after disconnect", n)
	}
	if n := testutil.ToFloat64(e.api.metrics.sseClients); n != 0 {
		t.Fatalf("sse clients %v after disconnect", n)
	}
	// Publishing to nobody is fine.
	e.api.Publish(lifecycle.Change{Event: lifecycle.EventUpdated, Alert: alerting.Alert{Region: regionSQ, School: schoolA}})
}

func TestStreamDropsSlowClient(t *testing.T) {
	e := newEnv(t, nil)
	manualTickers(e.api)
	e.api.clientBuf = 1
	br, pr, _, done := openStream(t, e, "admin")
	snapshotRules(t, br)
	// The test reads nothing more: the handler blocks writing the first
	// change, the second fills the queue, the third finds it full. None
	// of this may block the lifecycle.
	e.fire(alerting.AlarmPanic, schoolA, "alarm-a1")
	e.fire(alerting.AlarmPanic, schoolB, "alarm-b1")
	e.fire(alerting.AlarmPanic, schoolC, "alarm-c1")
	if n := testutil.ToFloat64(e.api.metrics.sseDropped); n != 1 {
		t.Fatalf("dropped %v, want 1", n)
	}
	if n := e.api.hub.count(); n != 0 {
		t.Fatalf("hub %d: the slow client is still fed", n)
	}
	go io.Copy(io.Discard, pr) // let the blocked write finish
	<-done
	if n := testutil.ToFloat64(e.api.metrics.sseClients); n != 0 {
		t.Fatalf("sse clients %v after the drop", n)
	}
}
