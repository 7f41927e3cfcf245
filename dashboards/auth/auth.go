package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/dashboards/api"
)

// Defaults of Options.
const (
	DefaultSessionTTL         = 12 * time.Hour
	DefaultMaxFailuresPerUser = 5
	DefaultMaxFailuresPerIP   = 20 // a school's staff often share one NAT address
	DefaultFailureWindow      = 5 * time.Minute
)

// DefaultMaxConcurrentChecks is the default of Options.MaxConcurrentChecks:
// one bcrypt comparison per core, and at least 4.
func DefaultMaxConcurrentChecks() int { return max(4, runtime.GOMAXPROCS(0)) }

// CookieName is the session cookie.
const CookieName = "cg_session"

// Header and form field that carry the CSRF token of a session.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "csrf_token"
)

// Options configure an Auth. Users is required.
type Options struct {
	Users *Users
	// Clock defaults to time.Now.
	Clock func() time.Time
	// SessionTTL is how long a session lives without use; each request
	// renews it. Default DefaultSessionTTL.
	SessionTTL time.Duration
	// InsecureCookies drops the Secure flag of the session cookie, for a
	// plain-HTTP demo on one machine only; New logs a warning. The zero
	// value is the safe one.
	InsecureCookies bool
	// Failed logins allowed within FailureWindow per user name at one
	// client address, and per client address (an IPv6 address counts by
	// its /64), before further attempts from there get 429. An attempt
	// counts from the moment it arrives, before its password is checked.
	// Defaults above.
	MaxFailuresPerUser int
	MaxFailuresPerIP   int
	FailureWindow      time.Duration
	// MaxConcurrentChecks bounds the bcrypt comparisons running at once
	// (at most one per client address); a login finding none free gets
	// 429 with Retry-After: 1 at once. Default DefaultMaxConcurrentChecks.
	MaxConcurrentChecks int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed for the client address (rate limits, audit). Empty: the
	// peer address is the client.
	TrustedProxies []netip.Prefix
	// Audit receives the audit events; nil logs them to Logger.
	Audit Auditor
	// Refresh, when set, is called when a request brings an API token
	// nobody has, before it is refused: it reloads the users (SetUsers)
	// if their file changed and reports whether it did, and the token is
	// then looked up again. A token made by `campusguard user token`
	// thus works on its first use (FileWatcher.Check).
	Refresh func() bool

	Logger     zerolog.Logger
	Registerer prometheus.Registerer
}

// Validate checks opts and fills in the defaults.
func (o *Options) Validate() error {
	if o.Users == nil {
		return errors.New("auth: options: users is required")
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{{"session TTL", &o.SessionTTL, DefaultSessionTTL}, {"failure window", &o.FailureWindow, DefaultFailureWindow}} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			return fmt.Errorf("auth: options: %s must be positive: %s", d.name, *d.v)
		}
	}
	for _, n := range []struct {
		name string
		v    *int
		def  int
	}{{"max failures per user", &o.MaxFailuresPerUser, DefaultMaxFailuresPerUser}, {"max failures per IP", &o.MaxFailuresPerIP, DefaultMaxFailuresPerIP},
		{"max concurrent checks", &o.MaxConcurrentChecks, DefaultMaxConcurrentChecks()}} {
		switch {
		case *n.v == 0:
			*n.v = n.def
		case *n.v < 0:
			return fmt.Errorf("auth: options: %s must be positive: %d", n.name, *n.v)
		}
	}
	if o.Audit == nil {
		o.Audit = LogAuditor{Logger: o.Logger}
	}
	return nil
}

// Auth authenticates requests: API tokens and login sessions. Build it
// with New; it is safe for concurrent use.
type Auth struct {
	opts     Options
	log      zerolog.Logger
	users    atomic.Pointer[Users]
	sessions *sessionStore
	userLim  *limiter
	ipLim    *limiter
	metrics  *metrics
	cop      *http.CrossOriginProtection
	dummy    func() []byte // a bcrypt hash to compare unknown users against
	gate     *checkGate    // bounds concurrent bcrypt comparisons
	revoked  revoker
}

// New builds an Auth from opts. It starts nothing.
func New(opts Options) (*Auth, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	a := &Auth{
		opts:     opts,
		log:      opts.Logger.With().Str("component", "dashboards.auth").Logger(),
		sessions: newSessionStore(opts.SessionTTL),
		userLim:  newLimiter(opts.MaxFailuresPerUser, opts.FailureWindow),
		ipLim:    newLimiter(opts.MaxFailuresPerIP, opts.FailureWindow),
		cop:      http.NewCrossOriginProtection(),
		gate:     newCheckGate(opts.MaxConcurrentChecks),
	}
	// The dummy costs what the users' hashes cost, so that an unknown
	// name takes as long as a known one; it is made at the first login
	// of an unknown name.
	a.dummy = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte(randomID()[:MaxPasswordBytes/2]), a.users.Load().cost())
		return h
	})
	m, err := newMetrics(opts.Registerer, func() float64 { return float64(a.sessions.live(a.opts.Clock())) })
	if err != nil {
		return nil, err
	}
	a.metrics = m
	if opts.InsecureCookies {
		a.log.Warn().Msg("session cookies without the Secure flag: use only for a plain-HTTP demo on one machine")
	}
	a.SetUsers(opts.Users)
	return a, nil
}

