package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStaticGzip: a client that accepts gzip gets the copy compressed at
// start-up, with its own ETag that revalidates to 304; one that does not
// gets the file as it is; both answers say Vary: Accept-Encoding; a Range
// counts in the bytes of the representation served.
func TestStaticGzip(t *testing.T) {
	w := newWeb(t)
	h := w.Handler()
	for _, name := range []string{"js/common.js", "js/alerts.js", "css/app.css"} {
		a, ok := w.assets[name]
		if !ok {
			t.Fatalf("%s not embedded", name)
		}
		url, _ := w.assetURL(name)
		rec := get(t, h, url, "", "Accept-Encoding", "gzip, deflate, br")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: %d, Content-Encoding %q", name, rec.Code, rec.Header().Get("Content-Encoding"))
		}
		if !bytes.Equal(gunzip(t, rec.Body.Bytes()), a.body) {
			t.Errorf("%s: gunzipped body differs", name)
		}
		if rec.Body.Len() >= len(a.body)/2 {
			t.Errorf("%s: %d bytes gzipped to %d", name, len(a.body), rec.Body.Len())
		}
		t.Logf("%s: %d bytes, %d gzipped", name, len(a.body), rec.Body.Len())
		etag := rec.Header().Get("ETag")
		if etag != `"`+a.version+`.gz"` || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: ETag %q, Vary %q", name, etag, rec.Header().Get("Vary"))
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
		if rec := get(t, h, staticPrefix+name, "", "Accept-Encoding", "gzip", "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("%s: revalidation %d with %d bytes", name, rec.Code, rec.Body.Len())
		}
		plain := get(t, h, url, "", "Accept-Encoding", "identity")
		if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), a.body) ||
			plain.Header().Get("ETag") != `"`+a.version+`"` || plain.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s identity: encoding %q, ETag %q, Vary %q", name, plain.Header().Get("Content-Encoding"), plain.Header().Get("ETag"), plain.Header().Get("Vary"))
		}
		// The identity ETag does not validate the gzip copy.
		if rec := get(t, h, url, "", "Accept-Encoding", "gzip", "If-None-Match", `"`+a.version+`"`); rec.Code != http.StatusOK {
			t.Errorf("%s: identity ETag revalidated the gzip copy: %d", name, rec.Code)
		}
		rng := get(t, h, url, "", "Accept-Encoding", "gzip", "Range", "bytes=0-1")
		if rng.Code != http.StatusPartialContent || rng.Body.String() != "\x1f\x8b" {
			t.Errorf("%s: range of the gzip copy %d %q", name, rng.Code, rng.Body.String())
		}
	}
	// Images are not compressed again, nor are files below MinSize.
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 4096)...)
	for _, c := range []struct {
		body  []byte
		ctype string
	}{{png, contentTypes[".png"]}, {[]byte("body{}"), contentTypes[".css"]}} {
		if gz, err := gzipAsset(c.body, c.ctype); err != nil || gz != nil {
			t.Errorf("%s of %d bytes: gzipped to %d (%v)", c.ctype, len(c.body), len(gz), err)
		}
	}
}

// TestPagesGzip: the HTML pages go through the gzip middleware.
func TestPagesGzip(t *testing.T) {
	h := newWeb(t).Handler()
	plain := get(t, h, "/board/police", "police")
	rec := get(t, h, "/board/police", "police", "Accept-Encoding", "gzip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("%d, Content-Encoding %q, Vary %q", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("Vary"))
	}
	if !bytes.Equal(gunzip(t, rec.Body.Bytes()), plain.Body.Bytes()) {
		t.Error("gunzipped page differs")
	}
	t.Logf("police page: %d bytes, %d gzipped", plain.Body.Len(), rec.Body.Len())
}
