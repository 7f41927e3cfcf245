package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/campusguard/campusguard/dashboards/httpgzip"
)

// assetFS holds the templates, the dictionary and the static files.
//
//go:embed assets
var assetFS embed.FS

// contentTypes are the static files' types by extension; a file of any
// other kind makes New fail, so that nothing is served as a guess.
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
}

// staticPrefix is where the static files are served.
const staticPrefix = "/static/"

// asset is one static file in memory.
type asset struct {
	body    []byte
	ctype   string
	version string // the first 12 hex digits of its SHA-256
	gz      []byte // body gzipped once at start-up; nil when not worth it
}

// gzipWriters reuses the compressors of gzipAsset: each holds ~1 MB of
// state, and a new one per asset allocated 15 MB at every start.
var gzipWriters sync.Pool

// gzipAsset compresses body at the best level, once; nil when the type is
// not compressible or gzip saves less than a tenth.
func gzipAsset(body []byte, ctype string) ([]byte, error) {
	if len(body) < httpgzip.MinSize || !httpgzip.Compressible(ctype) {
		return nil, nil
	}
	var b bytes.Buffer
	zw, _ := gzipWriters.Get().(*gzip.Writer)
	if zw == nil {
		var err error
		if zw, err = gzip.NewWriterLevel(&b, gzip.BestCompression); err != nil {
			return nil, err
		}
	} else {
		zw.Reset(&b)
	}
	defer gzipWriters.Put(zw)
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if b.Len() > len(body)*9/10 {
		return nil, nil
	}
	return b.Bytes(), nil
}

// loadAssets reads every file under assets/static.
func loadAssets() (map[string]*asset, error) {
	root, err := fs.Sub(assetFS, "assets/static")
	if err != nil {
		return nil, err
	}
	out := map[string]*asset{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			return fmt.Errorf("web: static file %s: no content type for %q", name, path.Ext(name))
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		gz, err := gzipAsset(body, ctype)
		if err != nil {
			return fmt.Errorf("web: static file %s: gzip: %w", name, err)
		}
		out[name] = &asset{body: body, ctype: ctype, version: hex.EncodeToString(sum[:6]), gz: gz}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load static files: %w", err)
	}
	return out, nil
}

// assetURL returns the versioned URL of static file name; pages link
// assets through it, so that a new build is fetched at once while an
// unchanged file stays cached.
func (w *Web) assetURL(name string) (string, error) {
	a, ok := w.assets[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %s", name)
	}
	return staticPrefix + name + "?v=" + a.version, nil
}

// serveStatic serves an embedded file. Requested with its current
// version (?v=, as the pages link it) it may be cached for a year;
// otherwise the browser must revalidate (ETag, 304). A client that
// accepts gzip gets the copy compressed at start-up, with its own ETag
// ("<version>.gz"); ranges then count in the compressed bytes.
func (w *Web) serveStatic(rw http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, staticPrefix)
	a, ok := w.assets[name]
	if !ok {
		w.notFound(rw, r)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", a.ctype)
	body, etag := a.body, `"`+a.version+`"`
	if a.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if httpgzip.Accepts(r.Header) {
			body, etag = a.gz, `"`+a.version+`.gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(rw, r, name, time.Time{}, bytes.NewReader(body))
}
