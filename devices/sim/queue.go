package sim

// job is something the simulator does at a virtual time. fire emits what is
// due at due and returns when it wants to fire next, or ok=false when done.
type job interface {
	fire(s *Simulator, due int64) (next int64, ok bool)
}

// once is a job that fires a single time.
type once func(s *Simulator, due int64)

func (f once) fire(s *Simulator, due int64) (int64, bool) {
	f(s, due)
	return 0, false
}

// entry is a scheduled job; ord breaks ties in insertion order so that the
// output is deterministic.
type entry struct {
	due int64
	ord uint64
	j   job
}

// queue is a binary min-heap of entries by (due, ord). It is hand-written
// rather than container/heap to avoid boxing an entry per operation.
type queue struct {
	items []entry
	ord   uint64
}

func (q *queue) less(a, b int) bool {
	x, y := &q.items[a], &q.items[b]
	return x.due < y.due || (x.due == y.due && x.ord < y.ord)
}

func (q *queue) len() int { return len(q.items) }

// peek returns the earliest due time; the queue must not be empty.
func (q *queue) peek() int64 { return q.items[0].due }

func (q *queue) push(due int64, j job) {
	q.ord++
	q.items = append(q.items, entry{due: due, ord: q.ord, j: j})
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

// pop removes and returns the earliest entry; the queue must not be empty.
func (q *queue) pop() entry {
	top := q.items[0]
	n := len(q.items) - 1
	q.items[0] = q.items[n]
	q.items[n] = entry{}
	q.items = q.items[:n]
	q.down(0)
	return top
}

// reschedule moves the earliest entry to due with its job unchanged,
// cheaper than pop and push for self-repeating jobs.
func (q *queue) reschedule(due int64) {
	q.ord++
	q.items[0].due, q.items[0].ord = due, q.ord
	q.down(0)
}

func (q *queue) down(i int) {
	n := len(q.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			return
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
}
