// Package deadline owns the timer structure of the alerting engine: Set,
// a keyed set of deadlines (one per key) that one engine shard holds for
// all its devices and windows, scheduled, moved and cancelled by key and
// taken out in time order when due.
//
// The package only orders deadlines. It does not read a clock, start
// goroutines, lock or know what a key means: the engine owns the clock,
// the tick that calls PopDue, and the keys (module-prefixed timer names).
// A Set belongs to one shard goroutine and is not safe for concurrent use.
//
// # Order
//
// Deadlines are exact time.Time instants (to the nanosecond, from the
// zero Time to years ahead; no bucketing), so PopDue never fires early
// and fires in time order; deadlines at the same instant fire in the order
// they were scheduled. Monotonic clock readings are dropped, which makes
// the order total.
//
// # Structure
//
// A 4-ary min-heap of (instant, scheduling number, slot) entries, with a
// map from key to a slot holding the key, its time and its heap position.
// Schedule and Cancel cost one map access and O(log n) sifting; the Set
// allocates only when it grows, and a fired or cancelled slot is reused.
//
// Handles (handle.go) are deadlines without a key for timers the caller
// can number densely: the engine gives every device of a school a stride
// of them (Ctx.AtDevice), found from the device's registry index. They
// share the heap and the scheduling counter with keys, so both fire in one
// order, and cost 4 bytes while idle and no map access: the map access
// and the key strings were most of what a per-device deadline cost.
//
// The load it is built for is a million devices whose offline deadline
// every heartbeat (each 60 s) moves 3 minutes ahead, and which rarely
// fire. A hierarchical timing wheel was measured against it on that load
// with a one-level prototype, a lower bound for the real thing. Moving a
// deadline cost the wheel 200-300 ns when heartbeats come in deadline
// order and 750-1,000 ns in random order, against the heap's 500-650 and
// 700-1,100 ns: the map access both need dominates (260-400 ns at a
// million string keys). The wheel's 1 s tick cost more (it must sort each
// bucket into exact order: about 5 ms against the heap's 3 ms per tick of
// 5,556 due keys), and memory was alike (123 against 131 bytes a key). At
// 16,700 heartbeats a second the heap's moves take 1-2% of one core. The
// heap wins on what is left: exact order, ties, far-future deadlines and
// deadlines scheduled during PopDue need no cascading, overflow lists or
// per-tick sorting, so it is a fraction of the code to get right.
package deadline
