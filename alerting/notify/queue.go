package notify

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// item is a queued notification and when Send queued it.
type item struct {
	n      Notification
	queued time.Time
}

// queue is a receiver's bounded FIFO. push never blocks: when the queue is
// full it drops the oldest item. The ring grows on demand up to max, so an
// idle receiver does not hold max items of memory.
type queue struct {
	mu    sync.Mutex
	buf   []item
	head  int // index of the oldest item
	n     int
	max   int
	ready chan struct{}    // has a token when items may be waiting
	gauge prometheus.Gauge // the length, set under mu so that it is never stale
}

func newQueue(max int, gauge prometheus.Gauge) *queue {
	return &queue{max: max, ready: make(chan struct{}, 1), gauge: gauge}
}

// push appends it, dropping the oldest item when full, and reports whether
// one was dropped.
func (q *queue) push(it item) (dropped bool) {
	q.mu.Lock()
	if q.n == q.max {
		q.buf[q.head] = item{}
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		dropped = true
	}
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = it
	q.n++
	q.gauge.Set(float64(q.n))
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return dropped
}

// grow doubles the ring (up to max), keeping the order.
func (q *queue) grow() {
	size := min(max(2*len(q.buf), 16), q.max)
	buf := make([]item, size)
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

// pop removes the oldest item; ok is false when the queue is empty.
func (q *queue) pop() (it item, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return item{}, false
	}
	it = q.buf[q.head]
	q.buf[q.head] = item{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	q.gauge.Set(float64(q.n))
	return it, true
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
