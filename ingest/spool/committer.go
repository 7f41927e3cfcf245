package spool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// maxSpareBuffer caps the pending buffer kept for reuse between flushes, so
// that one burst does not pin a large allocation.
const maxSpareBuffer = 4 << 20

// Append queues rec for the committer and returns. done is called exactly
// once: with nil from the committer goroutine once rec is written and
// fsynced, with the write error from the committer if that fails, or before
// Append returns if rec is rejected (ErrEmpty, ErrTooLarge, ErrClosed, or
// ctx's error when ctx ends while the spool is full). Records queued by one
// goroutine are stored in the order of its calls. Append copies rec. done
// runs on the committer goroutine, so it must be quick and must not block;
// in particular it must not call Append, which may wait for space.
//
// While the spool holds MaxBytes, Append blocks until the reader commits
// enough to make room, ctx ends, or the spool stops; while MaxQueuedBytes
// wait in memory for the committer, until its next write.
func (s *Spool) Append(ctx context.Context, rec []byte, done func(error)) {
	s.appendUpTo(ctx, rec, done, s.opts.MaxBytes, false)
}

// AppendReserved is Append for urgent records (alarm events): it may also
// use the ReserveBytes set aside above MaxBytes, so it waits only once the
// spool holds MaxBytes+ReserveBytes. Ordinary appends never use the reserve.
func (s *Spool) AppendReserved(ctx context.Context, rec []byte, done func(error)) {
	s.appendUpTo(ctx, rec, done, s.opts.MaxBytes+s.opts.ReserveBytes, true)
}

// appendUpTo queues rec once the spool holds less than limit; an urgent
// record (AppendReserved) neither waits for the committer's backlog nor
// for CommitDelay, even when no reserve is configured.
func (s *Spool) appendUpTo(ctx context.Context, rec []byte, done func(error), limit int64, urgent bool) {
	if done == nil {
		done = func(error) {}
	}
	switch {
	case len(rec) == 0:
		s.reject(done, ErrEmpty, reasonEmpty)
		return
	case len(rec) > MaxRecordSize:
		s.reject(done, fmt.Errorf("%w: %d bytes, max %d", ErrTooLarge, len(rec), MaxRecordSize), reasonTooLarge)
		return
	}
	need := int64(headerSize + len(rec))
	crc := checksum(rec)
	waited := false
	s.mu.Lock()
	for {
		if s.stopped {
			s.mu.Unlock()
			s.reject(done, ErrClosed, reasonClosed)
			return
		}
		used := s.bytes + s.queued
		full := used != 0 && used+need > limit
		// Ordinary appends also wait for the committer once MaxQueuedBytes
		// are in memory; urgent ones (the reserve) never do.
		backlog := !urgent && s.queued != 0 && s.queued+need > s.opts.MaxQueuedBytes
		if !full && !backlog {
			break
		}
		if backlog {
			if !s.queueWaiters {
				s.m.queueWaits.Inc()
			}
			s.queueWaiters = true
		} else if !waited {
			waited = true
			s.m.fullWaits.Inc()
			if now := s.opts.now(); now.Sub(s.lastFull) >= warnInterval {
				s.lastFull = now
				s.log.Warn().Int64("bytes", used).Int64("max_bytes", s.opts.MaxBytes).
					Msg("spool full, appends waiting for the reader")
			}
		}
		space := s.spaceCh
		s.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			s.reject(done, ctx.Err(), reasonCanceled)
			return
		}
		s.mu.Lock()
	}
	s.pending = appendFrameCRC(s.pending, rec, crc)
	s.pendingDone = append(s.pendingDone, done)
	if urgent {
		s.urgent = true // AppendReserved: no CommitDelay for this group
	}
	s.queued += need
	s.mu.Unlock()
	s.poke()
}

func (s *Spool) reject(done func(error), err error, reason string) {
	s.m.appendErrors.WithLabelValues(reason).Inc()
	done(err)
}

