package notify

import (
	"container/heap"
	"container/list"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ranks counts the severity ranks: P0..P3 and unknown (alerting.Severity.Rank).
const ranks = 5

// member is one queued notification.
type member struct {
	n      Notification
	queued time.Time     // when Send queued it
	rank   int           // its alert's severity rank
	e      *entry        // the entry that will send it
	elem   *list.Element // in queue.byRank[rank] while queued
}

// entry is what one delivery sends: one notification, or a digest of a
// group's notifications.
type entry struct {
	members  []*member
	group    *group    // the group it is open for; nil once closed or when not grouped
	due      time.Time // not sent before (group wait or interval)
	rank     int       // of its most severe member
	seq      uint64    // FIFO order within a rank
	index    int       // in queue.ready; -1 when not there
	attempts int       // failed attempts so far
	total    int       // notifications in the digest it was split from (0: not split)
	offset   int       // position of members[0] in that digest
}

// queue is a receiver's bounded priority queue. Entries go out most severe
// first, in the order they were queued within a severity. A receiver that
// groups gathers its non-P0 notifications into digest entries that wait for
// their group's time. push never blocks; when more than max notifications
// wait it sheds the oldest of the least severe non-P0 ones. P0 is never
// shed: only P0s can take the queue beyond max.
type queue struct {
	mu      sync.Mutex
	max     int
	group   GroupOptions // zero: no grouping
	n       int          // queued notifications
	seq     uint64
	ready   entryHeap // due entries
	waiting []*entry  // digest entries not yet due
	groups  map[string]*group
	byRank  [ranks]list.List // queued members, oldest first, for shedding
	ready1  chan struct{}    // has a token when something changed
	gauge   prometheus.Gauge // the length, set under mu so that it is never stale
}

func newQueue(max int, g GroupOptions, gauge prometheus.Gauge) *queue {
	return &queue{max: max, group: g, groups: map[string]*group{}, ready1: make(chan struct{}, 1), gauge: gauge}
}

// push queues it and returns the notifications shed to make room.
func (q *queue) push(n Notification, now time.Time) (shed []*member) {
	q.mu.Lock()
	m := &member{n: n, queued: now, rank: n.Alert.Severity.Rank()}
	if q.group.enabled() && m.rank != 0 {
		q.join(m, now)
	} else {
		q.seq++
		e := &entry{members: []*member{m}, rank: m.rank, seq: q.seq}
		m.e = e
		heap.Push(&q.ready, e)
	}
	m.elem = q.byRank[m.rank].PushBack(m)
	q.n++
	shed = q.shed()
	q.gauge.Set(float64(q.n))
	q.mu.Unlock()
	q.signal()
	return shed
}

// join adds m to its group's open digest, opening one when there is none.
func (q *queue) join(m *member, now time.Time) {
	key := q.group.groupKey(&m.n)
	g := q.groups[key]
	if g == nil {
		g = &group{key: key}
		q.groups[key] = g
	}
	if e := g.open; e != nil {
		e.members = append(e.members, m)
		m.e = e
		if m.rank < e.rank {
			e.rank = m.rank
			if e.index >= 0 {
				heap.Fix(&q.ready, e.index)
			}
		}
		return
	}
	due := now.Add(q.group.Wait)
	if next := g.lastSent.Add(q.group.Interval); !g.lastSent.IsZero() && next.After(due) {
		due = next
	}
	q.seq++
	e := &entry{members: []*member{m}, group: g, due: due, rank: m.rank, seq: q.seq, index: -1}
	m.e = e
	g.open = e
	q.waiting = append(q.waiting, e)
}

// shed removes the oldest of the least severe non-P0 notifications while
// more than max wait.
func (q *queue) shed() (shed []*member) {
	for q.n > q.max {
		var m *member
		for r := ranks - 1; r >= 1 && m == nil; r-- {
			if f := q.byRank[r].Front(); f != nil {
				m = f.Value.(*member)
			}
		}
		if m == nil {
			return shed // only P0s: they are never shed
		}
		q.remove(m)
		shed = append(shed, m)
	}
	return shed
}

// remove takes a queued member out of the queue and its entry.
func (q *queue) remove(m *member) {
	q.byRank[m.rank].Remove(m.elem)
	m.elem = nil
	q.n--
	e := m.e
	e.members = slices.DeleteFunc(e.members, func(x *member) bool { return x == m })
	if len(e.members) == 0 {
		if e.index >= 0 {
			heap.Remove(&q.ready, e.index)
		} else {
			q.waiting = slices.DeleteFunc(q.waiting, func(x *entry) bool { return x == e })
		}
		if e.group != nil && e.group.open == e {
			e.group.open = nil
		}
		return
	}
	if m.rank == e.rank {
		e.rank = ranks
		for _, x := range e.members {
			e.rank = min(e.rank, x.rank)
		}
		if e.index >= 0 {
			heap.Fix(&q.ready, e.index)
		}
	}
}

// next returns the entry to send now (nil when none is due) and when the
// earliest entry that is not yet due will be (zero when none waits). It
// leaves the entry queued: the caller takes it when it may send it.
func (q *queue) next(now time.Time) (e *entry, wake time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = slices.DeleteFunc(q.waiting, func(x *entry) bool {
		if x.due.After(now) {
			if wake.IsZero() || x.due.Before(wake) {
				wake = x.due
			}
			return false
		}
		heap.Push(&q.ready, x)
		return true
	})
	if len(q.ready) > 0 {
		e = q.ready[0]
	}
	return e, wake
}

// take removes e, returned by next, for delivery: its group closes (what
// arrives later waits for the group interval), and a digest longer than
// maxAlerts leaves its tail queued as the next message.
func (q *queue) take(e *entry, now time.Time, maxAlerts int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	heap.Remove(&q.ready, e.index)
	if g := e.group; g != nil {
		if g.open == e {
			g.open = nil
		}
		g.lastSent = now
		e.group = nil
		q.sweep(now)
	}
	if maxAlerts > 0 && len(e.members) > maxAlerts {
		if e.total == 0 {
			e.total = len(e.members)
		}
		rest := &entry{members: e.members[maxAlerts:], rank: ranks, seq: e.seq,
			total: e.total, offset: e.offset + maxAlerts}
		for _, m := range rest.members {
			m.e = rest
			rest.rank = min(rest.rank, m.rank)
		}
		e.members = e.members[:maxAlerts:maxAlerts]
		heap.Push(&q.ready, rest)
	}
	for _, m := range e.members {
		q.byRank[m.rank].Remove(m.elem)
		m.elem = nil
	}
	q.n -= len(e.members)
	q.gauge.Set(float64(q.n))
}

// sweep forgets groups that have nothing open and whose interval is over.
func (q *queue) sweep(now time.Time) {
	for k, g := range q.groups {
		if g.open == nil && now.Sub(g.lastSent) >= q.group.Interval {
			delete(q.groups, k)
		}
	}
}

// requeue puts back an entry whose delivery failed and will be retried: it
// goes first among its severity. It returns what that sheds.
func (q *queue) requeue(e *entry) (shed []*member) {
	q.mu.Lock()
	for i := len(e.members) - 1; i >= 0; i-- {
		m := e.members[i]
		m.elem = q.byRank[m.rank].PushFront(m)
	}
	q.n += len(e.members)
	heap.Push(&q.ready, e)
	shed = q.shed()
	q.gauge.Set(float64(q.n))
	q.mu.Unlock()
	q.signal()
	return shed
}

func (q *queue) signal() {
	select {
	case q.ready1 <- struct{}{}:
	default:
	}
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// entryHeap orders entries most severe first, then by seq.
type entryHeap []*entry

func (h entryHeap) Len() int { return len(h) }
func (h entryHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].seq < h[j].seq
}
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}
