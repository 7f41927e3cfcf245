package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/httpgzip"
)

// Options configure the web UI.
type Options struct {
	Logger zerolog.Logger
	// Clock is the server's time (default time.Now); every page carries it
	// (data-now) so that "today", ages and response clocks follow the
	// server, not the clock of the screen's computer.
	Clock func() time.Time
}

// Web serves the pages and their static files. Build it with New; it is
// safe for concurrent use.
type Web struct {
	log     zerolog.Logger
	dict    dictionary
	assets  map[string]*asset
	pages   map[string]*template.Template // by page name
	handler http.Handler
	clock   func() time.Time
}

// page is one HTML page: a shell whose scripts read the API.
type page struct {
	name    string   // template file assets/templates/<name>.html
	title   string   // dictionary key of the title
	theme   string   // "dark" for the wall screen
	bare    bool     // no navigation and no session (the login page)
	roles   []string // who may open it; none: every logged-in user
	scripts []string // static files, after common.js
}

// Who may open each board: a page outside one's role answers 403, not an
// empty (filtered) board. The admin opens every page.
var (
	policeRoles    = []string{api.RoleAdmin, api.RolePolice}
	educationRoles = []string{api.RoleAdmin, api.RoleEducation}
	marketRoles    = []string{api.RoleAdmin, api.RoleMarket}
	// A school's board is also where the police look into one school
	// (?school=): its alarm terminals and registered alarm test windows,
	// the "one-button alarm linked to the police" measure they answer for.
	// Education and market look into a school from their own boards.
	schoolRoles = []string{api.RoleAdmin, api.RoleSchool, api.RolePolice}
	// silenceRoles may manage silences (the API decides on each one).
	silenceRoles = []string{api.RoleAdmin, api.RolePolice, api.RoleEducation, api.RoleMarket}
)

// pages by route pattern.
var pages = map[string]page{
	"GET /login":               {name: "login", title: "login.title", bare: true, scripts: []string{"js/login.js"}},
	"GET /{$}":                 {name: "root", title: "app.name", scripts: []string{"js/root.js"}},
	"GET /board/police":        {name: "police", title: "police.title", theme: "dark", roles: policeRoles, scripts: []string{"js/alerts.js", "js/takeover.js", "js/police.js"}},
	"GET /board/education":     {name: "education", title: "education.title", roles: educationRoles, scripts: []string{"js/alerts.js", "js/chart.js", "js/numbers.js", "js/education.js"}},
	"GET /board/market":        {name: "market", title: "market.title", roles: marketRoles, scripts: []string{"js/alerts.js", "js/market.js"}},
	"GET /board/market/report": {name: "report", title: "report.title", roles: marketRoles, scripts: []string{"js/report.js"}},
	"GET /board/school":        {name: "school", title: "school.title", roles: schoolRoles, scripts: []string{"js/alerts.js", "js/school.js", "js/alarmtests.js"}},
	"GET /silences":            {name: "silences", title: "silences.title", roles: silenceRoles, scripts: []string{"js/silences.js"}},
}

// Extra templates rendered outside the page table.
const (
	pageNotFound  = "notfound"
	pageForbidden = "forbidden"
)

// pageData is what a page template sees.
type pageData struct {
	Name       string
	Title      string // dictionary key
	Theme      string
	Bare       bool
	Scripts    []string
	LoginError string // dictionary key of the login error to show
	Next       string
	Rules      []alerting.RuleInfo
	Dict       dictionary
	RuleMeta   map[alerting.RuleID]ruleMeta // the catalogue's owner per rule, for the scripts
	Now        int64                        // the server's time, ms since the epoch (common.js CG.now)
}

// ruleMeta is what the pages' scripts need of a rule's catalogue entry:
// the agency that closes its alerts, and whether a human must close them.
// The API names the owner on each alert; this covers alerts recorded
// before it did, and the steps the page offers when an alert carries no
// "can" (handling.js).
type ruleMeta struct {
	Owner      alerting.Audience `json:"owner"`
	NeedsClose bool              `json:"needs_close"`
}

// ruleMetas is the catalogue's ruleMeta by rule.
var ruleMetas = func() map[alerting.RuleID]ruleMeta {
	m := make(map[alerting.RuleID]ruleMeta, len(alerting.Catalogue))
	for _, r := range alerting.Catalogue {
		m[r.ID] = ruleMeta{Owner: r.Owner, NeedsClose: r.NeedsClose}
	}
	return m
}()