// Run is the committer. It blocks until ctx ends or Close is called. Each
// time records are pending it writes them all with one write and one fsync
// (per segment touched) and then calls their done funcs in order; records
// appended meanwhile wait for the next round, which is what groups commits.
// A failed write fails its records and Run carries on with a new segment.
// When ctx ends Run stops accepting appends, flushes what is pending and
// returns nil, or the error of that last flush.
func (s *Spool) Run(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.running:
		s.mu.Unlock()
		return errors.New("spool: run called twice")
	}
	s.running = true
	s.mu.Unlock()
	defer close(s.runDone)

	// retry fires when the pause after a failed disk write is over.
	var retry <-chan time.Time
	var retryTimer, gatherTimer *time.Timer
	defer func() {
		if retryTimer != nil {
			retryTimer.Stop()
		}
		if gatherTimer != nil {
			gatherTimer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return s.shutdown()
		case <-s.closing:
			return s.shutdown()
		case <-retry:
			retry = nil
		case <-s.wake:
		}
		// After a failed write the disk is left alone for a while: pending
		// records wait (Append's bound still holds), however many arrive,
		// so a full disk costs one attempt per pause, not one per append.
		// Deleting consumed segments ends the pause at once (spaceFreed).
		s.mu.Lock()
		wait := s.diskWaitLocked()
		s.mu.Unlock()
		if wait > 0 {
			// Re-armed each time: a pause may have been cut short and a
			// shorter one begun since the timer was set.
			if retryTimer == nil {
				retryTimer = time.NewTimer(wait)
			} else {
				retryTimer.Reset(wait) // Go ≥ 1.23: no stale tick after Reset
			}
			retry = retryTimer.C
			continue
		}
		// Let appenders that the last round's done funcs just woke queue
		// their next records first: it doubles the records per fsync when
		// appenders wait for each ack (see BenchmarkAppend).
		runtime.Gosched()
		if s.opts.CommitDelay > 0 && !s.gather(ctx, &gatherTimer) {
			return s.shutdown()
		}
		_ = s.flush() // errors went to the done funcs, the metrics and the log
	}
}

// gather waits up to CommitDelay for the group to grow: until the delay
// is over, CommitBatch records are pending or an urgent record arrives.
// It returns false when the spool is stopping (ctx ended or Close).
func (s *Spool) gather(ctx context.Context, t **time.Timer) bool {
	if *t == nil {
		*t = time.NewTimer(s.opts.CommitDelay)
	} else {
		(*t).Reset(s.opts.CommitDelay) // Go ≥ 1.23: no stale tick after Reset
	}
	for {
		s.mu.Lock()
		enough := s.urgent || len(s.pendingDone) == 0 || len(s.pendingDone) >= s.opts.CommitBatch
		s.mu.Unlock()
		if enough {
			return true
		}
		select {
		case <-(*t).C:
			return true
		case <-s.wake: // another append: look again
		case <-ctx.Done():
			return false
		case <-s.closing:
			return false
		}
	}
}

// shutdown stops new appends and flushes the ones already queued.
func (s *Spool) shutdown() error {
	s.mu.Lock()
	s.stopped = true
	s.signalSpaceLocked()
	s.mu.Unlock()
	if err := s.flush(); err != nil {
		return fmt.Errorf("spool: final flush: %w", err)
	}
	return nil
}

// failPending fails every queued record; used by Close when Run never ran.
func (s *Spool) failPending(err error) {
	s.mu.Lock()
	dones := s.pendingDone
	s.pending, s.pendingDone, s.queued = nil, nil, 0
	s.mu.Unlock()
	s.m.appendErrors.WithLabelValues(reasonClosed).Add(float64(len(dones)))
	for _, d := range dones {
		d(err)
	}
}

// flush writes everything pending, then reports to the done funcs.
func (s *Spool) flush() error {
	s.mu.Lock()
	buf, dones := s.pending, s.pendingDone
	s.pending, s.pendingDone = s.spare[:0], s.spareDone[:0]
	s.urgent = false
	// Roll away from a segment the reader found damaged, and from one whose
	// last write failed, but only create a file when there is work for it.
	needRoll := s.segs[len(s.segs)-1].bad >= 0 ||
		(len(dones) > 0 && (s.w.f == nil || s.w.broken))
	s.mu.Unlock()

	var err error
	if needRoll {
		err = s.roll()
	}
	okRecs, okBytes := 0, 0
	if err == nil && len(dones) > 0 {
		okRecs, okBytes, err = s.writeBatch(buf)
	}
	if failed := int64(len(buf) - okBytes); failed > 0 {
		s.mu.Lock()
		s.queued -= failed
		s.signalSpaceLocked()
		s.mu.Unlock()
	}
	if err != nil && len(dones) > okRecs {
		s.m.appendErrors.WithLabelValues(reasonIO).Add(float64(len(dones) - okRecs))
	}
	if err != nil {
		s.noteDiskError(opOf(err), err, len(dones)-okRecs)
	} else if len(dones) > 0 {
		s.noteDiskOK(opWrite)
	}
	s.m.appended.Add(float64(okRecs))
	for i, d := range dones {
		if i < okRecs {
			d(nil)
		} else {
			d(err)
		}
	}
	clear(dones)
	if cap(buf) > maxSpareBuffer {
		buf, dones = nil, nil
	}
	s.spare, s.spareDone = buf[:0], dones[:0]
	return err
}

