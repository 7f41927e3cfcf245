package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The cursor file holds two slots, A at offset 0 and B at cursorSlotSpacing,
// each a checksummed copy of the committed position with a generation
// number. Commit overwrites the slot of the older generation in place and
// fsyncs: the file is allocated once, when the spool opens, so committing
// never needs free space (a full disk can always be drained), and a torn
// write damages only the slot being written while the other still holds the
// previous cursor. The slot with the highest valid generation wins.
const (
	cursorFile    = "cursor"
	cursorTmpFile = "cursor.tmp"
	// cursorSlotSize is one slot: u32 magic, u64 generation, u64 segment,
	// u64 offset, u32 CRC-32C of the first 28 bytes, little endian.
	cursorSlotSize = 32
	// cursorSlotSpacing puts the slots in different disk sectors and pages.
	cursorSlotSpacing = 4096
	cursorFileSize    = 2 * cursorSlotSpacing
	// legacyCursorSize is the old single-copy format (u64 segment, u64
	// offset, u32 CRC), still read once and then rewritten in slots.
	legacyCursorSize = 20
	cursorMagic      = 0x31534743 // "CGS1"
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

func encodeSlot(p position, gen uint64) []byte {
	b := make([]byte, cursorSlotSize)
	binary.LittleEndian.PutUint32(b[0:4], cursorMagic)
	binary.LittleEndian.PutUint64(b[4:12], gen)
	binary.LittleEndian.PutUint64(b[12:20], p.seg)
	binary.LittleEndian.PutUint64(b[20:28], uint64(p.off))
	binary.LittleEndian.PutUint32(b[28:32], checksum(b[0:28]))
	return b
}

func decodeSlot(b []byte) (position, uint64, error) {
	if len(b) != cursorSlotSize {
		return position{}, 0, fmt.Errorf("%w: cursor slot is %d bytes, want %d", ErrCorrupt, len(b), cursorSlotSize)
	}
	if binary.LittleEndian.Uint32(b[0:4]) != cursorMagic {
		return position{}, 0, fmt.Errorf("%w: cursor slot has no magic", ErrCorrupt)
	}
	if checksum(b[0:28]) != binary.LittleEndian.Uint32(b[28:32]) {
		return position{}, 0, fmt.Errorf("%w: cursor slot crc mismatch", ErrCorrupt)
	}
	off := binary.LittleEndian.Uint64(b[20:28])
	if off > 1<<62 {
		return position{}, 0, fmt.Errorf("%w: cursor offset %d out of range", ErrCorrupt, off)
	}
	return position{seg: binary.LittleEndian.Uint64(b[12:20]), off: int64(off)}, binary.LittleEndian.Uint64(b[4:12]), nil
}

// decodeLegacyCursor reads the old 20-byte cursor.
func decodeLegacyCursor(b []byte) (position, error) {
	if len(b) != legacyCursorSize {
		return position{}, fmt.Errorf("%w: cursor is %d bytes, want %d", ErrCorrupt, len(b), legacyCursorSize)
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

// decodeCursor decodes a whole cursor file: the newest valid slot, or the
// legacy format. gen is 0 for the legacy format.
func decodeCursor(b []byte) (p position, gen uint64, err error) {
	switch len(b) {
	case legacyCursorSize:
		p, err = decodeLegacyCursor(b)
		return p, 0, err
	case cursorFileSize:
	default:
		return position{}, 0, fmt.Errorf("%w: cursor file is %d bytes, want %d", ErrCorrupt, len(b), cursorFileSize)
	}
	pa, ga, ea := decodeSlot(b[:cursorSlotSize])
	pb, gb, eb := decodeSlot(b[cursorSlotSpacing : cursorSlotSpacing+cursorSlotSize])
	switch {
	case ea != nil && eb != nil:
		return position{}, 0, fmt.Errorf("both cursor slots damaged: %w", errors.Join(ea, eb))
	case eb != nil || (ea == nil && ga >= gb):
		return pa, ga, nil
	default:
		return pb, gb, nil
	}
}

// readCursor loads the committed cursor and its generation. A missing file
// is the zero position (nothing consumed yet). ok is false when the file is
// missing or not in the slot format, so that it must be (re)created.
func readCursor(dir string) (p position, gen uint64, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, cursorFile))
	if errors.Is(err, fs.ErrNotExist) {
		return position{}, 0, false, nil
	}
	if err != nil {
		return position{}, 0, false, fmt.Errorf("spool: read cursor: %w", err)
	}
	p, gen, err = decodeCursor(b)
	return p, gen, len(b) == cursorFileSize, err
}

// cursorFileHandle is what the cursor store needs of its file; *os.File
// satisfies it and tests substitute fakes that fail at call N.
type cursorFileHandle interface {
	WriteAt(p []byte, off int64) (int, error)
	Sync() error
	Close() error
}

// cursorStore writes the committed cursor into its preallocated file.
type cursorStore struct {
	f   cursorFileHandle
	gen uint64 // generation of the newest slot on disk
}

// slotOffset is where generation gen is written: even generations in slot
// A, odd ones in slot B, so the next write never hits the newest slot.
func slotOffset(gen uint64) int64 { return int64(gen%2) * cursorSlotSpacing }

// createCursorFile writes a complete slot-format cursor file holding p in
// both slots (generations gen and gen+1, the newest), atomically: temporary file,
// fsync, rename, fsync of the directory. This is the one cursor write that
// allocates space; Open does it once.
func createCursorFile(dir string, p position, gen uint64) error {
	b := make([]byte, cursorFileSize)
	for _, g := range []uint64{gen, gen + 1} {
		copy(b[slotOffset(g):], encodeSlot(p, g))
	}
	tmp := filepath.Join(dir, cursorTmpFile)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("spool: create cursor: %w", err)
	}
	_, err = f.Write(b)
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
		_ = os.Remove(tmp)
		return fmt.Errorf("spool: create cursor: %w", err)
	}
	return nil
}

// write persists p in the slot of the older generation and fsyncs it. On
// failure the generation is not advanced, so the next attempt writes the
// same slot again and the other slot, the newest valid one, is never put at
// risk.
func (c *cursorStore) write(p position) error {
	gen := c.gen + 1
	if _, err := c.f.WriteAt(encodeSlot(p, gen), slotOffset(gen)); err != nil {
		return fmt.Errorf("spool: write cursor: %w", err)
	}
	if err := c.f.Sync(); err != nil {
		return fmt.Errorf("spool: fsync cursor: %w", err)
	}
	c.gen = gen
	return nil
}

func (c *cursorStore) close() error {
	if c == nil || c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f = nil
	return err
}

func openCursorOSFile(name string) (cursorFileHandle, error) {
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}
