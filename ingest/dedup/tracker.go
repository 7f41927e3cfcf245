package dedup

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/campusguard/campusguard/devices"
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
	slots    [numShards]slotShard

	// current returns the registry events are decoded against now (nil:
	// unknown, see UseRegistry); slotsOf is the registry the slots were
	// filled from.
	current func() *devices.Registry
	slotsOf atomic.Pointer[devices.Registry]
}

// UseRegistry tells the Tracker where to find the current registry (a
// reloading caller's atomic view), so SeqGapDevice notices a reload at
// once and never trusts the index of an event decoded against an old
// registry. Call it before the Tracker is used.
func (t *Tracker) UseRegistry(current func() *devices.Registry) {
	t.current = current
}

type shard struct {
	mu    sync.Mutex
	gen   int64            // generation of cur
	cur   map[key]struct{} // marked in generation gen
	prev  map[key]struct{} // marked in generation gen-1, or in gen when early
	early bool             // prev was rotated early by the cap
	seq   map[string]int64 // last sequence number by device id (events without Dev, and parked)
}

// slotShard holds the sequence numbers SeqGapDevice keeps by device index
// (index / numShards within shard index % numShards). Its lock is taken
// before a by-id shard's, never after.
type slotShard struct {
	mu    sync.Mutex
	slots []seqSlot
	n     int // slots in use
	_     [64 - 8 - 24 - 8]byte
}

