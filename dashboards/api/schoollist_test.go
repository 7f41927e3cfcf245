package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

func TestSchoolListScope(t *testing.T) {
	e := newEnv(t, nil)
	all := schoolList{
		Regions: []regionEntry{{regionSQ, "双桥区"}, {regionSL, "双滦区"}},
		Schools: []schoolEntry{{schoolB, "双桥第二幼儿园", regionSQ}, {schoolA, "双桥第一小学", regionSQ}, {schoolC, "双滦实验中学", regionSL}},
	}
	for _, c := range []struct {
		viewer string
		want   schoolList
	}{
		{"admin", all},
		{"market", all},
		{"police-sq", schoolList{Regions: all.Regions[:1], Schools: all.Schools[:2]}},
		{"police-sl", schoolList{Regions: all.Regions[1:], Schools: all.Schools[2:]}},
		{"school-a", schoolList{Regions: all.Regions[:1], Schools: all.Schools[1:2]}},
	} {
		t.Run(c.viewer, func(t *testing.T) {
			rec := e.do("GET", "/api/v1/schools", c.viewer, "")
			got := decode[schoolList](t, rec, http.StatusOK)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v\nwant %v", got, c.want)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "private, no-cache" {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
	// The list is small: ids and names only, no devices, guards or windows.
	body := e.do("GET", "/api/v1/schools", "admin", "").Body.String()
	for _, secret := range []string{"g-secret-1", "LIC-SECRET-1", "alarm-a1", "示例路"} {
		if strings.Contains(body, secret) {
			t.Errorf("list carries %q", secret)
		}
	}
}

func TestSchoolListRefusals(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.DefaultViewer = nil })
	errorOf(t, e.do("GET", "/api/v1/schools", "", ""), http.StatusUnauthorized, codeUnauthenticated)
	errorOf(t, e.do("GET", "/api/v1/schools?days=1", "admin", ""), http.StatusBadRequest, codeUnknownParameter)
	errorOf(t, e.do("POST", "/api/v1/schools", "admin", ""), http.StatusMethodNotAllowed, codeMethodNotAllowed)
	errorOf(t, newEnvWithRegistry(t, nil).do("GET", "/api/v1/schools", "admin", ""), http.StatusServiceUnavailable, codeUnavailable)
}

// newEnvWithRegistry is an env whose registry function returns reg.
func newEnvWithRegistry(t *testing.T, reg *devices.Registry) *env {
	return newEnv(t, func(o *Options) { o.Registry = func() *devices.Registry { return reg } })
}

// TestSchoolListETag: If-None-Match with the list's ETag (strong, or the
// weak copy the gzip middleware hands out) answers 304 without a body;
// another viewer's scope or a renamed school gives another ETag.
func TestSchoolListETag(t *testing.T) {
	e := newEnv(t, nil)
	get := func(viewer, inm, ae string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/schools", nil)
		req.Header.Set("X-Test-Viewer", viewer)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
	}
	first := get("admin", "", "")
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("status %d, ETag %q", first.Code, etag)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		rec := get("admin", inm, "gzip")
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304 empty", inm, rec.Code, rec.Body.Len())
		}
		if rec.Header().Get("Cache-Control") != "private, no-cache" || rec.Header().Get("ETag") != etag {
			t.Errorf("304 headers %v", rec.Header())
		}
	}
	if rec := get("admin", `"stale"`, ""); rec.Code != http.StatusOK || rec.Body.String() != first.Body.String() {
		t.Errorf("stale ETag: %d", rec.Code)
	}
	if other := get("police-sq", "", "").Header().Get("ETag"); other == etag {
		t.Error("another scope, same ETag")
	}
	if rec := get("police-sq", etag, ""); rec.Code != http.StatusOK {
		t.Errorf("the admin's ETag matched police-sq's list: %d", rec.Code)
	}
	// A registry reload that renames a school changes the ETag.
	e.reg = testRegistry()
	e.reg.Schools[0].Name += "（新）"
	e.reg.Index()
	if rec := get("admin", etag, ""); rec.Code != http.StatusOK || rec.Header().Get("ETag") == etag {
		t.Errorf("after rename: %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
}
