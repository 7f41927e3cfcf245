package spool

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// warnInterval rate-limits the usage and full-spool warnings.
const warnInterval = time.Minute

// Spool is a durable, bounded, on-disk FIFO log of records. See the package
// documentation for the roles of Append, Run, Read and Commit.
type Spool struct {
	opts Options
	dir  string
	log  zerolog.Logger
	m    *metrics
	lock *os.File

	wake    chan struct{} // capacity 1: pokes the committer
	closing chan struct{} // closed by Close
	runDone chan struct{} // closed when Run returns

	mu           sync.Mutex
	segs         []*segment // ascending by num; the last is the active segment
	cursor       position   // committed: everything before it is consumed
	pending      []byte     // framed records queued for the committer
	urgent       bool       // a pending record came through AppendReserved: no CommitDelay
	pendingDone  []func(error)
	queued       int64         // bytes queued or being written
	queueWaiters bool          // appends wait for MaxQueuedBytes to drain
	bytes        int64         // durable bytes at or after the cursor
	dataCh       chan struct{} // closed and replaced when readers may progress
	spaceCh      chan struct{} // closed and replaced when appenders may progress
	running      bool
	stopped      bool // no more appends are accepted
	closed       bool
	aboveWarn    bool
	lastWarn     time.Time
	lastFull     time.Time
	disk         diskHealth

	// Owned by the committer: Open sets them up, then only Run touches
	// them, then Close.
	w         writer
	nextNum   uint64
	spare     []byte
	spareDone []func(error)

	// Owned by the reader; rmu serialises Read, Commit, Rewind and Close.
	rmu    sync.Mutex
	rpos   position
	rfile  *os.File
	rnum   uint64
	cstore *cursorStore // nil while the cursor file could not be created
}

// writer is the committer's handle on the active segment.
type writer struct {
	f      segmentFile // nil after a failed roll
	num    uint64
	off    int64 // bytes written and fsynced
	broken bool  // a write or fsync failed: roll before writing again
}

// Stats is a snapshot of the spool's size.
type Stats struct {
	Depth    int64 // durable records not yet committed
	Bytes    int64 // bytes of those records on disk
	Segments int   // segment files
}

// Open opens or creates the spool in opts.Dir and recovers it: segments
// already consumed are deleted, the segments after the cursor are scanned
// and counted, a torn tail of the last segment is truncated, and a damaged
// record in an earlier segment is logged, counted and the rest of that
// segment skipped. The committer does not run until Run is called.
func Open(opts Options) (*Spool, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("spool: create dir: %w", err)
	}
	lock, err := lockDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{
		opts:    opts,
		dir:     opts.Dir,
		log:     opts.Logger.With().Str("component", "ingest.spool").Logger(),
		m:       newMetrics(),
		lock:    lock,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		runDone: make(chan struct{}),
		dataCh:  make(chan struct{}),
		spaceCh: make(chan struct{}),
	}
	err = s.recover()
	if err == nil {
		err = s.m.register(opts.Registerer)
	}
	if err != nil {
		err = errors.Join(err, s.closeFiles(), lock.Close())
		return nil, err
	}
	return s, nil
}

// Stats returns the current depth, bytes and segment count. It is safe to
// call from any goroutine.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Depth: s.depthLocked(), Bytes: s.bytes, Segments: len(s.segs)}
}

// Close stops the spool. If Run is running it is told to flush what is
// pending and return, and Close waits for it; otherwise pending appends fail
// with ErrClosed. Blocked Appends and Reads return ErrClosed. Close releases
// the directory and unregisters the metrics; calling it again does nothing.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed, s.stopped = true, true
	running := s.running
	close(s.closing)
	s.signalSpaceLocked()
	s.signalDataLocked()
	s.mu.Unlock()

	if running {
		<-s.runDone
	} else {
		s.failPending(ErrClosed)
	}
	s.rmu.Lock()
	err := s.closeFiles()
	s.rmu.Unlock()
	s.m.unregister()
	return errors.Join(err, s.lock.Close())
}

func (s *Spool) closeFiles() error {
	var errs []error
	if s.w.f != nil {
		errs = append(errs, s.w.f.Close())
		s.w.f = nil
	}
	if s.rfile != nil {
		errs = append(errs, s.rfile.Close())
		s.rfile = nil
	}
	if s.cstore != nil {
		errs = append(errs, s.cstore.close())
		s.cstore = nil
	}
	return errors.Join(errs...)
}

func (s *Spool) durableSeqLocked() int64 { return s.segs[len(s.segs)-1].endSeq() }

func (s *Spool) depthLocked() int64 { return s.durableSeqLocked() - s.cursor.seq }

// countBytesLocked sums the durable bytes at or after the cursor.
func (s *Spool) countBytesLocked() int64 {
	var n int64
	for _, g := range s.segs {
		switch {
		case g.num > s.cursor.seg:
			n += g.size
		case g.num == s.cursor.seg:
			n += max(0, g.size-s.cursor.off)
		}
	}
	return n
}

func (s *Spool) signalDataLocked() {
	close(s.dataCh)
	s.dataCh = make(chan struct{})
}

func (s *Spool) signalSpaceLocked() {
	close(s.spaceCh)
	s.spaceCh = make(chan struct{})
}

func (s *Spool) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// publishLocked updates the gauges and logs a rate-limited warning when
// usage crosses WarnFraction of MaxBytes.
func (s *Spool) publishLocked() {
	s.m.records.Set(float64(s.depthLocked()))
	s.m.bytes.Set(float64(s.bytes))
	used := s.bytes + s.queued
	above := float64(used) >= s.opts.WarnFraction*float64(s.opts.MaxBytes)
	if above && !s.aboveWarn {
		if now := s.opts.now(); now.Sub(s.lastWarn) >= warnInterval {
			s.lastWarn = now
			s.log.Warn().Int64("bytes", used).Int64("max_bytes", s.opts.MaxBytes).
				Msg("spool usage above warning level")
		}
	}
	s.aboveWarn = above
}
