package web

import (
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

func TestStaticFiles(t *testing.T) {
	w := newWeb(t)
	h := w.Handler()
	wantType := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	for _, name := range []string{"css/app.css", "js/common.js", "js/alerts.js", "js/chart.js", "js/police.js",
		"js/education.js", "js/market.js", "js/report.js", "js/school.js", "js/silences.js", "js/root.js", "js/handling.js"} {
		t.Run(name, func(t *testing.T) {
			a, ok := w.assets[name]
			if !ok {
				t.Fatal("not embedded")
			}
			// As the pages link it: cached for a year.
			url, err := w.assetURL(name)
			if err != nil {
				t.Fatal(err)
			}
			rec := get(t, h, url, "")
			if rec.Code != http.StatusOK || rec.Body.String() != string(a.body) {
				t.Fatalf("status %d, %d bytes", rec.Code, rec.Body.Len())
			}
			if ct := rec.Header().Get("Content-Type"); ct != wantType[path.Ext(name)] {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("versioned Cache-Control %q", cc)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			etag := rec.Header().Get("ETag")
			if etag != `"`+a.version+`"` {
				t.Errorf("ETag %q", etag)
			}
			// Without the version (or an old one): revalidate.
			for _, u := range []string{staticPrefix + name, staticPrefix + name + "?v=old"} {
				if cc := get(t, h, u, "").Header().Get("Cache-Control"); cc != "no-cache" {
					t.Errorf("%s: Cache-Control %q", u, cc)
				}
			}
			if rec := get(t, h, staticPrefix+name, "", "If-None-Match", etag); rec.Code != http.StatusNotModified {
				t.Errorf("If-None-Match: %d", rec.Code)
			}
		})
	}
	for _, p := range []string{"/static/", "/static/js/", "/static/nope.css", "/static/i18n.json"} {
		if rec := get(t, h, p, ""); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
}

// Every script and stylesheet a page links is embedded, at its current
// version.
func TestPagesLinkAssets(t *testing.T) {
	w := newWeb(t)
	ref := regexp.MustCompile(`(?:src|href)="(/static/[^"?]+)\?v=([0-9a-f]+)"`)
	for pattern := range pages {
		p := strings.TrimPrefix(pattern, "GET ")
		if p == "/{$}" {
			p = "/"
		}
		body := get(t, w.Handler(), p, "").Body.String()
		refs := ref.FindAllStringSubmatch(body, -1)
		if len(refs) < 2 {
			t.Errorf("%s links %d assets", p, len(refs))
		}
		for _, m := range refs {
			a, ok := w.assets[strings.TrimPrefix(m[1], staticPrefix)]
			if !ok || a.version != m[2] {
				t.Errorf("%s links %s?v=%s: not the embedded file", p, m[1], m[2])
			}
		}
	}
}

// embedded returns every embedded file (templates, dictionary, static).
func embedded(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(assetFS, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assetFS, name)
		out[name] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 15 {
		t.Fatalf("only %d embedded files", len(out))
	}
	return out
}

// The machines have no internet: no asset may load anything from
// elsewhere (a CDN, a web font, a protocol-relative URL).
func TestNoExternalURLs(t *testing.T) {
	bad := regexp.MustCompile(`(?i)(https?:|wss?:|ftp:)//|(?:src|href|action)\s*=\s*["']?//|url\(\s*["']?//|@import`)
	for name, text := range embedded(t) {
		for i, line := range strings.Split(text, "\n") {
			if m := bad.FindString(line); m != "" {
				t.Errorf("%s:%d: external reference %q", name, i+1, m)
			}
		}
	}
	// And the pages as served.
	w := newWeb(t)
	for pattern := range pages {
		p := strings.TrimPrefix(strings.TrimPrefix(pattern, "GET "), "/{$}")
		if p == "" {
			p = "/"
		}
		if m := bad.FindString(get(t, w.Handler(), p, "").Body.String()); m != "" {
			t.Errorf("%s: external reference %q", p, m)
		}
	}
}

// The scripts parse (node --check), where node is installed.
func TestJavaScriptParses(t *testing.T) {
	node := nodePath(t)
	dir := t.TempDir()
	n := 0
	for name, text := range embedded(t) {
		if path.Ext(name) != ".js" {
			continue
		}
		n++
		f := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", name, err, out)
		}
	}
	if n < 10 {
		t.Errorf("checked %d scripts", n)
	}
}

// Every label the templates and scripts name exists in both languages,
// and so does every name the scripts build from data: rules, measures,
// severities, states, categories, kinds, school types, matchers, regions.
func TestDictionaryCovers(t *testing.T) {
	w := newWeb(t)
	used := map[string]bool{}
	pats := []*regexp.Regexp{
		regexp.MustCompile(`\{\{tr? "([^"]+)"`),
		regexp.MustCompile(`data-i18n(?:-placeholder|-title)?="([a-z0-9_.]+)"`),
		regexp.MustCompile(`\bT\('([a-z0-9_.]+)'\s*[,)]`),
		regexp.MustCompile(`'data-i18n': '([a-z0-9_.]+)'`),
		regexp.MustCompile(`\brow\('([a-z0-9_.]+)'`),
		regexp.MustCompile(`\? '([a-z0-9_]+\.[a-z0-9_.]+)' : '([a-z0-9_]+\.[a-z0-9_.]+)'`),
	}
	for name, text := range embedded(t) {
		if name == "assets/i18n.json" {
			continue
		}
		for _, re := range pats {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				for _, k := range m[1:] {
					if k != "" {
						used[k] = true
					}
				}
			}
		}
	}
	if len(used) < 150 {
		t.Fatalf("found only %d labels in use", len(used))
	}
	add := func(prefix string, names ...string) {
		for _, n := range names {
			used[prefix+n] = true
		}
	}
	for _, r := range alerting.Catalogue {
		add("rule.", string(r.ID))
	}
	for _, m := range compliance.Measures {
		add("measure.", string(m))
	}
	add("sev.", "P0", "P1", "P2", "P3")
	add("state.", string(alerting.Firing), string(alerting.Acknowledged), string(alerting.Resolved))
	add("conn.", "connecting", "live", "reconnecting", "down", "idle")
	add("device.", "ok", "trouble", "offline")
	add("silence.", "active", "pending", "expired")
	add("login.", "error", "error_rate_limited")
	add("matcher.", lifecycle.MatcherNames...)
	// The handling loop (handling.js, alerts.js): owners, handling states,
	// what a school's to-do waits for, and the refusals by status.
	for _, a := range alerting.Audiences {
		if a != alerting.SchoolAud {
			add("owner.", string(a))
		}
	}
	add("handling.", string(alerting.Reported), string(alerting.Returned), "received",
		"error_bad_request", "error_forbidden", "error_gone", "error_conflict")
	add("todo.", "returned", "receipt", "report")
	add("action.", "ack", "confirm", "receive", "resolve", "verify")
	for c := range devices.ViolationCategories {
		add("cat.", c)
	}
	for _, k := range []devices.Kind{devices.KindAlarm, devices.KindAccess, devices.KindGuard, devices.KindKitchenCam} {
		add("kind.", string(k))
	}
	for _, st := range devices.SchoolTypes {
		add("type.", string(st))
	}
	for _, r := range devices.ChengdeRegions() {
		add("region.", r.Code)
		if w.dict["region."+r.Code].ZH != r.Name {
			t.Errorf("region.%s is %q, the registry says %q", r.Code, w.dict["region."+r.Code].ZH, r.Name)
		}
	}
	var missing []string
	for k := range used {
		if e, ok := w.dict[k]; !ok || e.ZH == "" || e.EN == "" {
			missing = append(missing, k)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("labels without both languages: %q", missing)
	}
	// The rule names are the catalogue's.
	for _, r := range alerting.Catalogue {
		if e := w.dict["rule."+string(r.ID)]; e.ZH != r.TitleZH || e.EN != r.TitleEN {
			t.Errorf("rule.%s is %+v, the catalogue says %q / %q", r.ID, e, r.TitleZH, r.TitleEN)
		}
	}
}

// The police board's takeover starts over on a new press of an open panic
// (event "repeated"): testdata/takeover_test.js drives takeover.js in node.
func TestTakeoverJS(t *testing.T) {
	node := nodePath(t)
	f := filepath.Join(t.TempDir(), "takeover.js")
	if err := os.WriteFile(f, []byte(embedded(t)["assets/static/js/takeover.js"]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("testdata", "takeover_test.js"), f).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("takeover_test.js: %v\n%s", err, out)
	}
}

// nodePath finds node for the scripts' tests. Without it they skip, unless
// CAMPUSGUARD_REQUIRE_SERVERS is set (make test, CI: make deps-browser
// installs it), where a missing node is a failure, not a silent pass.
func nodePath(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CAMPUSGUARD_REQUIRE_SERVERS") != "" {
			t.Fatal("node not installed (make deps-browser installs nodejs)")
		}
		t.Skip("node not installed: scripts not checked")
	}
	return node
}