// New builds the web UI: it loads the dictionary, the static files and
// the templates, and renders every page once so that a missing label or
// file fails here rather than in front of a user. It starts nothing.
func New(opts Options) (*Web, error) {
	w := &Web{log: opts.Logger.With().Str("component", "dashboards.web").Logger(), pages: map[string]*template.Template{},
		clock: opts.Clock}
	if w.clock == nil {
		w.clock = time.Now
	}
	var err error
	if w.dict, err = loadDictionary(); err != nil {
		return nil, err
	}
	if w.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"t": w.dict.zh, "en": w.dict.en, "tr": w.dict.span, "asset": w.assetURL, "roles": pageRoles}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assetFS,
		"assets/templates/layout.html", "assets/templates/alertpanel.html", "assets/templates/reviewpanel.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	names := []string{pageNotFound, pageForbidden}
	for _, p := range pages {
		names = append(names, p.name)
	}
	for _, name := range names {
		t, err := template.Must(layout.Clone()).ParseFS(assetFS, "assets/templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		w.pages[name] = t
	}
	mux := http.NewServeMux()
	for pattern, p := range pages {
		if _, err := w.render(p.name, w.data(p)); err != nil {
			return nil, err
		}
		mux.HandleFunc(pattern, w.pageHandler(p))
	}
	for _, name := range []string{pageNotFound, pageForbidden} {
		if _, err := w.render(name, w.data(page{name: name, title: "error." + name})); err != nil {
			return nil, err
		}
	}
	mux.HandleFunc("GET "+staticPrefix, w.serveStatic)
	mux.HandleFunc("GET /board/{$}", func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "/", http.StatusFound)
	})
	mux.HandleFunc("GET /", w.notFound)
	w.handler = httpgzip.Handler(mux) // the pages; static files come gzipped already

	return w, nil
}

// Handler returns the handler of /login, /, /board/..., /silences and
// /static/. Mount it behind the auth middleware, which lets /login and
// /static/ through without a login and sends anyone else there.
func (w *Web) Handler() http.Handler { return w.handler }

// pageRoles returns the roles that may open the page at path, space
// separated, for the navigation's data-roles (the page table is the one
// source of who sees which link).
func pageRoles(path string) (string, error) {
	p, ok := pages["GET "+path]
	if !ok || len(p.roles) == 0 {
		return "", fmt.Errorf("web: no role list for page %s", path)
	}
	return strings.Join(p.roles, " "), nil
}

// BoardFor returns the board a role lands on.
func BoardFor(role string) string {
	switch role {
	case api.RoleEducation:
		return "/board/education"
	case api.RoleMarket:
		return "/board/market"
	case api.RoleSchool:
		return "/board/school"
	default: // police, admin
		return "/board/police"
	}
}

func (w *Web) data(p page) pageData {
	scripts := []string{"js/common.js"}
	for _, s := range p.scripts {
		if s == "js/alerts.js" { // alertstore.js keeps the alerts, alerttable.js draws long tables, the panel asks handling.js what to offer
			scripts = append(scripts, "js/alertstore.js", "js/alerttable.js", "js/handling.js")
		}
		scripts = append(scripts, s)
	}
	return pageData{Name: p.name, Title: p.title, Theme: p.theme, Bare: p.bare, Scripts: scripts,
		Rules: alerting.Catalogue, Dict: w.dict, RuleMeta: ruleMetas, Now: w.clock().UnixMilli()}
}

func (w *Web) pageHandler(p page) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		v, known := api.ViewerFrom(r.Context())
		switch {
		case p.name == "root" && known:
			http.Redirect(rw, r, BoardFor(v.Role), http.StatusFound)
			return
		case known && len(p.roles) > 0 && !slices.Contains(p.roles, v.Role):
			w.page(rw, r, http.StatusForbidden, pageForbidden, w.data(page{name: pageForbidden, title: "error.forbidden"}))
			return
		}
		d := w.data(p)
		if p.name == "silences" && known {
			d.Rules = silenceable(v)
		}
		if p.name == "login" {
			q := r.URL.Query()
			switch q.Get("error") {
			case "":
			case "rate_limited": // the auth middleware's codes
				d.LoginError = "login.error_rate_limited"
			default: // failed, missing, 1...
				d.LoginError = "login.error"
			}
			d.Next = safeNext(q.Get("next"))
		}
		w.page(rw, r, http.StatusOK, p.name, d)
	}
}

// silenceable returns the rules v may silence (the API decides; this
// only keeps the others out of the form's choices).
func silenceable(v api.Viewer) []alerting.RuleInfo {
	by := v.Silencer()
	var out []alerting.RuleInfo
	for _, r := range alerting.Catalogue {
		s := lifecycle.Silence{Matchers: []lifecycle.Matcher{{Name: "rule", Value: string(r.ID)}}}
		if lifecycle.CheckScope(&s, by) == nil {
			out = append(out, r)
		}
	}
	return out
}

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.page(rw, r, http.StatusNotFound, pageNotFound, w.data(page{name: pageNotFound, title: "error.notfound"}))
}

// render executes the page template name.
func (w *Web) render(name string, d pageData) ([]byte, error) {
	var b bytes.Buffer
	if err := w.pages[name].ExecuteTemplate(&b, "layout", d); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// csp allows nothing but this origin: no inline script, no external
// resource (the machines have no internet anyway).
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// page answers a rendered page; pages are never cached (they follow the
// session), their static files are.
func (w *Web) page(rw http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	b, err := w.render(name, d)
	if err != nil { // rendered once in New: cannot happen
		w.log.Error().Err(err).Str("path", r.URL.Path).Msg("render page")
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	rw.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(b)
	}
}

// safeNext keeps a post-login target only when it is a path on this site
// (not "//host" or "/\host", which browsers take for another origin).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return ""
	}
	return next
}
