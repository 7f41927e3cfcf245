package alarmtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/campusguard/campusguard/devices"
)

var bucketWindows = []byte("alarm_tests")

// ErrEnded marks a cancel of a window that has already ended: what
// happened in it stays on record (the API answers 409).
var ErrEnded = errors.New("alarm test window already ended")

// Options configure a Store.
type Options struct {
	// Path is the bbolt file; empty keeps the windows in memory only.
	Path string
	// Registry returns the current registry (schools, terminals and their
	// recurring schedules); it must be safe for concurrent use.
	Registry func() *devices.Registry
	Now      func() time.Time
	Limits   Limits // zero: DefaultLimits
}

// Store holds the registered windows (persisted when Options.Path is set)
// and answers Covers for registered and scheduled ones. It is safe for
// concurrent use; Covers never waits for the disk.
type Store struct {
	o  Options
	db *bolt.DB

	writeMu sync.Mutex // serialises Add/Delete (check, store, publish)
	mu      sync.RWMutex
	byID    map[string]*Window
	bySch   map[string][]*Window // by school, sorted by Start
}

// Open loads the windows stored at o.Path (creating the file) or starts an
// empty in-memory store.
func Open(o Options) (*Store, error) {
	if o.Registry == nil || o.Now == nil {
		return nil, errors.New("alarmtest: Registry and Now are required")
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	s := &Store{o: o, byID: map[string]*Window{}, bySch: map[string][]*Window{}}
	if o.Path == "" {
		return s, nil
	}
	db, err := bolt.Open(o.Path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("alarmtest: open %s: %w", o.Path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketWindows)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var w Window
			if err := json.Unmarshal(v, &w); err != nil {
				return fmt.Errorf("window %s: %w", k, err)
			}
			s.insert(&w)
			return nil
		})
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("alarmtest: load %s: %w", o.Path, err)
	}
	s.db = db
	return s, nil
}

// Close closes the file.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	return s.db.Close()
}

