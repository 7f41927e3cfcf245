package lifecycle

import (
	"sync"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Store persists alerts (open and recently resolved) and silences. The
// Manager writes through: a change is stored before OnChange sees it.
// Calls come from one goroutine at a time.
type Store interface {
	Put(alerting.Alert) error
	Delete(id string) error
	PutSilence(Silence) error
	DeleteSilence(id string) error
	// Load returns everything stored, in any order.
	Load() ([]alerting.Alert, []Silence, error)
	Close() error
}

// opKind is what one pending store write does.
type opKind uint8

const (
	opPutAlert opKind = iota
	opDeleteAlert
	opPutSilence
	opDeleteSilence
)

// storeOp is one store write.
type storeOp struct {
	kind    opKind
	alert   alerting.Alert
	silence *Silence
	id      string
}

// pendingOp is a store write and/or a change to emit, made under the
// Manager's lock and flushed after it.
type pendingOp struct {
	op      storeOp
	noStore bool   // emit only (reminders change nothing stored)
	event   string // "" for a store write without a change (silences, pruning)
	quiet   bool   // Change.Quiet
}

// batcher is implemented by stores that write several ops in one durable
// transaction (group commit); the Manager prefers it to one call per op.
// It skips the ops marked noStore.
type batcher interface {
	writeBatch(ops []pendingOp) error
}

// writeOps stores ops (but those marked noStore) through s, in one
// transaction when s can. It returns how many writes failed and the first
// error.
func writeOps(s Store, ops []pendingOp) (int, error) {
	n := 0
	for i := range ops {
		if !ops[i].noStore {
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	if b, ok := s.(batcher); ok {
		if err := b.writeBatch(ops); err != nil {
			return n, err
		}
		return 0, nil
	}
	var failed int
	var first error
	for i := range ops {
		if ops[i].noStore {
			continue
		}
		if err := applyOp(s, &ops[i].op); err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	return failed, first
}

func applyOp(s Store, op *storeOp) error {
	switch op.kind {
	case opPutAlert:
		return s.Put(op.alert)
	case opDeleteAlert:
		return s.Delete(op.id)
	case opPutSilence:
		return s.PutSilence(*op.silence)
	default:
		return s.DeleteSilence(op.id)
	}
}

// MemStore is a Store in memory, for tests and for running without a
// state file. It is safe for concurrent use.
type MemStore struct {
	mu       sync.Mutex
	alerts   map[string]alerting.Alert
	silences map[string]Silence
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{alerts: map[string]alerting.Alert{}, silences: map[string]Silence{}}
}

// Put stores a copy of a.
func (s *MemStore) Put(a alerting.Alert) error {
	s.mu.Lock()
	s.alerts[a.ID] = cloneAlert(&a)
	s.mu.Unlock()
	return nil
}

// Delete removes the alert with id, if any.
func (s *MemStore) Delete(id string) error {
	s.mu.Lock()
	delete(s.alerts, id)
	s.mu.Unlock()
	return nil
}

// PutSilence stores a copy of si.
func (s *MemStore) PutSilence(si Silence) error {
	s.mu.Lock()
	s.silences[si.ID] = si.clone()
	s.mu.Unlock()
	return nil
}

// DeleteSilence removes the silence with id, if any.
func (s *MemStore) DeleteSilence(id string) error {
	s.mu.Lock()
	delete(s.silences, id)
	s.mu.Unlock()
	return nil
}

// Load returns copies of everything stored.
func (s *MemStore) Load() ([]alerting.Alert, []Silence, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	as := make([]alerting.Alert, 0, len(s.alerts))
	for _, a := range s.alerts {
		as = append(as, cloneAlert(&a))
	}
	ss := make([]Silence, 0, len(s.silences))
	for _, si := range s.silences {
		ss = append(ss, si.clone())
	}
	return as, ss, nil
}

// Close does nothing.
func (s *MemStore) Close() error { return nil }

// cloneAlert copies a with its own Audience slice and time pointers, so
// that neither side can change the other's.
func cloneAlert(a *alerting.Alert) alerting.Alert {
	c := *a
	if a.Audience != nil {
		c.Audience = append([]alerting.Audience(nil), a.Audience...)
	}
	c.ResolvedAt = cloneTime(a.ResolvedAt)
	c.AckedAt = cloneTime(a.AckedAt)
	c.DueAt = cloneTime(a.DueAt)
	c.ClearedAt = cloneTime(a.ClearedAt)
	c.ReceivedAt = cloneTime(a.ReceivedAt)
	c.ReportedAt = cloneTime(a.ReportedAt)
	c.ReviewedAt = cloneTime(a.ReviewedAt)
	return c
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}
