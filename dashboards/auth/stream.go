package auth

import (
	"context"
	"net/http"
	"strings"
	"sync"
)

// isStream reports whether r opens a long-lived event stream, which must
// end when its credential is revoked rather than at its next request.
func isStream(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	return strings.HasSuffix(r.URL.Path, "/stream") || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// serveStream serves a stream with a context that is cancelled when the
// credential stops being valid: logout, or a reload that removes the user
// or token or changes the password. A session does not expire while a
// stream is open on it (a stream on screen is use); its idle time starts
// when the stream ends. The watching goroutine ends before serveStream
// returns.
func (a *Auth) serveStream(w http.ResponseWriter, r *http.Request, cred *credential, next http.Handler) {
	if cred.sessionID != "" {
		a.sessions.hold(cred.sessionID)
		defer func() { a.sessions.release(cred.sessionID, a.opts.Clock()) }()
	}
	ctx, cancel := context.WithCancel(r.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			changed := a.revoked.changed() // before the check, so no revocation slips between
			if !a.valid(cred) {
				a.log.Info().Str("user", cred.viewer.Name).Msg("event stream ended: credential revoked")
				cancel()
				return
			}
			select {
			case <-changed:
			case <-ctx.Done():
				return
			}
		}
	}()
	next.ServeHTTP(w, r.WithContext(ctx))
	cancel()
	<-done
}

// valid reports whether cred still authenticates, without renewing it.
func (a *Auth) valid(cred *credential) bool {
	us := a.users.Load()
	if cred.tokenName != "" {
		t, ok := us.tokens[cred.token]
		return ok && t.Name == cred.tokenName
	}
	_, _, ok := a.session(us, cred.sessionID, false)
	return ok
}

// revoker tells watchers that credentials may have been revoked: changed
// returns a channel that notify closes.
type revoker struct {
	mu sync.Mutex
	ch chan struct{}
}

func (v *revoker) changed() <-chan struct{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ch == nil {
		v.ch = make(chan struct{})
	}
	return v.ch
}

func (v *revoker) notify() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.ch != nil {
		close(v.ch)
		v.ch = nil
	}
}
