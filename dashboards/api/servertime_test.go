package api

import (
	"net/http"
	"strconv"
	"testing"
)

// TestServerTimeHeader: every answer, a refusal too, carries the API's
// clock, from which the pages keep the server's time (common.js CG.now).
func TestServerTimeHeader(t *testing.T) {
	e := newEnv(t, nil)
	want := strconv.FormatInt(e.clock.Now().UnixMilli(), 10)
	for _, c := range []struct{ path, viewer string }{
		{"/api/v1/alerts", "admin"},
		{"/api/v1/schools", "police"},
		{"/api/v1/no-such-route", "admin"},
	} {
		rec := e.do(http.MethodGet, c.path, c.viewer, "")
		if got := rec.Header().Get(TimeHeader); got != want {
			t.Errorf("GET %s (HTTP %d): %s %q, want %q", c.path, rec.Code, TimeHeader, got, want)
		}
	}
}
