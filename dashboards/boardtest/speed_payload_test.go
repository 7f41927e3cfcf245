package boardtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/dashboards/api"
)

// checkPayloadSizes logs the sizes of the answers the boards fetch, for
// a city-wide viewer on the demo-size city with 300 open alerts, without
// and with gzip (the browser's Accept-Encoding), and checks that the ones
// the middleware should compress came compressed, that the school list is
// smaller than the compliance trend that pages used to fetch for names,
// and that a browser revalidating it gets a 304 without a body.
// TestBoardBudgets runs it on its city.
func checkPayloadSizes(t *testing.T, c *city) {
	admin := api.Viewer{Name: "admin", Role: api.RoleAdmin}
	var etag string
	get := func(path, ae string, hdr ...string) (int, int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req = req.WithContext(api.WithViewer(req.Context(), admin))
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		c.API.Handler().ServeHTTP(rec, req)
		etag = rec.Header().Get("ETag")
		return rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding")
	}
	var b strings.Builder
	b.WriteString("\n| answer (admin, demo city, 300 open alerts) | uncompressed | gzip |\n|---|---|---|\n")
	size := map[string]int{}
	for _, p := range []string{"/api/v1/compliance", "/api/v1/compliance/trend?days=1", "/api/v1/compliance/trend?days=30",
		"/api/v1/schools", "/api/v1/alerts?state=firing,acknowledged"} {
		code, plain, _ := get(p, "")
		if code != http.StatusOK {
			fmt.Fprintf(&b, "| `GET %s` | HTTP %d | |\n", p, code)
			t.Errorf("GET %s: HTTP %d", p, code)
			continue
		}
		_, gz, enc := get(p, "gzip, deflate, br, zstd")
		fmt.Fprintf(&b, "| `GET %s` | %.1f KB | %.1f KB (%s) |\n", p, float64(plain)/1000, float64(gz)/1000, map[string]string{"": "not compressed", "gzip": "gzip"}[enc])
		size[p] = plain
		if enc != "gzip" || gz >= plain {
			t.Errorf("GET %s: %d bytes with Accept-Encoding gzip (Content-Encoding %q), %d without", p, gz, enc, plain)
		}
	}
	if code, n, _ := get("/api/v1/schools", "gzip, deflate, br, zstd"); code == http.StatusOK && etag != "" {
		code, n, _ = get("/api/v1/schools", "gzip, deflate, br, zstd", "If-None-Match", etag)
		fmt.Fprintf(&b, "| `GET /api/v1/schools` revalidated (`If-None-Match`) | HTTP %d, %d bytes | |\n", code, n)
		if code != http.StatusNotModified || n != 0 {
			t.Errorf("school list revalidated: HTTP %d with %d bytes, want 304 without a body", code, n)
		}
	} else {
		t.Errorf("school list: HTTP %d, %d bytes, ETag %q", code, n, etag)
	}
	t.Log(b.String())
	if s, tr := size["/api/v1/schools"], size["/api/v1/compliance/trend?days=1"]; s == 0 || s >= tr {
		t.Errorf("school list %d bytes, one-day trend %d: the list should be the smaller", s, tr)
	}
}
