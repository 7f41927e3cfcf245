package httpgzip

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAccepts(t *testing.T) {
	for _, c := range []struct {
		ae   []string
		want bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate, br, zstd"}, true}, // Chromium
		{[]string{"br;q=1.0, GZIP;q=0.5"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"deflate, br"}, false},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=bogus"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*, gzip;q=0"}, false}, // gzip refused by name
		{[]string{"identity", "gzip"}, true},
		{[]string{"gzip;q=0", "gzip;q=0.3"}, true},
	} {
		h := http.Header{}
		for _, v := range c.ae {
			h.Add("Accept-Encoding", v)
		}
		if got := Accepts(h); got != c.want {
			t.Errorf("Accepts(%q) = %v, want %v", c.ae, got, c.want)
		}
	}
}

func TestCompressible(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json; charset=utf-8":  true,
		"text/html; charset=utf-8":         true,
		"text/css; charset=utf-8":          true,
		"text/javascript; charset=utf-8":   true,
		"text/csv; charset=utf-8":          true,
		"image/svg+xml":                    true,
		"application/problem+json":         true,
		"TEXT/PLAIN":                       true,
		"text/event-stream; charset=utf-8": false,
		"image/png":                        false,
		"application/octet-stream":         false,
		"application/gzip":                 false,
		"":                                 false,
	} {
		if got := Compressible(ct); got != want {
			t.Errorf("Compressible(%q) = %v, want %v", ct, got, want)
		}
	}
}

// bigJSON is a compressible body well above MinSize.
var bigJSON = []byte(`{"schools":[` + strings.Repeat(`{"id":"sq-primary-1","name":"双桥第一小学","region":"130802"},`, 200) + `{}]}`)

func serveBytes(ct string, body []byte, extra func(http.Header)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		if extra != nil {
			extra(w.Header())
		}
		_, _ = w.Write(body)
	})
}

func get(t *testing.T, h http.Handler, method, ae string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/x", nil)
	if ae != "" {
		r.Header.Set("Accept-Encoding", ae)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	Handler(h).ServeHTTP(rec, r)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func TestCompresses(t *testing.T) {
	h := serveBytes("application/json; charset=utf-8", bigJSON, func(h http.Header) {
		h.Set("Content-Length", fmt.Sprint(len(bigJSON)))
		h.Set("ETag", `"abc"`)
		h.Set("Accept-Ranges", "bytes")
		h.Set("Vary", "Cookie")
	})
	rec := get(t, h, http.MethodGet, "gzip, deflate, br")
	res := rec.Result()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q; want 200 gzip", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if got := res.Header.Values("Vary"); strings.Join(got, ",") != "Cookie,Accept-Encoding" {
		t.Errorf("Vary = %q", got)
	}
	if res.Header.Get("Content-Length") != "" || res.Header.Get("Accept-Ranges") != "" {
		t.Errorf("Content-Length %q, Accept-Ranges %q kept on a compressed answer", res.Header.Get("Content-Length"), res.Header.Get("Accept-Ranges"))
	}
	if et := res.Header.Get("ETag"); et != `W/"abc"` {
		t.Errorf("ETag = %q, want the weak W/\"abc\"", et)
	}
	if rec.Body.Len() >= len(bigJSON)/4 {
		t.Errorf("compressed %d bytes to %d", len(bigJSON), rec.Body.Len())
	}
	if got := gunzip(t, rec.Body.Bytes()); !bytes.Equal(got, bigJSON) {
		t.Errorf("round trip changed the body")
	}
}

// TestSniffsBeforeCompressing: an answer without a Content-Type gets the
// one net/http would sniff from the plain bytes, not from the gzip.
func TestSniffsBeforeCompressing(t *testing.T) {
	html := []byte("<!DOCTYPE html><html><body>" + strings.Repeat("<p>校园</p>", 300) + "</body></html>")
	rec := get(t, serveBytes("", html, nil), http.MethodGet, "gzip")
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Type %q, Content-Encoding %q", ct, rec.Header().Get("Content-Encoding"))
	}
	if !bytes.Equal(gunzip(t, rec.Body.Bytes()), html) {
		t.Error("body changed")
	}
}

