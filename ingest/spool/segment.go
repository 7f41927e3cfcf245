package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const segmentSuffix = ".seg"

// segment is the in-memory view of one segment file. The last segment in
// Spool.segs is the active one the committer appends to; the others are
// sealed and never change.
type segment struct {
	num uint64
	// size is the end of the durable, framed records: the reader never reads
	// past it. For the active segment the committer advances it after each
	// fsync.
	size int64
	// firstSeq is the sequence number of the first record counted in this
	// segment; records is how many are counted (from the cursor's offset
	// for the segment that held the cursor at Open).
	firstSeq int64
	records  int64
	// bad is the offset of a damaged record the reader found, or -1. The
	// reader treats the segment as ending there.
	bad int64
}

func (g *segment) endSeq() int64 { return g.firstSeq + g.records }

// readEnd is the offset the reader may read up to.
func (g *segment) readEnd() int64 {
	if g.bad >= 0 {
		return g.bad
	}
	return g.size
}

func segmentName(num uint64) string { return fmt.Sprintf("%016d%s", num, segmentSuffix) }

func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segmentSuffix)
	if !ok || len(digits) != 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}

// listSegments returns the segment numbers in dir, ascending.
func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: list segments: %w", err)
	}
	var nums []uint64
	for _, e := range entries {
		if n, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	return nums, nil
}

// scanResult describes the valid prefix of a segment file from a start
// offset.
type scanResult struct {
	end      int64 // offset just past the last valid record
	records  int64 // valid records between the start offset and end
	fileSize int64
	// damage is nil when the valid records run exactly to the end of the
	// file; otherwise it says what is wrong with the bytes at end.
	damage error
}

// scanSegment reads the records of the segment file at path from start,
// checking each frame, and stops at end of file or at the first bad frame.
// The returned error is for I/O failures only.
func scanSegment(path string, start int64) (scanResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return scanResult{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return scanResult{}, err
	}
	res := scanResult{end: start, fileSize: fi.Size()}
	if start > res.fileSize {
		res.damage = fmt.Errorf("start offset %d past end of file %d", start, res.fileSize)
		return res, nil
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return scanResult{}, err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	var hdr [headerSize]byte
	var payload []byte
	for res.end < res.fileSize {
		remaining := res.fileSize - res.end
		if remaining < headerSize {
			res.damage = errShortFrame
			return res, nil
		}
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return scanResult{}, err
		}
		length := binary.LittleEndian.Uint32(hdr[0:4])
		if length == 0 || length > MaxRecordSize {
			res.damage = errBadLength
			return res, nil
		}
		if int64(headerSize)+int64(length) > remaining {
			res.damage = errShortFrame
			return res, nil
		}
		payload = slices.Grow(payload[:0], int(length))[:length]
		if _, err := io.ReadFull(r, payload); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				// The file shrank under us; treat like a short frame.
				res.damage = errShortFrame
				return res, nil
			}
			return scanResult{}, err
		}
		if checksum(payload) != binary.LittleEndian.Uint32(hdr[4:8]) {
			res.damage = errBadCRC
			return res, nil
		}
		res.end += int64(headerSize) + int64(length)
		res.records++
	}
	return res, nil
}

func segmentPath(dir string, num uint64) string { return filepath.Join(dir, segmentName(num)) }