// writeBatch writes the framed records in buf to the active segment,
// rolling to a new segment whenever the next record would take the current
// one past SegmentBytes (a record larger than that gets a segment to
// itself). It returns how many records and bytes are durable.
func (s *Spool) writeBatch(buf []byte) (okRecs, okBytes int, err error) {
	start, n := 0, 0
	for i := 0; i < len(buf); {
		fl := frameLen(buf[i:])
		size := s.w.off + int64(i-start)
		if size > 0 && size+int64(fl) > s.opts.SegmentBytes {
			if n > 0 {
				if err := s.writeChunk(buf[start:i], n); err != nil {
					return okRecs, okBytes, err
				}
				okRecs, okBytes = okRecs+n, okBytes+(i-start)
				start, n = i, 0
			}
			if err := s.roll(); err != nil {
				return okRecs, okBytes, err
			}
		}
		i += fl
		n++
	}
	if n > 0 {
		if err := s.writeChunk(buf[start:], n); err != nil {
			return okRecs, okBytes, err
		}
		okRecs, okBytes = okRecs+n, okBytes+(len(buf)-start)
	}
	return okRecs, okBytes, nil
}

// opError is a failed disk operation of the committer, for the op label.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// opOf returns the disk operation that err failed in.
func opOf(err error) string {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.op
	}
	return opWrite
}

// writeChunk appends n framed records to the active segment with one write
// and one fsync, then publishes them to the reader.
func (s *Spool) writeChunk(p []byte, n int) error {
	w, err := s.w.f.Write(p)
	if err == nil && w < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		// A failed write (ENOSPC on a full disk) left at most a partial
		// record after the durable end: cut it off, make the cut durable,
		// and keep appending to this file. Rolling to a new file after
		// every failure made a full disk fill with empty segments.
		if terr := s.cutTail(); terr != nil {
			s.w.broken = true
		}
		return &opError{opWrite, diskError(fmt.Errorf("spool: write segment %d: %w", s.w.num, err))}
	}
	t := time.Now()
	err = s.w.f.Sync()
	s.m.fsyncSeconds.Observe(time.Since(t).Seconds())
	if err != nil {
		// After a failed fsync the file's tail is unknown (even a retry
		// proves nothing), so never write to it again: cut the tail off if
		// we can and roll before the next write. Recovery treats whatever
		// remains as a damaged tail of a sealed segment.
		s.w.broken = true
		_ = s.cutTail()
		return &opError{opFsync, diskError(fmt.Errorf("spool: fsync segment %d: %w", s.w.num, err))}
	}
	s.w.off += int64(len(p))

	s.mu.Lock()
	g := s.segs[len(s.segs)-1]
	g.size += int64(len(p))
	g.records += int64(n)
	s.bytes += int64(len(p))
	s.queued -= int64(len(p))
	if s.queueWaiters { // appends waiting for the committer (MaxQueuedBytes)
		s.queueWaiters = false
		s.signalSpaceLocked()
	}
	s.signalDataLocked()
	s.publishLocked()
	s.mu.Unlock()
	return nil
}

// cutTail truncates the active segment to its durable end and fsyncs the
// cut (neither needs free space).
func (s *Spool) cutTail() error {
	err := s.w.f.Truncate(s.w.off)
	if err == nil {
		err = s.w.f.Sync()
	}
	if err != nil {
		s.log.Warn().Err(err).Uint64("segment", s.w.num).Msg("truncate after failed write")
	}
	return err
}

// roll seals the active segment and starts a new one. The new file's
// directory entry is fsynced before anything is written to it.
func (s *Spool) roll() error {
	if s.w.f != nil {
		if err := s.w.f.Close(); err != nil {
			s.log.Warn().Err(err).Uint64("segment", s.w.num).Msg("close sealed segment")
		}
		s.w.f = nil
	}
	num := s.nextNum
	s.nextNum++
	path := segmentPath(s.dir, num)
	f, err := s.opts.openFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
	if err != nil {
		return &opError{opCreate, diskError(fmt.Errorf("spool: create segment %d: %w", num, err))}
	}
	if err := syncDir(s.dir); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return &opError{opCreate, diskError(fmt.Errorf("spool: create segment %d: %w", num, err))}
	}
	s.w = writer{f: f, num: num}

	s.mu.Lock()
	var first int64
	if len(s.segs) > 0 {
		first = s.durableSeqLocked()
	}
	s.segs = append(s.segs, &segment{num: num, firstSeq: first, bad: -1})
	s.signalDataLocked() // a reader at the end of the sealed segment moves on
	s.mu.Unlock()
	return nil
}
