package auth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/campusguard/campusguard/dashboards/api"
)

// SessionInfo is the answer of GET /api/v1/session and of a JSON login:
// who is logged in and the CSRF token their pages send back.
type SessionInfo struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name"`
	Role        string   `json:"role"`
	Regions     []string `json:"regions"`
	Schools     []string `json:"schools"`
	CSRFToken   string   `json:"csrf_token"` // "" for an API token, which needs none
	Redirect    string   `json:"redirect,omitempty"`
}

func sessionInfo(v api.Viewer, displayName, csrf string) SessionInfo {
	s := SessionInfo{Name: v.Name, DisplayName: displayName, Role: v.Role, Regions: v.Regions, Schools: v.Schools, CSRFToken: csrf}
	if s.DisplayName == "" {
		s.DisplayName = v.Name
	}
	if s.Regions == nil {
		s.Regions = []string{}
	}
	if s.Schools == nil {
		s.Schools = []string{}
	}
	return s
}

// SessionHandler serves GET /api/v1/session: the SessionInfo of the
// requester. Mount it behind Middleware.
func (a *Auth) SessionHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, newError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "只支持 GET", "only GET is allowed"))
			return
		}
		c, ok := credFrom(r.Context())
		if !ok {
			writeError(w, r, errUnauthenticated)
			return
		}
		writeJSON(w, http.StatusOK, sessionInfo(c.viewer, c.displayName, c.csrf))
	})
}

// credentials is the body of a login.
type credentials struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Next     string `json:"next"`
}

// Bounds of a login body.
const (
	maxLoginBody = 16 << 10
	maxNameBytes = 256
)

// LoginHandler serves POST /login, a form (name, password, next) or JSON
// {"name", "password", "next"}. Success starts a session (cookie cg_session)
// and answers a form with a 303 to next (a same-site path, else "/") and
// JSON with 200 and the SessionInfo. Failure answers JSON with 401
// (login_failed) or 429 (rate_limited, with Retry-After), and a form with
// a 303 back to /login?error=failed|rate_limited&next=..., so that the
// page can say so. GET /login is the web package's page.
func (a *Auth) LoginHandler() http.Handler { return http.HandlerFunc(a.login) }

func (a *Auth) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, r, errPostOnly)
		return
	}
	if err := a.cop.Check(r); err != nil { // login CSRF, should the handler be mounted bare
		writeError(w, r, errCrossOrigin)
		return
	}
	form := isForm(r)
	cr, err := readCredentials(w, r, form)
	if err != nil {
		writeError(w, r, newError(http.StatusBadRequest, codeBadBody, "请求体无效："+err.Error(), "bad body: "+err.Error()))
		return
	}
	next := safeNext(cr.Next)
	if cr.Name == "" || cr.Password == "" {
		a.loginFailed(w, r, form, next, errLoginMissing, "missing")
		return
	}
	ip := a.clientIP(r)
	now := a.opts.Clock()
	retryU, blockedU := a.userLim.blocked(cr.Name, now)
	retryI, blockedI := a.ipLim.blocked(ip, now)
	if blockedU || blockedI {
		retry := 0
		if blockedU {
			retry = retrySeconds(retryU)
		}
		if blockedI {
			retry = max(retry, retrySeconds(retryI))
		}
		a.metrics.logins.WithLabelValues(resultRateLimited).Inc()
		a.metrics.rateLimited.Inc()
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		a.loginFailed(w, r, form, next, rateLimitedError(retry), "rate_limited")
		return
	}

	us := a.users.Load()
	u, known := us.users[cr.Name]
	hash := a.dummy() // unknown users cost the same bcrypt comparison
	if known {
		hash = []byte(u.PasswordHash)
	}
	select {
	case a.bcryptQ <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	match := CheckPassword(string(hash), cr.Password)
	<-a.bcryptQ
	if !known || !match {
		a.metrics.logins.WithLabelValues(resultFailed).Inc()
		now = a.opts.Clock()
		if a.userLim.fail(cr.Name, now) {
			a.log.Warn().Str("user", truncate(cr.Name, maxActorName)).Msg("login rate limit reached for user name")
		}
		if a.ipLim.fail(ip, now) {
			a.log.Warn().Str("ip", ip).Msg("login rate limit reached for client address")
		}
		a.audit(r, AuditEvent{Actor: cr.Name, Action: ActionLoginFailed})
		a.loginFailed(w, r, form, next, errLoginFailed, "failed")
		return
	}

	a.userLim.reset(cr.Name)
	if old, err := r.Cookie(CookieName); err == nil && old.Value != "" {
		a.sessions.delete(old.Value) // a new id on every login: no session fixation
	}
	id, sess := a.sessions.create(u.Name, u.PasswordHash, a.opts.Clock())
	http.SetCookie(w, a.cookie(id, 0))
	a.metrics.logins.WithLabelValues(resultOK).Inc()
	v := u.Viewer()
	a.audit(r, AuditEvent{Actor: v.Name, Role: v.Role, Action: ActionLogin})
	if form {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	info := sessionInfo(v, u.DisplayName, sess.csrf)
	info.Redirect = next
	writeJSON(w, http.StatusOK, info)
}

// loginFailed answers a failed login: JSON with e, a form with a 303 back
// to the login page carrying the reason.
func (a *Auth) loginFailed(w http.ResponseWriter, r *http.Request, form bool, next string, e *apiError, reason string) {
	if !form {
		writeError(w, r, e)
		return
	}
	q := url.Values{"error": {reason}}
	if next != "/" {
		q.Set("next", next)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
}

// readCredentials reads a login form or JSON body.
func readCredentials(w http.ResponseWriter, r *http.Request, form bool) (credentials, error) {
	var cr credentials
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if form {
		if err := r.ParseMultipartForm(maxLoginBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return cr, errors.New("unreadable form")
		}
		cr = credentials{Name: r.PostFormValue("name"), Password: r.PostFormValue("password"), Next: r.PostFormValue("next")}
		if cr.Next == "" {
			cr.Next = r.URL.Query().Get("next")
		}
	} else {
		if mt := mediaType(r); mt != "application/json" {
			return cr, errors.New("want a form or application/json")
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cr); err != nil {
			return cr, errors.New("not a JSON object of name and password")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return cr, errors.New("more than one JSON value")
		}
	}
	cr.Name = strings.TrimSpace(cr.Name)
	if len(cr.Name) > maxNameBytes || len(cr.Password) > 4*MaxPasswordBytes {
		return cr, errors.New("name or password too long")
	}
	return cr, nil
}

// safeNext returns next if it is a path on this site, else "/": no
// scheme, no host, no "//" or backslash that a browser would read as
// another host, no control characters, and not the login page itself.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(u.Path, "//") || u.Path == "/login" {
		return "/"
	}
	return next
}

// LogoutHandler serves POST /logout: it ends the session and deletes its
// cookie, then answers a form with a 303 to /login and anything else with
// 204. Mount it behind Middleware, which checks the CSRF token.
func (a *Auth) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, r, errPostOnly)
			return
		}
		c, ok := credFrom(r.Context())
		if !ok {
			writeError(w, r, errUnauthenticated)
			return
		}
		if c.sessionID != "" {
			a.sessions.delete(c.sessionID)
			a.revoked.notify()
			http.SetCookie(w, a.cookie("", -1))
			a.audit(r, AuditEvent{Actor: c.viewer.Name, Role: c.viewer.Role, Action: ActionLogout})
		}
		w.Header().Set("Cache-Control", "no-store")
		if isForm(r) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