// SetUsers replaces the users and tokens, atomically: requests after it
// see only the new ones. Sessions of removed users, or of users whose
// password changed, end; so do open event streams that relied on them.
func (a *Auth) SetUsers(us *Users) {
	if us == nil {
		return
	}
	a.users.Store(us)
	ended := a.sessions.retain(a.opts.Clock(), func(s *session) bool {
		u, ok := us.users[s.user]
		return ok && u.PasswordHash == s.pwHash
	})
	a.revoked.notify()
	ev := a.log.Info().Int("users", len(us.users)).Int("tokens", len(us.tokens)).Int("sessions_ended", ended)
	if len(us.users)+len(us.tokens) == 0 {
		ev = a.log.Warn().Int("users", 0).Int("tokens", 0)
	}
	ev.Msg("users loaded")
	for _, n := range us.order {
		if c, err := bcrypt.Cost([]byte(us.users[n].PasswordHash)); err == nil && c < bcrypt.DefaultCost {
			a.log.Warn().Str("user", n).Int("cost", c).Msg("weak password hash: reset it with campusguard user passwd")
		}
	}
}

// Users returns the current users and tokens.
func (a *Auth) Users() *Users { return a.users.Load() }

// credential is who a request was authenticated as.
type credential struct {
	viewer      api.Viewer
	displayName string
	sessionID   string // login session; "" for a token
	csrf        string
	token       [sha256.Size]byte // API token digest, when tokenName is set
	tokenName   string
}

type credKey struct{}

func credFrom(ctx context.Context) (*credential, bool) {
	c, ok := ctx.Value(credKey{}).(*credential)
	return c, ok
}

// CSRFToken returns the CSRF token of r's login session, for pages to put
// into forms as the csrf_token field; "" without a session.
func CSRFToken(r *http.Request) string {
	if c, ok := credFrom(r.Context()); ok {
		return c.csrf
	}
	return ""
}

// publicPaths pass without a viewer; an entry ending in "/" is a
// prefix, any other an exact path.
var publicPaths = []string{"/login", "/static/", "/healthz", "/readyz", "/metrics"}

// isPublic reports whether p may be served without a login. Only clean
// paths qualify: "/static/../api/v1/alerts" is not public (ServeMux
// would redirect it to the cleaned path, which is then checked).
func isPublic(p string) bool {
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		return false
	}
	for _, pub := range publicPaths {
		if p == pub || (strings.HasSuffix(pub, "/") && strings.HasPrefix(p, pub)) {
			return true
		}
	}
	return false
}

