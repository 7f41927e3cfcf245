package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	cursorFile    = "cursor"
	cursorTmpFile = "cursor.tmp"
	// cursorSize is the encoded size: u64 segment, u64 offset, u32 CRC-32C
	// of the first 16 bytes, all little endian.
	cursorSize = 20
)

// position is a place in the log: a segment, a byte offset in it, and the
// sequence number of the record that starts there. Sequence numbers count
// records since Open; only seg and off are persisted.
type position struct {
	seg uint64
	off int64
	seq int64
}

// before reports whether p is strictly before q in the log.
func (p position) before(q position) bool {
	if p.seg != q.seg {
		return p.seg < q.seg
	}
	return p.off < q.off
}

func encodeCursor(p position) []byte {
	b := make([]byte, cursorSize)
	binary.LittleEndian.PutUint64(b[0:8], p.seg)
	binary.LittleEndian.PutUint64(b[8:16], uint64(p.off))
	binary.LittleEndian.PutUint32(b[16:20], checksum(b[0:16]))
	return b
}

func decodeCursor(b []byte) (position, error) {
	if len(b) != cursorSize {
		return position{}, fmt.Errorf("%w: cursor is %d bytes, want %d", ErrCorrupt, len(b), cursorSize)
	}
	if checksum(b[0:16]) != binary.LittleEndian.Uint32(b[16:20]) {
		return position{}, fmt.Errorf("%w: cursor crc mismatch", ErrCorrupt)
	}
	off := binary.LittleEndian.Uint64(b[8:16])
	if off > 1<<62 {
		return position{}, fmt.Errorf("%w: cursor offset %d out of range", ErrCorrupt, off)
	}
	return position{seg: binary.LittleEndian.Uint64(b[0:8]), off: int64(off)}, nil
}

// readCursor loads the committed cursor. A missing file is the zero
// position (nothing consumed yet).
func readCursor(dir string) (position, error) {
	b, err := os.ReadFile(filepath.Join(dir, cursorFile))
	if errors.Is(err, fs.ErrNotExist) {
		return position{}, nil
	}
	if err != nil {
		return position{}, fmt.Errorf("spool: read cursor: %w", err)
	}
	return decodeCursor(b)
}

// writeCursor replaces the cursor atomically: write a temporary file, fsync
// it, rename it over the cursor and fsync the directory. A crash leaves
// either the old cursor or the new one.
func writeCursor(dir string, p position) error {
	tmp := filepath.Join(dir, cursorTmpFile)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("spool: write cursor: %w", err)
	}
	_, err = f.Write(encodeCursor(p))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, cursorFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("spool: write cursor: %w", err)
	}
	return nil
}
