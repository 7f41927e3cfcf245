package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// recover rebuilds the in-memory state from the directory. It runs once,
// from Open, before any other goroutine can see the Spool.
func (s *Spool) recover() error {
	cur, gen, slotted, err := readCursor(s.dir)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			return err
		}
		// Replaying from the oldest segment only duplicates records, which
		// consumers tolerate; refusing to start would stop ingestion.
		s.log.Error().Err(err).Msg("cursor damaged, replaying from the oldest segment")
		s.m.corrupt.Inc()
		cur = position{}
	}
	if err := os.Remove(filepath.Join(s.dir, cursorTmpFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn().Err(err).Msg("remove stale cursor temp file")
	}

	nums, err := listSegments(s.dir)
	if err != nil {
		return err
	}
	maxNum := cur.seg
	var live []uint64
	for _, n := range nums {
		maxNum = max(maxNum, n)
		if n >= cur.seg {
			live = append(live, n)
			continue
		}
		// Consumed: a crash came between the cursor write and the delete.
		if err := os.Remove(segmentPath(s.dir, n)); err != nil {
			s.log.Warn().Err(err).Uint64("segment", n).Msg("remove consumed segment")
		}
	}
	s.nextNum = maxNum + 1
	if len(live) == 0 || live[0] != cur.seg {
		cur = position{} // the cursor's segment is gone: start at the oldest
	}

	for i, n := range live {
		start := int64(0)
		if i == 0 && cur.seg == n {
			start = cur.off
		}
		g, from, err := s.recoverSegment(n, start, i == len(live)-1)
		if err != nil {
			return err
		}
		if g.num == cur.seg {
			cur.off = from
		}
		if len(s.segs) > 0 {
			g.firstSeq = s.segs[len(s.segs)-1].endSeq()
		}
		s.segs = append(s.segs, g)
	}

	if len(s.segs) == 0 {
		if err := s.roll(); err != nil {
			return err
		}
		cur = position{seg: s.segs[0].num}
	} else {
		last := s.segs[len(s.segs)-1]
		f, err := s.opts.openFile(segmentPath(s.dir, last.num), os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("spool: open segment %d: %w", last.num, err)
		}
		s.w = writer{f: f, num: last.num, off: last.size}
		if cur.seg == 0 {
			cur = position{seg: s.segs[0].num}
		}
	}
	s.cursor, s.rpos = cur, cur
	s.openCursorStore(cur, gen, slotted)
	s.bytes = s.countBytesLocked()
	s.m.maxBytes.Set(float64(s.opts.MaxBytes))
	s.publishLocked()
	s.log.Info().Int64("records", s.depthLocked()).Int64("bytes", s.bytes).
		Int("segments", len(s.segs)).Uint64("cursor_segment", cur.seg).Int64("cursor_offset", cur.off).
		Msg("spool opened")
	return nil
}

// openCursorStore opens the cursor file for in-place commits, first
// creating it (preallocated, holding cur) when it is missing or in the
// legacy format. That needs a little free space; if it fails the spool
// still opens: Commit tries again, and meanwhile commits take effect in
// memory and by deleting consumed segments (see Commit).
func (s *Spool) openCursorStore(cur position, gen uint64, slotted bool) {
	if !slotted {
		if err := createCursorFile(s.dir, cur, 0); err != nil {
			s.noteDiskError(opCursor, diskError(err), 0)
			return
		}
		gen = 1
	}
	f, err := s.opts.openCursor(filepath.Join(s.dir, cursorFile))
	if err != nil {
		s.noteDiskError(opCursor, diskError(fmt.Errorf("spool: open cursor: %w", err)), 0)
		return
	}
	s.cstore = &cursorStore{f: f, gen: gen}
}

// recoverSegment scans segment n from start. In the last segment the first
// bad record starts a torn tail (the write in flight at the crash, never
// acknowledged), which is truncated. In an earlier segment it is corruption:
// it is logged and counted and the rest of the segment is skipped.
// It returns the segment and the offset the scan started from.
func (s *Spool) recoverSegment(n uint64, start int64, last bool) (*segment, int64, error) {
	path := segmentPath(s.dir, n)
	res, err := scanSegment(path, start)
	if err != nil {
		return nil, 0, fmt.Errorf("spool: scan segment %d: %w", n, err)
	}
	if start > res.fileSize {
		// The cursor points past the end of its segment: the file lost data.
		// Replay the segment rather than guess.
		s.log.Error().Err(fmt.Errorf("%w: cursor offset %d past end of segment %d (%d bytes)",
			ErrCorrupt, start, n, res.fileSize)).Msg("cursor past segment end, replaying segment")
		s.m.corrupt.Inc()
		start = 0
		if res, err = scanSegment(path, 0); err != nil {
			return nil, 0, fmt.Errorf("spool: scan segment %d: %w", n, err)
		}
	}
	if res.damage != nil {
		if last {
			if err := truncateFile(path, res.end); err != nil {
				return nil, 0, fmt.Errorf("spool: truncate torn tail of segment %d: %w", n, err)
			}
			s.log.Warn().Str("reason", res.damage.Error()).Uint64("segment", n).Int64("offset", res.end).
				Int64("dropped_bytes", res.fileSize-res.end).Msg("truncated torn tail")
		} else {
			s.log.Error().Err(fmt.Errorf("%w: segment %d offset %d: %w", ErrCorrupt, n, res.end, res.damage)).
				Int64("skipped_bytes", res.fileSize-res.end).Msg("damaged record, skipping rest of segment")
			s.m.corrupt.Inc()
		}
	}
	return &segment{num: n, size: res.end, records: res.records, bad: -1}, start, nil
}

func truncateFile(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
