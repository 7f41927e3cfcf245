package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Batch is a run of consecutive records returned by Read. Each record is a
// copy owned by the caller.
type Batch struct {
	Records [][]byte
	end     position // just past the last record
}

// Read returns the next records after the reader position, up to maxRecords
// records and maxBytes payload bytes (the first record is returned whatever
// its size). It blocks until at least one durable record is available, ctx
// ends (ctx.Err()) or the spool is closed (ErrClosed). Successive Reads
// continue where the previous batch ended; Rewind goes back to the committed
// cursor. A damaged record is logged and counted and the rest of its segment
// skipped. Read, Commit and Rewind belong to one reader goroutine.
func (s *Spool) Read(ctx context.Context, maxRecords, maxBytes int) (Batch, error) {
	if maxRecords < 1 {
		return Batch{}, fmt.Errorf("spool: read: max records must be > 0: %d", maxRecords)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Batch{}, ErrClosed
		}
		g, ok := s.readableLocked()
		if !ok {
			data := s.dataCh
			s.mu.Unlock()
			select {
			case <-data:
				continue
			case <-ctx.Done():
				return Batch{}, ctx.Err()
			}
		}
		pos, end := s.rpos, g.readEnd()
		s.mu.Unlock()

		b, damage, err := s.readAt(pos, end, maxRecords, maxBytes)
		if err != nil {
			return Batch{}, err
		}
		if len(b.Records) > 0 {
			s.rpos = b.end
			return b, nil
		}
		s.markDamaged(pos, damage)
	}
}

// readableLocked moves the reader position past exhausted sealed segments
// and returns the segment it is in if that has records left to read.
func (s *Spool) readableLocked() (*segment, bool) {
	if s.rpos.before(s.cursor) {
		s.rpos = s.cursor
	}
	for i, g := range s.segs {
		if g.num < s.rpos.seg {
			continue
		}
		if g.num > s.rpos.seg {
			s.rpos = position{seg: g.num, seq: g.firstSeq}
		}
		if s.rpos.off < g.readEnd() {
			return g, true
		}
		if i == len(s.segs)-1 {
			return nil, false // the active segment: wait for the committer
		}
		s.rpos = position{seg: s.segs[i+1].num, seq: s.segs[i+1].firstSeq}
	}
	return nil, false
}

// readAt reads records of segment pos.seg from pos.off, never past end
// (which lies on a record boundary). If the first record is damaged it
// returns an empty batch and the damage.
func (s *Spool) readAt(pos position, end int64, maxRecords, maxBytes int) (Batch, error, error) {
	f, err := s.readerFile(pos.seg)
	if err != nil {
		return Batch{}, nil, err
	}
	avail := end - pos.off
	want := min(avail, min(int64(max(maxBytes, 0)), avail)+min(int64(maxRecords), avail)*headerSize)
	want = max(want, min(avail, headerSize))
	buf := make([]byte, want)
	if _, err := f.ReadAt(buf, pos.off); err != nil {
		return Batch{}, nil, fmt.Errorf("spool: read segment %d: %w", pos.seg, err)
	}
	if len(buf) >= headerSize {
		// Make sure the first record fits, however large.
		l := int64(binary.LittleEndian.Uint32(buf))
		if n := headerSize + l; l > 0 && l <= MaxRecordSize && n > want && n <= avail {
			buf = make([]byte, n)
			if _, err := f.ReadAt(buf, pos.off); err != nil {
				return Batch{}, nil, fmt.Errorf("spool: read segment %d: %w", pos.seg, err)
			}
		}
	}

	b := Batch{Records: make([][]byte, 0, min(maxRecords, 256)), end: pos}
	total := 0
	for len(b.Records) < maxRecords && len(buf) > 0 {
		p, n, ferr := parseFrame(buf)
		if ferr != nil {
			if errors.Is(ferr, errShortFrame) && int64(len(buf)) < end-b.end.off {
				break // the buffer ends here, not the data
			}
			if len(b.Records) > 0 {
				break // return what is good; the next Read meets the damage
			}
			return Batch{}, ferr, nil
		}
		if len(b.Records) > 0 && total+len(p) > maxBytes {
			break
		}
		b.Records = append(b.Records, p[:len(p):len(p)])
		total += len(p)
		buf = buf[n:]
		b.end.off += int64(n)
		b.end.seq++
	}
	return b, nil, nil
}