// TestWritesInPieces: small writes are held until MinSize, then
// compressed together; the status comes out once.
func TestWritesInPieces(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		for i := 0; i < len(bigJSON); i += 100 {
			_, _ = w.Write(bigJSON[i:min(i+100, len(bigJSON))])
		}
	})
	rec := get(t, h, http.MethodGet, "gzip")
	if rec.Code != http.StatusCreated || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	if !bytes.Equal(gunzip(t, rec.Body.Bytes()), bigJSON) {
		t.Error("body changed")
	}
}

func TestLeavesAlone(t *testing.T) {
	small := []byte(`{"ok":true}`)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 4096)...)
	status := func(code int, body []byte, hdr ...string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.WriteHeader(code)
			_, _ = w.Write(body)
		})
	}
	for _, c := range []struct {
		name     string
		h        http.Handler
		method   string
		ae       string
		req      []string
		body     []byte
		wantVary bool
	}{
		{name: "client without gzip", h: serveBytes("application/json", bigJSON, nil), ae: "br", body: bigJSON, wantVary: true},
		{name: "client without Accept-Encoding", h: serveBytes("application/json", bigJSON, nil), body: bigJSON, wantVary: true},
		{name: "gzip refused", h: serveBytes("application/json", bigJSON, nil), ae: "gzip;q=0, br", body: bigJSON, wantVary: true},
		{name: "tiny body", h: serveBytes("application/json", small, nil), ae: "gzip", body: small},
		{name: "png", h: serveBytes("image/png", png, nil), ae: "gzip", body: png},
		{name: "already encoded", h: serveBytes("application/json", bigJSON, func(h http.Header) { h.Set("Content-Encoding", "br") }), ae: "gzip", body: bigJSON},
		{name: "HEAD", h: serveBytes("application/json", bigJSON, nil), method: http.MethodHead, ae: "gzip", body: bigJSON},
		{name: "POST", h: serveBytes("application/json", bigJSON, nil), method: http.MethodPost, ae: "gzip", body: bigJSON},
		{name: "Range request", h: serveBytes("application/json", bigJSON, nil), ae: "gzip", req: []string{"Range", "bytes=0-10"}, body: bigJSON},
		{name: "206", h: status(http.StatusPartialContent, bigJSON, "Content-Range", "bytes 0-9/99999"), ae: "gzip", body: bigJSON},
		{name: "304", h: status(http.StatusNotModified, nil, "ETag", `"x"`), ae: "gzip"},
		{name: "204", h: status(http.StatusNoContent, nil), ae: "gzip"},
		{name: "event stream", h: serveBytes("text/event-stream", bigJSON, nil), ae: "gzip", body: bigJSON},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.method
			if m == "" {
				m = http.MethodGet
			}
			rec := get(t, c.h, m, c.ae, c.req...)
			if ce := rec.Header().Get("Content-Encoding"); ce == "gzip" {
				t.Fatalf("compressed")
			}
			if !bytes.Equal(rec.Body.Bytes(), c.body) {
				t.Errorf("body changed: %d bytes, want %d", rec.Body.Len(), len(c.body))
			}
			if vary := rec.Header().Get("Vary") == "Accept-Encoding"; vary != c.wantVary {
				t.Errorf("Vary: Accept-Encoding = %v, want %v", vary, c.wantVary)
			}
		})
	}
}

// TestNothingWritten: a handler that writes nothing still answers 200
// with an empty body; one that only sets a status answers it.
func TestNothingWritten(t *testing.T) {
	rec := get(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), http.MethodGet, "gzip")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("empty handler: %d, %d bytes, %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding"))
	}
	rec = get(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
	}), http.MethodGet, "gzip")
	if rec.Code != http.StatusAccepted || rec.Body.Len() != 0 || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("status only: %d, %d bytes, %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding"))
	}
}

// TestServeContent: http.ServeContent behind the middleware keeps its
// validators and ranges: 200 compressed with a weak ETag, 304 on that
// ETag (weak comparison), HEAD and Range uncompressed.
func TestServeContent(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "app.js", time.Time{}, bytes.NewReader(bigJSON))
	})
	rec := get(t, h, http.MethodGet, "gzip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("ETag") != `W/"v1"` {
		t.Fatalf("GET: %d %q %q", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("ETag"))
	}
	for _, inm := range []string{`W/"v1"`, `"v1"`} {
		rec = get(t, h, http.MethodGet, "gzip", "If-None-Match", inm)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("If-None-Match %s: %d, %d bytes, %q", inm, rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding"))
		}
	}
	rec = get(t, h, http.MethodGet, "gzip", "Range", "bytes=2-11")
	if rec.Code != http.StatusPartialContent || rec.Body.String() != string(bigJSON[2:12]) {
		t.Errorf("Range: %d %q", rec.Code, rec.Body.String())
	}
	rec = get(t, h, http.MethodHead, "gzip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Content-Length") != fmt.Sprint(len(bigJSON)) {
		t.Errorf("HEAD: %d %q length %q", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("Content-Length"))
	}
}

