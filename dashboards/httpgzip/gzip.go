package httpgzip

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// MinSize is the smallest body worth compressing: below it the gzip
// header and the CPU cost more than they save.
const MinSize = 1024

// Level is the compression level. BestSpeed: on 460 KB of compliance-like
// JSON it makes 50 KB in 4–6 ms where the default level makes 36 KB in
// 11–17 ms (BenchmarkLevels, 2 shared cores); the server's CPU is scarcer
// than the LAN's bandwidth.
const Level = gzip.BestSpeed

// writers are idle gzip writers; each holds ~1 MB of state, so they are
// reused rather than made per answer.
var writers = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, Level) // Level is valid
	return w
}}

// Handler compresses next's answers as the package doc says. It adds
// "Vary: Accept-Encoding" to every answer whose encoding depends on the
// request's Accept-Encoding, turns a strong ETag of a compressed answer
// into a weak one (the bytes differ from the identity answer's) and drops
// its Content-Length and Accept-Ranges.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Range") != "" {
			next.ServeHTTP(w, r)
			return
		}
		gw := &writer{rw: w, accept: Accepts(r.Header)}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// Accepts reports whether the request headers h allow a gzip answer:
// Accept-Encoding names gzip (or x-gzip) with a non-zero q, or * with a
// non-zero q and gzip not refused.
func Accepts(h http.Header) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, line := range h.Values("Accept-Encoding") {
		for _, part := range strings.Split(line, ",") {
			name, params, _ := strings.Cut(part, ";")
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
					continue
				}
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight is no consent
				}
				q = f
			}
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "gzip", "x-gzip":
				gzipQ = max(gzipQ, q)
			case "*":
				starQ = max(starQ, q)
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// Compressible reports whether content type ct is worth compressing:
// text (but not an event stream), JSON, JavaScript, XML and SVG.
func Compressible(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/javascript", mt == "application/xml", mt == "image/svg+xml":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
}

// The states of a writer.
const (
	undecided   = iota // the status and up to MinSize bytes are held
	plain              // passing through
	compressing        // through gz
)

// writer holds the status and the first bytes of an answer until it can
// tell whether to compress it, then passes everything through, or through
// gzip.
type writer struct {
	rw     http.ResponseWriter
	accept bool
	state  int
	code   int    // status held while undecided; 0 until WriteHeader or Write
	buf    []byte // body held while undecided
	gz     *gzip.Writer
}

func (w *writer) Header() http.Header { return w.rw.Header() }

// Unwrap lets http.ResponseController reach the connection (deadlines);
// its Flush finds FlushError first.
func (w *writer) Unwrap() http.ResponseWriter { return w.rw }

func (w *writer) WriteHeader(code int) {
	switch {
	case w.state != undecided:
		w.rw.WriteHeader(code) // net/http says it is superfluous
	case code >= 100 && code < 200: // informational: not the answer
		w.rw.WriteHeader(code)
	case w.code == 0:
		w.code = code
		if !w.eligible(nil) {
			w.start(plain)
		}
	}
}

func (w *writer) Write(p []byte) (int, error) {
	switch w.state {
	case plain:
		return w.rw.Write(p)
	case compressing:
		return w.gz.Write(p)
	}
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if len(w.buf)+len(p) < MinSize {
		w.buf = append(w.buf, p...)
		return len(p), nil
	}
	if w.eligible(p) {
		w.start(compressing)
	} else {
		w.start(plain)
	}
	return w.Write(p)
}

// FlushError sends what is held: a handler that flushes before MinSize
// bytes is streaming, and its answer goes out as it is; a compressed one
// is flushed through gzip (the client can decode every byte so far).
func (w *writer) FlushError() error {
	switch w.state {
	case undecided:
		if w.code == 0 {
			w.code = http.StatusOK
		}
		w.start(plain)
	case compressing:
		if err := w.gz.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.rw).Flush()
}

// Flush serves handlers that assert http.Flusher.
func (w *writer) Flush() { _ = w.FlushError() }

// eligible reports whether the answer so far (status, headers, held
// bytes and next) may be compressed, sniffing a missing Content-Type from
// the body as net/http would; it adds Vary when the encoding depends on
// Accept-Encoding. With next nil it judges only status and headers.
func (w *writer) eligible(next []byte) bool {
	h := w.rw.Header()
	switch w.code {
	case http.StatusNoContent, http.StatusPartialContent, http.StatusNotModified:
		return false
	}
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	ct, typed := h["Content-Type"]
	if !typed {
		if next == nil {
			return true // not known until the body comes
		}
		sniff := append(w.buf[:len(w.buf):len(w.buf)], next[:min(len(next), 512)]...)
		h.Set("Content-Type", http.DetectContentType(sniff))
		ct = h["Content-Type"]
	}
	if len(ct) == 0 || !Compressible(ct[0]) {
		return false
	}
	if next == nil {
		return true
	}
	addVary(h)
	return w.accept
}

// start leaves the undecided state: it writes the held status (and the
// compression headers), then the held bytes.
func (w *writer) start(state int) {
	w.state = state
	if state == compressing {
		h := w.rw.Header()
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		h.Del("Accept-Ranges")
		if et := h.Get("ETag"); strings.HasPrefix(et, `"`) {
			h.Set("ETag", "W/"+et)
		}
		w.gz = writers.Get().(*gzip.Writer)
		w.gz.Reset(w.rw)
	}
	w.rw.WriteHeader(w.code)
	if len(w.buf) > 0 {
		buf := w.buf
		w.buf = nil
		_, _ = w.Write(buf) // an error comes back on the handler's next write
	}
}

// close ends the answer once the handler has returned: a held short body
// goes out as it is; gzip is finished and its writer pooled.
func (w *writer) close() {
	switch w.state {
	case undecided:
		if w.code == 0 {
			return // nothing written: net/http answers 200 with no body
		}
		w.start(plain)
	case compressing:
		_ = w.gz.Close()
		w.gz.Reset(io.Discard) // do not keep the connection reachable
		writers.Put(w.gz)
		w.gz = nil
	}
}

// addVary adds Accept-Encoding to h's Vary unless it is there.
func addVary(h http.Header) {
	for _, line := range h.Values("Vary") {
		for _, v := range strings.Split(line, ",") {
			if v = strings.TrimSpace(v); v == "*" || strings.EqualFold(v, "Accept-Encoding") {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Encoding")
}