// readerFile returns the reader's handle on segment num.
func (s *Spool) readerFile(num uint64) (*os.File, error) {
	if s.rfile != nil && s.rnum == num {
		return s.rfile, nil
	}
	if s.rfile != nil {
		_ = s.rfile.Close()
		s.rfile = nil
	}
	f, err := os.Open(segmentPath(s.dir, num))
	if err != nil {
		return nil, fmt.Errorf("spool: open segment %d for reading: %w", num, err)
	}
	s.rfile, s.rnum = f, num
	return f, nil
}

// markDamaged records that the segment at pos is unreadable from pos on.
// The reader skips to the next segment; if the damage is in the active
// segment the committer is poked to roll to a new one first.
func (s *Spool) markDamaged(pos position, damage error) {
	s.log.Error().Err(fmt.Errorf("%w: segment %d offset %d: %w", ErrCorrupt, pos.seg, pos.off, damage)).
		Msg("damaged record, skipping rest of segment")
	s.m.corrupt.Inc()
	s.mu.Lock()
	for _, g := range s.segs {
		if g.num == pos.seg && (g.bad < 0 || pos.off < g.bad) {
			g.bad = pos.off
		}
	}
	s.mu.Unlock()
	s.poke()
}

// Commit marks every record up to the end of b as consumed: it persists the
// cursor in place (no free space needed), deletes segment files that are
// wholly consumed and wakes Appends waiting for space. Committing a batch
// at or before the cursor does nothing. Commit fails only for a closed
// spool or a batch that is not from it.
//
// If the cursor cannot be persisted (a failing disk) the commit still takes
// effect in memory, so the reader never hands the batch out again, and
// wholly consumed segments are still deleted, which is what frees a full
// disk: a restart then resumes at the oldest remaining segment or the last
// persisted cursor, whichever is later, so nothing acknowledged is lost and
// at most the records since the last persisted cursor are replayed (as
// after any crash). The failure shows in Health, the metrics and the log.
func (s *Spool) Commit(b Batch) error {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case b.end.seg == 0 || !s.cursor.before(b.end):
		s.mu.Unlock()
		return nil
	case b.end.seq > s.durableSeqLocked():
		s.mu.Unlock()
		return errors.New("spool: commit: batch is not from this spool")
	}
	s.mu.Unlock()

	if err := s.persistCursor(b.end); err != nil {
		s.noteDiskError(opCursor, diskError(err), 0)
	} else {
		s.noteDiskOK(opCursor)
	}

	s.mu.Lock()
	committed := b.end.seq - s.cursor.seq
	s.cursor = b.end
	var drop []uint64
	keep := make([]*segment, 0, len(s.segs))
	for i, g := range s.segs {
		sealed := i < len(s.segs)-1
		switch {
		case sealed && g.num < s.cursor.seg:
			drop = append(drop, g.num)
		case sealed && g.num == s.cursor.seg && s.cursor.off >= g.readEnd():
			drop = append(drop, g.num)
			next := s.segs[i+1]
			s.cursor = position{seg: next.num, seq: next.firstSeq}
		default:
			keep = append(keep, g)
		}
	}
	s.segs = keep
	s.bytes = s.countBytesLocked()
	s.signalSpaceLocked()
	s.publishLocked()
	s.mu.Unlock()
	s.m.committed.Add(float64(committed))

	removed := 0
	for _, n := range drop {
		if s.rfile != nil && s.rnum == n {
			_ = s.rfile.Close()
			s.rfile = nil
		}
		if err := os.Remove(segmentPath(s.dir, n)); err != nil {
			// Open deletes consumed segments it finds, so this is not fatal.
			s.log.Warn().Err(err).Uint64("segment", n).Msg("remove consumed segment")
			continue
		}
		removed++
	}
	if removed > 0 {
		s.spaceFreed()
	}
	return nil
}

// persistCursor writes p to the cursor file in place, first creating the
// file if Open could not.
func (s *Spool) persistCursor(p position) error {
	if s.cstore != nil {
		return s.cstore.write(p)
	}
	if err := createCursorFile(s.dir, p, 0); err != nil {
		return err
	}
	f, err := s.opts.openCursor(filepath.Join(s.dir, cursorFile))
	if err != nil {
		return fmt.Errorf("spool: open cursor: %w", err)
	}
	s.cstore = &cursorStore{f: f, gen: 1}
	return nil
}

// Rewind moves the reader position back to the committed cursor, so the
// next Read returns the uncommitted records again (after a failed write to
// the consumer, for example).
func (s *Spool) Rewind() {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	s.mu.Lock()
	if n := s.rpos.seq - s.cursor.seq; n > 0 {
		s.m.rewound.Add(float64(n))
	}
	s.rpos = s.cursor
	s.mu.Unlock()
}