// Middleware authenticates each request and puts its api.Viewer into the
// request context (api.WithViewer), from an "Authorization: Bearer" API
// token or else the session cookie. It refuses cross-origin browser
// requests that change state (403), session requests that change state
// without the session's CSRF token (403), wrong tokens (401), and
// anonymous requests: 401 under /api/, a 303 to /login?next=... for pages.
// Public paths pass without a viewer, except that /readyz gets the
// viewer of valid credentials when it has them (it shows an admin more
// than the anonymous ready/not ready). It records acknowledgements,
// resolutions, silences and exports that succeed in the audit log.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.cop.Check(r); err != nil {
			a.log.Debug().Err(err).Str("path", r.URL.Path).Msg("cross-origin request refused")
			writeError(w, r, errCrossOrigin)
			return
		}
		if isPublic(r.URL.Path) {
			if r.URL.Path == "/readyz" { // public, with details for whoever logged in
				if cred, e := a.authenticate(w, r); e == nil && cred != nil {
					r = r.WithContext(context.WithValue(api.WithViewer(r.Context(), cred.viewer), credKey{}, cred))
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		cred, e := a.authenticate(w, r)
		switch {
		case e != nil:
			writeError(w, r, e)
			return
		case cred == nil:
			a.anonymous(w, r)
			return
		case cred.sessionID != "" && changesState(r.Method):
			if e := csrfCheck(w, r, cred.csrf); e != nil {
				writeError(w, r, e)
				return
			}
		}
		r = r.WithContext(context.WithValue(api.WithViewer(r.Context(), cred.viewer), credKey{}, cred))
		if isStream(r) {
			a.serveStream(w, r, cred, next)
			return
		}
		if action, target, ok := auditedAction(r); ok {
			a.serveAudited(w, r, cred, action, target, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate returns the credential of r: nil for an anonymous request,
// an error for a wrong API token. A stale session cookie is cleared.
func (a *Auth) authenticate(w http.ResponseWriter, r *http.Request) (*credential, *apiError) {
	us := a.users.Load()
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return nil, errBadToken
		}
		t, ok := us.token(secret)
		if !ok && a.opts.Refresh != nil && a.opts.Refresh() {
			t, ok = a.users.Load().token(secret)
		}
		if !ok {
			a.log.Debug().Str("ip", a.clientIP(r)).Msg("unknown API token refused")
			return nil, errBadToken
		}
		return &credential{viewer: t.Viewer(), token: sha256.Sum256([]byte(secret)), tokenName: t.Name}, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	if u, sess, ok := a.session(us, c.Value, true); ok {
		return &credential{viewer: u.Viewer(), displayName: u.DisplayName, sessionID: c.Value, csrf: sess.csrf}, nil
	}
	http.SetCookie(w, a.cookie("", -1))
	return nil, nil
}

// session returns the live session of id and its user; a session whose
// user is gone or has a new password is ended.
func (a *Auth) session(us *Users, id string, renew bool) (*User, session, bool) {
	sess, ok := a.sessions.get(id, a.opts.Clock(), renew)
	if !ok {
		return nil, session{}, false
	}
	u, ok := us.users[sess.user]
	if !ok || u.PasswordHash != sess.pwHash {
		a.sessions.delete(id)
		return nil, session{}, false
	}
	return u, sess, true
}

// anonymous answers a request without credentials.
func (a *Auth) anonymous(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		writeError(w, r, errUnauthenticated)
		return
	}
	target := "/login"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// changesState reports whether method may change state (the methods CSRF
// protection covers).
func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// csrfCheck checks that r carries the session's CSRF token, in the
// X-CSRF-Token header or, for a form, the csrf_token field. A form is read
// through a MaxBodyBytes bound: a larger body is refused with 413 before
// the rest of it is read.
func csrfCheck(w http.ResponseWriter, r *http.Request, want string) *apiError {
	got := r.Header.Get(CSRFHeader)
	if got == "" && isForm(r) {
		if r.ContentLength > MaxBodyBytes {
			return errBodyTooLarge
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		var err error
		if mediaType(r) == "multipart/form-data" {
			err = r.ParseMultipartForm(MaxBodyBytes)
		} else {
			err = r.ParseForm()
		}
		if tooLarge(err) {
			return errBodyTooLarge
		}
		got = r.PostFormValue(CSRFField)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// serveAudited serves an auditable request and records it if it succeeded.
func (a *Auth) serveAudited(w http.ResponseWriter, r *http.Request, cred *credential, action, target string, next http.Handler) {
	var tap *bodyTap
	if r.Body != nil && r.Body != http.NoBody {
		tap = &bodyTap{ReadCloser: r.Body}
		r.Body = tap
		if action == ActionSilenceCreate {
			// Keep what was asked even when the handler refuses it unread
			// (a role that may not silence): the handler reads it again.
			tap.prefetch()
		}
	}
	sw := &statusWriter{ResponseWriter: w}
	next.ServeHTTP(sw, r)
	var body []byte
	if tap != nil {
		body = tap.buf.Bytes()
	}
	code := sw.status()
	if refusedSilence(action, code) {
		// Someone tried to mute what they may not: the oversight wants
		// to see that too.
		a.audit(r, AuditEvent{Actor: cred.viewer.Name, Role: cred.viewer.Role, Action: ActionSilenceRefused, Target: target,
			Detail: strconv.Itoa(code) + " " + action + ": " + auditDetail(action, r, body)})
		return
	}
	if refusedHandling(action, code) {
		a.audit(r, AuditEvent{Actor: cred.viewer.Name, Role: cred.viewer.Role, Action: ActionHandlingRefused, Target: target,
			Detail: strconv.Itoa(code) + " " + action + ": " + auditDetail(action, r, body)})
		return
	}
	if code < 200 || code > 299 {
		return
	}
	if action == ActionSilenceCreate || action == ActionAlarmTestCreate {
		target = silenceID(sw.Header())
	}
	a.audit(r, AuditEvent{Actor: cred.viewer.Name, Role: cred.viewer.Role, Action: action, Target: target,
		Detail: auditDetail(action, r, body)})
}

// audit fills in the time and address of e and records it.
func (a *Auth) audit(r *http.Request, e AuditEvent) {
	e.Time = a.opts.Clock()
	e.RemoteIP = a.clientIP(r)
	e.Actor = truncate(e.Actor, maxActorName)
	e.Detail = truncate(e.Detail, maxDetail)
	a.opts.Audit.Audit(e)
}

func (a *Auth) clientIP(r *http.Request) string { return clientIP(r, a.opts.TrustedProxies) }

// cookie is the session cookie carrying id; maxAge -1 deletes it, 0 makes
// it last until the browser closes (the server ends it sooner).
func (a *Auth) cookie(id string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: id, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !a.opts.InsecureCookies, SameSite: http.SameSiteStrictMode}
}
