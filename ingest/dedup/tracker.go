package dedup

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Defaults New applies.
const (
	DefaultWindow     = 10 * time.Minute
	DefaultMaxEntries = 2_000_000
)

// numShards spreads lock contention; a power of two.
const numShards = 64

// key is the 128-bit keyed hash of a (device, id) pair.
type key [2]uint64

// Tracker remembers recently stored events and per-device sequence
// numbers. It is safe for concurrent use.
type Tracker struct {
	window   time.Duration
	now      func() time.Time
	start    time.Time
	shardCap int
	seeds    [3]maphash.Seed // two for pair keys, one for device shards
	dropped  atomic.Uint64
	shards   [numShards]paddedShard
}

type shard struct {
	mu    sync.Mutex
	gen   int64            // generation of cur
	cur   map[key]struct{} // marked in generation gen
	prev  map[key]struct{} // marked in generation gen-1, or in gen when early
	early bool             // prev was rotated early by the cap
	seq   map[string]int64 // last sequence number by device
}

// paddedShard keeps shards on separate cache lines.
type paddedShard struct {
	shard
	_ [64 - unsafe.Sizeof(shard{})%64]byte
}

// Stats is a snapshot for metrics.
type Stats struct {
	Entries int    // (device, id) pairs remembered now
	Dropped uint64 // pairs forgotten early (before their second window ended) because of the cap
	Devices int    // devices with a sequence number
}

// New returns a Tracker that remembers pairs for window (at most 2×window)
// on the clock now, capped at DefaultMaxEntries. A non-positive window means
// DefaultWindow, a nil clock time.Now.
func New(window time.Duration, now func() time.Time) *Tracker {
	return NewWithLimit(window, now, DefaultMaxEntries)
}

// NewWithLimit is New with a cap on remembered pairs, split evenly across
// shards (a shard may go one over its share); a non-positive cap means
// DefaultMaxEntries.
func NewWithLimit(window time.Duration, now func() time.Time, maxEntries int) *Tracker {
	if window <= 0 {
		window = DefaultWindow
	}
	if now == nil {
		now = time.Now
	}
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	t := &Tracker{
		window:   window,
		now:      now,
		start:    now(),
		shardCap: max(1, maxEntries/numShards),
	}
	for i := range t.seeds {
		t.seeds[i] = maphash.MakeSeed()
	}
	return t
}

// keyOf hashes a pair; the length prefix keeps ("ab","c") apart from
// ("a","bc").
func (t *Tracker) keyOf(device, id string) key {
	var k key
	for i := range k {
		var h maphash.Hash
		h.SetSeed(t.seeds[i])
		var n [8]byte
		l := uint64(len(device))
		for j := range n {
			n[j] = byte(l >> (8 * j))
		}
		h.Write(n[:])
		h.WriteString(device)
		h.WriteString(id)
		k[i] = h.Sum64()
	}
	return k
}

// generation is the number of whole windows since the Tracker started.
func (t *Tracker) generation() int64 {
	return int64(t.now().Sub(t.start) / t.window)
}

// rotate brings sh to generation gen; a clock that went back changes
// nothing. Called with sh.mu held.
func (t *Tracker) rotate(sh *shard, gen int64) {
	if gen <= sh.gen {
		return
	}
	t.dropPrev(sh)
	if gen == sh.gen+1 {
		sh.prev, sh.cur = sh.cur, sh.prev // reuse the old map's storage
	} else {
		clear(sh.cur)
	}
	sh.gen = gen
}

// dropPrev empties the older generation, counting its entries as dropped
// when they were rotated there early (they have not lived a window).
func (t *Tracker) dropPrev(sh *shard) {
	if sh.early {
		t.dropped.Add(uint64(len(sh.prev)))
		sh.early = false
	}
	clear(sh.prev)
}

// Seen reports whether (device, id) was marked within the window.
func (t *Tracker) Seen(device, id string) bool {
	k, gen := t.keyOf(device, id), t.generation()
	sh := &t.shards[k[0]%numShards].shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	t.rotate(sh, gen)
	if _, ok := sh.cur[k]; ok {
		return true
	}
	_, ok := sh.prev[k]
	return ok
}

// Mark remembers (device, id). Call it once the event is durable; Forget
// undoes it.
func (t *Tracker) Mark(device, id string) {
	k, gen := t.keyOf(device, id), t.generation()
	sh := &t.shards[k[0]%numShards].shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	t.rotate(sh, gen)
	if _, ok := sh.cur[k]; ok {
		return
	}
	if len(sh.cur)+len(sh.prev) >= t.shardCap {
		if len(sh.prev) > 0 { // the older generation goes first
			sh.early = true
			t.dropPrev(sh)
		}
		if len(sh.cur) >= t.shardCap { // cur alone is full: it ages early
			sh.prev, sh.cur = sh.cur, sh.prev
			sh.early = true
		}
	}
	if sh.cur == nil {
		sh.cur = make(map[key]struct{})
	}
	sh.cur[k] = struct{}{}
}

// Forget removes (device, id), for a caller that marked an event whose
// storage then failed.
func (t *Tracker) Forget(device, id string) {
	k := t.keyOf(device, id)
	sh := &t.shards[k[0]%numShards].shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	delete(sh.cur, k)
	delete(sh.prev, k)
}

// SeqGap records seq as the device's latest sequence number and returns how
// many numbers were skipped since the previous one: 0 for the first, the
// next, or a repeated number; seq-last-1 after a jump. A number lower than
// the last means the device restarted its counter: it resets without
// counting. (A QoS 1 redelivery overtaken by a newer message looks like a
// reset too, and the next number then counts the gap again; gaps are a
// health signal, not an exact loss count.)
func (t *Tracker) SeqGap(device string, seq int64) (gap int64) {
	sh := &t.shards[maphash.String(t.seeds[2], device)%numShards].shard
	sh.mu.Lock()
	defer sh.mu.Unlock()
	last, ok := sh.seq[device]
	switch {
	case !ok:
		if sh.seq == nil {
			sh.seq = make(map[string]int64)
		}
		sh.seq[strings.Clone(device)] = seq // keep no caller memory alive
		return 0
	case seq > last:
		sh.seq[device] = seq
		d := uint64(seq) - uint64(last) - 1 // no signed overflow
		if d > 1<<63-1 {
			return 1<<63 - 1
		}
		return int64(d)
	case seq < last:
		sh.seq[device] = seq
	}
	return 0
}

// Stats returns current sizes and counters.
func (t *Tracker) Stats() Stats {
	s := Stats{Dropped: t.dropped.Load()}
	gen := t.generation()
	for i := range t.shards {
		sh := &t.shards[i].shard
		sh.mu.Lock()
		t.rotate(sh, gen)
		s.Entries += len(sh.cur) + len(sh.prev)
		s.Devices += len(sh.seq)
		sh.mu.Unlock()
	}
	return s
}
