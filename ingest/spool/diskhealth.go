package spool

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Disk operations, the op label of campusguard_spool_disk_errors_total.
const (
	opWrite  = "write"  // writing records to a segment
	opFsync  = "fsync"  // fsyncing a segment
	opCreate = "create" // creating a segment file
	opCursor = "cursor" // persisting the read cursor
)

var diskOps = []string{opWrite, opFsync, opCreate, opCursor}

// diskHealth is what the spool knows about its disk, for Health, the
// metrics, the committer's retry pacing and rate-limited logs. Guarded by
// Spool.mu.
type diskHealth struct {
	writeErr  error     // last failed segment write, fsync or create; nil after a success
	cursorErr error     // last failed cursor write; nil after a success
	failures  int       // consecutive failed segment writes, for the backoff
	retryAt   time.Time // the committer touches the disk again from then on
	lastLog   time.Time
	// suppressed counts failures not logged since the last log line.
	suppressed int
}

// isNoSpace reports whether err means the filesystem is out of space or
// quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// diskErr marks a failed disk operation so that callers can tell a full
// disk (ErrDiskFull) from other I/O errors (ErrDisk) with errors.Is; the
// original error stays in the chain and is the message.
type diskErr struct{ err error }

func (e *diskErr) Error() string { return e.err.Error() }

func (e *diskErr) Unwrap() []error {
	if isNoSpace(e.err) {
		return []error{ErrDiskFull, e.err}
	}
	return []error{ErrDisk, e.err}
}

func diskError(err error) error { return &diskErr{err} }

// noteDiskError records a failed disk operation: it counts it, marks the
// spool unhealthy, paces the committer's next attempt (segment writes only)
// and logs at most once per warnInterval, with the number held back.
// records is how many appends the failure failed.
func (s *Spool) noteDiskError(op string, err error, records int) {
	s.m.diskErrors.WithLabelValues(op).Inc()
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &s.disk
	if op == opCursor {
		d.cursorErr = err
	} else {
		d.writeErr = err
		d.failures++
		d.retryAt = time.Now().Add(s.diskRetryDelay(d.failures))
	}
	s.publishDiskLocked()
	now := s.opts.now()
	if !d.lastLog.IsZero() && now.Sub(d.lastLog) < warnInterval {
		d.suppressed++
		return
	}
	ev := s.log.Error().Err(err).Str("op", op).Int("suppressed", d.suppressed)
	if records > 0 {
		ev = ev.Int("records", records)
	}
	ev.Bool("disk_full", isNoSpace(err)).Msg("spool disk write failed")
	d.lastLog, d.suppressed = now, 0
}

// noteDiskOK records a successful segment write (op other than opCursor)
// or cursor write, clearing the matching failure.
func (s *Spool) noteDiskOK(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &s.disk
	if op == opCursor {
		if d.cursorErr == nil {
			return
		}
		d.cursorErr = nil
	} else {
		if d.writeErr == nil {
			return
		}
		d.writeErr, d.failures, d.retryAt = nil, 0, time.Time{}
	}
	s.publishDiskLocked()
	if d.writeErr == nil && d.cursorErr == nil {
		s.log.Info().Int("suppressed", d.suppressed).Msg("spool disk writes recovered")
		d.lastLog, d.suppressed = time.Time{}, 0
	}
}

// spaceFreed is called after consumed segment files were deleted: if
// writes were failing for lack of space, the next write is tried at once
// (the failure is cleared until that write says otherwise).
func (s *Spool) spaceFreed() {
	s.mu.Lock()
	d := &s.disk
	retry := d.writeErr != nil && errors.Is(d.writeErr, ErrDiskFull)
	if retry {
		d.writeErr, d.failures, d.retryAt = nil, 0, time.Time{}
		s.publishDiskLocked()
		s.log.Info().Msg("spool freed disk space, retrying writes")
	}
	s.mu.Unlock()
	if retry {
		s.poke()
	}
}

// diskRetryDelay is the pause after the nth consecutive failed segment
// write: diskRetryMin doubling up to diskRetryMax.
func (s *Spool) diskRetryDelay(n int) time.Duration {
	d := s.opts.diskRetryMax
	if n <= 31 && s.opts.diskRetryMin<<(n-1) < d && s.opts.diskRetryMin<<(n-1) > 0 {
		d = s.opts.diskRetryMin << (n - 1)
	}
	return d
}

// diskWaitLocked returns how long the committer must still leave the disk
// alone after failed writes; 0 when it may write now.
func (s *Spool) diskWaitLocked() time.Duration {
	if s.disk.writeErr == nil {
		return 0
	}
	return max(0, time.Until(s.disk.retryAt))
}

func (s *Spool) publishDiskLocked() {
	d := &s.disk
	failing := d.writeErr != nil || d.cursorErr != nil
	full := (d.writeErr != nil && isNoSpace(d.writeErr)) || (d.cursorErr != nil && isNoSpace(d.cursorErr))
	s.m.diskFailing.Set(b2f(failing))
	s.m.diskFull.Set(b2f(full))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Health reports whether the spool can store what it is given: nil, or
// the last disk failure while segment writes (appends) or cursor writes
// (commits) fail. A full filesystem wraps ErrDiskFull, other I/O errors
// ErrDisk. It clears on the next successful write of the same kind, and
// a full-disk failure also when the spool deletes consumed segments (space
// came back). Safe from any goroutine; for readiness checks.
func (s *Spool) Health() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.disk.writeErr != nil {
		errs = append(errs, fmt.Errorf("spool: appends failing: %w", s.disk.writeErr))
	}
	if s.disk.cursorErr != nil {
		errs = append(errs, fmt.Errorf("spool: cursor not persisted: %w", s.disk.cursorErr))
	}
	return errors.Join(errs...)
}
