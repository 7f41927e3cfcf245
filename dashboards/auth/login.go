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
	if errors.Is(err, errTooLarge) {
		writeError(w, r, errBodyTooLarge)
		return
	}
	if err != nil {
		writeError(w, r, newError(http.StatusBadRequest, codeBadBody, "请求体无效："+err.Error(), "bad body: "+err.Error()))
		return
	}
	next := safeNext(cr.Next)
	if cr.Name == "" || cr.Password == "" {
		a.loginFailed(w, r, form, next, errLoginMissing, "missing")
		return
	}
	// Each attempt takes its place in the limits before the password is
	// checked, so parallel attempts cannot all slip under them. The user
	// name counts per address: failures from elsewhere never lock an
	// account out.
	addr := addressKey(a.clientIP(r))
	userKey := cr.Name + "\x00" + addr
	now := a.opts.Clock()
	retry, ok := a.userLim.reserve(userKey, now)
	if ok {
		if retry, ok = a.ipLim.reserve(addr, now); !ok {
			a.userLim.release(userKey)
		}
	}
	if !ok {
		a.rateLimited(w, r, form, next, resultRateLimited, retrySeconds(retry))
		return
	}
	if !a.gate.enter(addr) { // too many checks in progress: not counted as a failure
		a.userLim.release(userKey)
		a.ipLim.release(addr)
		a.rateLimited(w, r, form, next, resultBusy, 1)
		return
	}
	us := a.users.Load()
	u, known := us.users[cr.Name]
	var hash []byte
	if known {
		hash = []byte(u.PasswordHash)
	} else {
		hash = a.dummy() // unknown users cost the same bcrypt comparison
	}
	if a.gate.onTest != nil {
		a.gate.onTest()
	}
	match := CheckPassword(string(hash), cr.Password)
	a.metrics.checks.Inc()
	a.gate.leave(addr)
	if !known || !match { // the failure keeps its places in the limits
		a.metrics.logins.WithLabelValues(resultFailed).Inc()
		now = a.opts.Clock()
		if a.userLim.full(userKey, now) {
			a.log.Warn().Str("user", truncate(cr.Name, maxActorName)).Str("ip", addr).Msg("login rate limit reached for user name at this address")
		}
		if a.ipLim.full(addr, now) {
			a.log.Warn().Str("ip", addr).Msg("login rate limit reached for client address")
		}
		a.audit(r, AuditEvent{Actor: cr.Name, Action: ActionLoginFailed})
		a.loginFailed(w, r, form, next, errLoginFailed, "failed")
		return
	}

	a.userLim.reset(userKey)
	a.ipLim.release(addr) // a success does not count against its address
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

// rateLimited answers a login that was not checked: 429 with Retry-After
// (retry seconds), or for a form a 303 back to the login page.
func (a *Auth) rateLimited(w http.ResponseWriter, r *http.Request, form bool, next, result string, retry int) {
	a.metrics.logins.WithLabelValues(result).Inc()
	a.metrics.rateLimited.Inc()
	w.Header().Set("Retry-After", strconv.Itoa(retry))
	e := rateLimitedError(retry)
	if result == resultBusy {
		e = busyError(retry)
	}
	a.loginFailed(w, r, form, next, e, "rate_limited")
}

// readCredentials reads a login form or JSON body.
func readCredentials(w http.ResponseWriter, r *http.Request, form bool) (credentials, error) {
	var cr credentials
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if form {
		if err := r.ParseMultipartForm(maxLoginBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			if tooLarge(err) {
				return cr, errTooLarge
			}
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
			if tooLarge(err) {
				return cr, errTooLarge
			}
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