// Add registers w (School, Device, Start, End, Note, CreatedBy) after
// checking it against the limits and the registry; it returns the stored
// window with its id. The window is on disk before it is used.
func (s *Store) Add(w Window) (Window, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	now := s.o.Now()
	w.ID, w.Scheduled = newID(), false
	w.CreatedAt = now.UTC()
	w.Start, w.End = w.Start.UTC(), w.End.UTC()
	if err := s.o.Limits.check(&w, s.o.Registry(), now); err != nil {
		return Window{}, err
	}
	s.mu.RLock()
	open := 0
	for _, x := range s.bySch[w.School] {
		if x.End.After(now) {
			open++
		}
	}
	s.mu.RUnlock()
	if open >= s.o.Limits.PerSchool {
		return Window{}, invalid("school %q already has %d windows to come", w.School, open)
	}
	stale := s.stale(now)
	if err := s.write(func(b *bolt.Bucket) error {
		for _, id := range stale {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		v, err := json.Marshal(&w)
		if err != nil {
			return err
		}
		return b.Put([]byte(w.ID), v)
	}); err != nil {
		return Window{}, err
	}
	s.mu.Lock()
	for _, id := range stale {
		s.remove(id)
	}
	s.insert(&w)
	s.mu.Unlock()
	return w, nil
}

// Delete cancels the window id before it ends (an open window ends now)
// and returns it.
func (s *Store) Delete(id string) (Window, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	w, ok := s.Get(id)
	if !ok {
		return Window{}, ErrNotFound
	}
	if !s.o.Now().Before(w.End) {
		return w, ErrEnded
	}
	if err := s.write(func(b *bolt.Bucket) error { return b.Delete([]byte(id)) }); err != nil {
		return Window{}, err
	}
	s.mu.Lock()
	s.remove(id)
	s.mu.Unlock()
	return w, nil
}

// Get returns the registered window id.
func (s *Store) Get(id string) (Window, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if w := s.byID[id]; w != nil {
		return *w, true
	}
	return Window{}, false
}

// Covers reports whether a registered window or the registry's schedule of
// school covers device at t (Covers, for Classify).
func (s *Store) Covers(school, device string, t time.Time) bool {
	s.mu.RLock()
	for _, w := range s.bySch[school] {
		if w.Covers(device, t) {
			s.mu.RUnlock()
			return true
		}
	}
	s.mu.RUnlock()
	if reg := s.o.Registry(); reg != nil {
		if sch, ok := reg.School(school); ok {
			for _, a := range sch.AlarmTests {
				if a.Covers(device, t) {
					return true
				}
			}
		}
	}
	return false
}

// Filter selects windows for List.
type Filter struct {
	Schools []string // nil: every school
	// ActiveAt, when set, keeps only windows open at that instant.
	ActiveAt time.Time
}

// List returns the registered windows of the filter's schools, with the
// occurrences of their registry schedules from the start of this month
// (local time) to the end of the next, sorted by start.
func (s *Store) List(f Filter) []Window {
	var out []Window
	keep := func(w *Window) bool { return f.ActiveAt.IsZero() || w.Active(f.ActiveAt) }
	s.mu.RLock()
	for sch, ws := range s.bySch {
		if f.Schools != nil && !slices.Contains(f.Schools, sch) {
			continue
		}
		for _, w := range ws {
			if keep(w) {
				out = append(out, *w)
			}
		}
	}
	s.mu.RUnlock()
	if reg := s.o.Registry(); reg != nil {
		for _, w := range s.scheduled(reg, f.Schools) {
			if keep(&w) {
				out = append(out, w)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Window) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if a.School != b.School {
			if a.School < b.School {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

// scheduled lists the occurrences of the schedules of schools (nil: all)
// in this month and the next.
func (s *Store) scheduled(reg *devices.Registry, schools []string) []Window {
	now := s.o.Now().In(devices.Location())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, devices.Location())
	var out []Window
	for i := range reg.Schools {
		sch := &reg.Schools[i]
		if len(sch.AlarmTests) == 0 || (schools != nil && !slices.Contains(schools, sch.ID)) {
			continue
		}
		for m := 0; m < 2; m++ {
			month := first.AddDate(0, m, 0)
			for _, a := range sch.AlarmTests {
				d := devices.Date{Year: month.Year(), Month: month.Month(), Day: a.Day}
				start, end, _ := a.On(d)
				out = append(out, Window{School: sch.ID, Device: a.Device, Start: start.UTC(), End: end.UTC(),
					Note: "登记册定期测试 / registry schedule", Scheduled: true})
			}
		}
	}
	return out
}

// stale lists the windows ended more than KeepEnded before now.
func (s *Store) stale(now time.Time) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []string
	for id, w := range s.byID {
		if now.Sub(w.End) > s.o.Limits.KeepEnded {
			ids = append(ids, id)
		}
	}
	return ids
}

// write runs f on the bucket in one synced transaction (nothing in memory
// mode).
func (s *Store) write(f func(*bolt.Bucket) error) error {
	if s.db == nil {
		return nil
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return f(tx.Bucket(bucketWindows)) }); err != nil {
		return fmt.Errorf("alarmtest: store: %w", err)
	}
	return nil
}

// insert adds w to the indexes; the caller holds mu (or owns s).
func (s *Store) insert(w *Window) {
	s.byID[w.ID] = w
	ws := append(s.bySch[w.School], w)
	slices.SortStableFunc(ws, func(a, b *Window) int { return a.Start.Compare(b.Start) })
	s.bySch[w.School] = ws
}

// remove drops id from the indexes; the caller holds mu.
func (s *Store) remove(id string) {
	w := s.byID[id]
	if w == nil {
		return
	}
	delete(s.byID, id)
	ws := slices.DeleteFunc(s.bySch[w.School], func(x *Window) bool { return x.ID == id })
	if len(ws) == 0 {
		delete(s.bySch, w.School)
	} else {
		s.bySch[w.School] = ws
	}
}

// newID returns a random window id, "at-" and 16 hex digits.
func newID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("alarmtest: crypto/rand: " + err.Error())
	}
	return "at-" + hex.EncodeToString(b[:])
}