// seqSlot is a device's last sequence number, kept by its registry index.
// dev tells which registry's device owns the slot: after a reload the
// index may belong to another device.
type seqSlot struct {
	dev  *devices.Device
	last int64
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
	Devices int    // devices with a sequence number (see SeqGapDevice: a device may count twice for a while after a reload)
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

// lockCurrent returns the shard of (device, id), locked and rotated to the
// current generation, and the pair's key; the caller unlocks.
func (t *Tracker) lockCurrent(device, id string) (*shard, key) {
	k, gen := t.keyOf(device, id), t.generation()
	sh := &t.shards[k[0]%numShards].shard
	sh.mu.Lock()
	t.rotate(sh, gen)
	return sh, k
}

// Seen reports whether (device, id) was marked within the window.
func (t *Tracker) Seen(device, id string) bool {
	sh, k := t.lockCurrent(device, id)
	defer sh.mu.Unlock()
	if _, ok := sh.cur[k]; ok {
		return true
	}
	_, ok := sh.prev[k]
	return ok
}

// Mark remembers (device, id). Call it once the event is durable; Forget
// undoes it.
func (t *Tracker) Mark(device, id string) {
	sh, k := t.lockCurrent(device, id)
	defer sh.mu.Unlock()
	if _, ok := sh.cur[k]; ok {
		return
	}
	t.insert(sh, k)
}

// insert adds k to sh's current generation, making room under the cap.
// Called with sh.mu held.
func (t *Tracker) insert(sh *shard, k key) {
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

// Claim marks (device, id) and reports whether it was new: Seen and Mark
// in one step (one hash, one lock, one clock read). A false result changes
// nothing.
func (t *Tracker) Claim(device, id string) bool {
	sh, k := t.lockCurrent(device, id)
	defer sh.mu.Unlock()
	if _, ok := sh.cur[k]; ok {
		return false
	}
	if _, ok := sh.prev[k]; ok {
		return false
	}
	t.insert(sh, k)
	return true
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
	sh := t.idShard(device)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	last, ok := sh.seq[device]
	if !ok {
		if sh.seq == nil {
			sh.seq = make(map[string]int64)
		}
		sh.seq[strings.Clone(device)] = seq // keep no caller memory alive
		return 0
	}
	next, gap := advance(last, seq)
	if next != last {
		sh.seq[device] = next
	}
	return gap
}

// advance is SeqGap's rule: the new last number and the gap.
func advance(last, seq int64) (next, gap int64) {
	switch {
	case seq > last:
		d := uint64(seq) - uint64(last) - 1 // no signed overflow
		if d > 1<<63-1 {
			return seq, 1<<63 - 1
		}
		return seq, int64(d)
	case seq < last:
		return seq, 0
	}
	return last, 0
}

func (t *Tracker) idShard(device string) *shard {
	return &t.shards[maphash.String(t.seeds[2], device)%numShards].shard
}

// SeqGapDevice is SeqGap for a registry device (Event.Dev): the number is
// kept in a slice by dev.Index(), 16 bytes per device, with no string
// hashing or map access. When the registry is reloaded (noticed through
// UseRegistry's view) every slot's number moves to the by-id map (once per
// reload, O(devices)), from where each device takes its own back on its
// next number, so a device keeps its sequence across reloads; an event
// decoded against the old registry counts for its id's device in the new
// one. A device seen through SeqGap (by id) before is carried over the
// same way.
//
// Without UseRegistry a reload is noticed only when a device meets a slot
// owned by another *Device (each slot remembers its owner): a device that
// moved to a free index then starts afresh once, which counts no gap, and
// an event decoded against the old registry moves the numbers once more.
func (t *Tracker) SeqGapDevice(dev *devices.Device, seq int64) (gap int64) {
	i := dev.Index()
	if i < 0 {
		return t.SeqGap(dev.ID, seq)
	}
	if t.current != nil {
		cur := t.current()
		if cur != t.slotsOf.Load() {
			t.renumbered(cur)
		}
		if i >= cur.DeviceCount() || cur.DeviceAt(i) != dev {
			// Decoded against an old registry: the device by its id.
			d, ok := cur.Device(dev.ID)
			if !ok || d.Index() < 0 {
				return t.SeqGap(dev.ID, seq)
			}
			dev, i = d, d.Index()
		}
	}
	sh := &t.slots[i%numShards]
	j := i / numShards
	sh.mu.Lock()
	if j < len(sh.slots) {
		sl := &sh.slots[j]
		if sl.dev == dev {
			sl.last, gap = advance(sl.last, seq)
			sh.mu.Unlock()
			return gap
		}
		if sl.dev != nil {
			sh.mu.Unlock()
			t.renumbered(nil)
			sh.mu.Lock()
		}
	}
	defer sh.mu.Unlock()
	if j >= len(sh.slots) {
		sh.slots = append(sh.slots, make([]seqSlot, j+1-len(sh.slots))...)
	}
	sl := &sh.slots[j]
	switch {
	case sl.dev == dev: // another goroutine got here first
		sl.last, gap = advance(sl.last, seq)
		return gap
	case sl.dev != nil: // renumbered again meanwhile
		t.park(sl.dev.ID, sl.last)
	default:
		sh.n++
	}
	sl.dev = dev
	last, ok := t.unpark(dev.ID)
	if !ok {
		sl.last = seq
		return 0
	}
	sl.last, gap = advance(last, seq)
	return gap
}

// renumbered moves every slot's number to the by-id map: the registry was
// reloaded (to cur, when known). It locks the slot shards in order (the
// only place that holds more than one).
func (t *Tracker) renumbered(cur *devices.Registry) {
	for i := range t.slots {
		t.slots[i].mu.Lock()
	}
	defer func() {
		for i := range t.slots {
			t.slots[i].mu.Unlock()
		}
	}()
	if cur != nil && t.slotsOf.Load() == cur {
		return // another goroutine did it
	}
	t.slotsOf.Store(cur)
	for i := range t.slots {
		sh := &t.slots[i]
		for _, sl := range sh.slots {
			if sl.dev != nil {
				t.park(sl.dev.ID, sl.last)
			}
		}
		sh.slots, sh.n = nil, 0
	}
}

// park keeps a device's last number by id (the slot it had was taken).
func (t *Tracker) park(device string, last int64) {
	sh := t.idShard(device)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.seq == nil {
		sh.seq = make(map[string]int64)
	}
	sh.seq[device] = last // the registry's string: no caller memory
}

// unpark takes a device's last number from the by-id map.
func (t *Tracker) unpark(device string) (int64, bool) {
	sh := t.idShard(device)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	last, ok := sh.seq[device]
	if ok {
		delete(sh.seq, device)
		if len(sh.seq) == 0 {
			sh.seq = nil // a map never shrinks: drop the one a reload filled
		}
	}
	return last, ok
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
	for i := range t.slots {
		ss := &t.slots[i]
		ss.mu.Lock()
		s.Devices += ss.n
		ss.mu.Unlock()
	}
	return s
}
