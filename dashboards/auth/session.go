package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// maxSessionsPerUser bounds the sessions one user holds; a new login past
// it ends the user's session closest to expiry.
const maxSessionsPerUser = 20

// session is a login, kept in memory. The cookie holds a random id; the
// store is keyed by its SHA-256, so a dump of the map cannot be replayed.
type session struct {
	user    string
	pwHash  string // the user's hash at login: a password change ends the session
	csrf    string
	created time.Time
	expires time.Time
	streams int // open event streams: the session does not expire while one is open
}

// sessionStore holds sessions with an idle expiry that each use renews.
type sessionStore struct {
	ttl time.Duration

	mu        sync.Mutex
	byID      map[[sha256.Size]byte]*session
	lastSweep time.Time
}

func newSessionStore(ttl time.Duration) *sessionStore {
	return &sessionStore{ttl: ttl, byID: map[[sha256.Size]byte]*session{}}
}

func sessionKey(id string) [sha256.Size]byte { return sha256.Sum256([]byte(id)) }

// create starts a session for user and returns its cookie id.
func (s *sessionStore) create(user, pwHash string, now time.Time) (id string, sess session) {
	id = randomID()
	sess = session{user: user, pwHash: pwHash, csrf: randomID(), created: now, expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) >= time.Minute {
		s.sweepLocked(now)
	}
	var oldest [sha256.Size]byte
	var count int
	for k, o := range s.byID {
		if o.user != user {
			continue
		}
		if count == 0 || o.expires.Before(s.byID[oldest].expires) {
			oldest = k
		}
		count++
	}
	if count >= maxSessionsPerUser {
		delete(s.byID, oldest)
	}
	s.byID[sessionKey(id)] = &sess
	return id, sess
}

// get returns the live session of id and, when renew, slides its expiry.
// An expired session is removed.
func (s *sessionStore) get(id string, now time.Time, renew bool) (session, bool) {
	k := sessionKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[k]
	if !ok {
		return session{}, false
	}
	if sess.expired(now) {
		delete(s.byID, k)
		return session{}, false
	}
	if renew {
		sess.expires = now.Add(s.ttl)
	}
	return *sess, true
}

// delete ends the session of id; it reports whether there was one.
func (s *sessionStore) delete(id string) bool {
	k := sessionKey(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.byID[k]
	delete(s.byID, k)
	return ok
}

// retain ends every session for which keep is false, and the expired ones.
func (s *sessionStore) retain(now time.Time, keep func(*session) bool) (ended int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, sess := range s.byID {
		if sess.expired(now) || !keep(sess) {
			delete(s.byID, k)
			ended++
		}
	}
	return ended
}

func (s *sessionStore) sweepLocked(now time.Time) {
	s.lastSweep = now
	for k, sess := range s.byID {
		if sess.expired(now) {
			delete(s.byID, k)
		}
	}
}

func (s *session) expired(now time.Time) bool { return s.streams == 0 && !now.Before(s.expires) }

// hold keeps the session of id alive while an event stream is open on it.
func (s *sessionStore) hold(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.byID[sessionKey(id)]; ok {
		sess.streams++
	}
}

// release ends a hold; the idle expiry starts again at now.
func (s *sessionStore) release(id string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.byID[sessionKey(id)]; ok && sess.streams > 0 {
		sess.streams--
		sess.expires = now.Add(s.ttl)
	}
}

// live counts the sessions that have not expired at now.
func (s *sessionStore) live(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sess := range s.byID {
		if !sess.expired(now) {
			n++
		}
	}
	return n
}
