package auth

import "sync"

// checkGate bounds the password checks in progress: bcrypt is meant to be
// slow, so a flood of logins would otherwise queue the real ones behind
// it. At most n checks run at once, and at most one per client address, so
// one address cannot take every slot. Entering never waits: a login that
// finds no slot is answered 429 at once.
type checkGate struct {
	slots chan struct{}

	mu     sync.Mutex
	inUse  map[string]bool // addresses with a check in progress
	onTest func()          // tests: called inside a check's slot
}

func newCheckGate(n int) *checkGate {
	return &checkGate{slots: make(chan struct{}, n), inUse: map[string]bool{}}
}

// enter takes a slot for a check from addr; false when there is none.
func (g *checkGate) enter(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inUse[addr] {
		return false
	}
	select {
	case g.slots <- struct{}{}:
	default:
		return false
	}
	g.inUse[addr] = true
	return true
}

// leave gives back the slot of addr.
func (g *checkGate) leave(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.inUse, addr)
	<-g.slots
}
