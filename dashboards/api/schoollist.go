package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// Route of the school list.
const routeSchools = "GET /api/v1/schools"

// schoolList is the answer of GET /api/v1/schools: the schools the viewer
// sees (by region, then id) and the names of their regions. It is what a
// board needs to label schools and counties, and nothing more, so that
// pages need not fetch a compliance trend (201 KB for the demo city) to
// learn names.
type schoolList struct {
	Regions []regionEntry `json:"regions"`
	Schools []schoolEntry `json:"schools"`
}

type regionEntry struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type schoolEntry struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

// schoolsCacheControl lets the browser keep the list but ask each time
// whether it still holds (an ETag match answers 304 without a body): the
// registry may be reloaded, and another account may log in on the same
// browser.
const schoolsCacheControl = "private, no-cache"

// listSchools answers the school list; its ETag is a digest of the
// answer, so it changes exactly when the registry's names or the viewer's
// scope do, and If-None-Match with it answers 304.
func (a *API) listSchools(w http.ResponseWriter, r *http.Request, v Viewer) {
	if e := checkParams(r.URL.Query()); e != nil {
		writeError(w, e)
		return
	}
	reg, e := a.registry()
	if e != nil {
		writeError(w, e)
		return
	}
	out := schoolList{Regions: []regionEntry{}, Schools: []schoolEntry{}}
	for _, s := range visibleSchools(reg, v) {
		if n := len(out.Regions); n == 0 || out.Regions[n-1].Code != s.Region {
			out.Regions = append(out.Regions, regionEntry{Code: s.Region, Name: regionName(reg, s.Region)})
		}
		out.Schools = append(out.Schools, schoolEntry{ID: s.ID, Name: s.Name, Region: s.Region})
	}
	b, err := json.Marshal(out)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	b = append(b, '\n')
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", schoolsCacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	if etagMatch(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// etagMatch reports whether an If-None-Match header (its values) names
// etag, comparing weakly: the gzip middleware hands out W/ copies of the
// ETags of the answers it compresses.
func etagMatch(ifNoneMatch []string, etag string) bool {
	for _, line := range ifNoneMatch {
		for _, t := range strings.Split(line, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
	}
	return false
}