// sseHandler writes one event per value on next and flushes it through
// http.ResponseController, as the API's stream does.
func sseHandler(next <-chan string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil { // the headers, before any event
			return
		}
		for {
			select {
			case <-r.Context().Done():
				return
			case data, ok := <-next:
				if !ok {
					return
				}
				if err := rc.SetWriteDeadline(time.Now().Add(30 * time.Second)); err != nil {
					panic(err) // Unwrap must reach the connection
				}
				if _, err := fmt.Fprintf(w, "event: alert\ndata: %s\n\n", data); err != nil {
					return
				}
				if err := rc.Flush(); err != nil {
					return
				}
			}
		}
	})
}

// TestStreamFlushesEventByEvent: through a real server, a client that
// accepts gzip receives each event of a stream before the next is written
// (each is read before the handler is given the next one).
func TestStreamFlushesEventByEvent(t *testing.T) {
	next := make(chan string)
	srv := httptest.NewServer(Handler(sseHandler(next)))
	defer srv.Close()
	defer close(next)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br") // set by hand: the transport does not decode
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ce := res.Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("stream encoded %q", ce)
	}
	br := bufio.NewReader(res.Body)
	for i := range 5 {
		data := fmt.Sprintf(`{"n":%d,"pad":%q}`, i, strings.Repeat("x", 300*i)) // small and large events
		next <- data
		for _, want := range []string{"event: alert\n", "data: " + data + "\n", "\n"} {
			line, err := br.ReadString('\n')
			if err != nil || line != want {
				t.Fatalf("event %d: read %q, %v; want %q", i, line, err, want)
			}
		}
	}
}

// TestCompressedFlush: a compressed answer that flushes midway reaches
// the client decodable up to the flush, before the handler goes on.
func TestCompressedFlush(t *testing.T) {
	goOn := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bigJSON)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-goOn:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte("tail"))
	})
	srv := httptest.NewServer(Handler(h))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed")
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len(bigJSON))
	if _, err := io.ReadFull(zr, first); err != nil || !bytes.Equal(first, bigJSON) {
		t.Fatalf("first part before the handler went on: %v", err)
	}
	close(goOn)
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != "tail" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

// TestConcurrent: pooled writers never mix answers (run with -race).
func TestConcurrent(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bytes.Repeat([]byte(r.URL.Query().Get("c")), 5000))
	}))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := string(rune('a' + i))
			for range 20 {
				r := httptest.NewRequest(http.MethodGet, "/?c="+c, nil)
				r.Header.Set("Accept-Encoding", "gzip")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Error(err)
					return
				}
				got, _ := io.ReadAll(zr)
				if string(got) != strings.Repeat(c, 5000) {
					t.Errorf("answer %s mixed up", c)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkLevels compares levels on a JSON answer the size of the
// education board's compliance report.
func BenchmarkLevels(b *testing.B) {
	var body []byte
	for i := range 2500 {
		body = fmt.Appendf(body, `{"school":"s-%04d","name":"学校%d","region":"1308%02d","measures":{"closed_campus":{"status":%q,"count":%d},"guard_staffing":{"status":"met","rate":0.%03d}},"four_hundred":%v},`,
			i, i*7919%10007, i%11, []string{"met", "not_met", "not_judged"}[i*31%3], i*17%23, i*37%1000, i%5 == 0)
	}
	for _, level := range []int{gzip.BestSpeed, 3, gzip.DefaultCompression} {
		b.Run(fmt.Sprint("level=", level), func(b *testing.B) {
			zw, _ := gzip.NewWriterLevel(io.Discard, level)
			var out bytes.Buffer
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				out.Reset()
				zw.Reset(&out)
				_, _ = zw.Write(body)
				_ = zw.Close()
			}
			b.ReportMetric(float64(out.Len()), "gzip-bytes")
		})
	}
}
