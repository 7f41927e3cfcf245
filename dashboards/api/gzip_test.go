package api

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// getGzip fetches path from srv as viewer, accepting gzip (set by hand,
// so the transport leaves the body encoded).
func getGzip(t *testing.T, ctx context.Context, srv *httptest.Server, path, viewer string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	req.Header.Set("X-Test-Viewer", viewer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestGzipAnswers: through a real server, a large answer is gzipped for a
// client that accepts it (and decodes to the identity answer), a small
// one is not, and the alert stream is neither compressed nor held: each
// change arrives while the stream stays open.
func TestGzipAnswers(t *testing.T) {
	e := newEnv(t, nil)
	tickers := manualTickers(e.api)
	e.seed()
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	plain := e.do("GET", "/api/v1/alerts", "admin", "")
	if plain.Body.Len() < 1024 {
		t.Fatalf("alert list only %d bytes: too small to test", plain.Body.Len())
	}
	res := getGzip(t, ctx, srv, "/api/v1/alerts", "admin")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("alerts: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || string(b) != plain.Body.String() {
		t.Fatalf("gunzipped alerts differ (%v)", err)
	}

	small := getGzip(t, ctx, srv, "/api/v1/alerts?rule=alarm_panic&state=acknowledged", "admin")
	if small.StatusCode != http.StatusOK || small.Header.Get("Content-Encoding") != "" {
		t.Errorf("a small answer: %d, Content-Encoding %q", small.StatusCode, small.Header.Get("Content-Encoding"))
	}

	stream := getGzip(t, ctx, srv, "/api/v1/stream", "admin")
	if ce := stream.Header.Get("Content-Encoding"); ce != "" || stream.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: Content-Encoding %q, type %q", ce, stream.Header.Get("Content-Type"))
	}
	<-tickers
	br := bufio.NewReader(stream.Body)
	if rules := snapshotRules(t, br); len(rules) != 5 {
		t.Fatalf("snapshot %v", rules)
	}
	for _, school := range []string{schoolA, schoolB, schoolC} {
		e.fire(alerting.GateForced, school, "gate-x")
		if got := nextAlert(t, br); got != "fired gate_forced" {
			t.Fatalf("after firing at %s: %q", school, got)
		}
	}
}
