package service

import "sync"

// fifo is an unbounded queue between a producer that must not block (the
// engine's sink, the lifecycle's OnChange) and one consumer goroutine.
// Memory grows only while the consumer is behind.
type fifo[T any] struct {
	mu     sync.Mutex
	items  []T
	signal chan struct{}
}

func newFIFO[T any]() *fifo[T] { return &fifo[T]{signal: make(chan struct{}, 1)} }

// Push adds v and wakes the consumer; it never blocks.
func (q *fifo[T]) Push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// Drain waits for items (or done) and returns them all, oldest first.
func (q *fifo[T]) Drain(done <-chan struct{}) ([]T, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			out := q.items
			q.items = nil
			q.mu.Unlock()
			return out, true
		}
		q.mu.Unlock()
		select {
		case <-q.signal:
		case <-done:
			return nil, false
		}
	}
}
