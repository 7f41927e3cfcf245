package spool

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// encodeLegacyCursor is the pre-slot cursor format, for migration tests.
func encodeLegacyCursor(p position) []byte {
	b := make([]byte, legacyCursorSize)
	binary.LittleEndian.PutUint64(b[0:8], p.seg)
	binary.LittleEndian.PutUint64(b[8:16], uint64(p.off))
	binary.LittleEndian.PutUint32(b[16:20], checksum(b[0:16]))
	return b
}

// newCursorStore creates the cursor file in dir holding p and opens it.
func newCursorStore(t *testing.T, dir string, p position) *cursorStore {
	t.Helper()
	if err := createCursorFile(dir, p, 0); err != nil {
		t.Fatal(err)
	}
	f, err := openCursorOSFile(filepath.Join(dir, cursorFile))
	if err != nil {
		t.Fatal(err)
	}
	c := &cursorStore{f: f, gen: 1}
	t.Cleanup(func() { _ = c.close() })
	return c
}

func mustReadCursor(t *testing.T, dir string) position {
	t.Helper()
	p, _, ok, err := readCursor(dir)
	if err != nil || !ok {
		t.Fatalf("readCursor = %+v, slotted %v, %v", p, ok, err)
	}
	return p
}

func TestCursorRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if p, _, ok, err := readCursor(dir); err != nil || ok || p != (position{}) {
		t.Fatalf("missing cursor = %+v, %v, %v; want zero, not slotted, nil", p, ok, err)
	}
	c := newCursorStore(t, dir, position{seg: 1})
	if got := mustReadCursor(t, dir); got != (position{seg: 1}) {
		t.Fatalf("fresh cursor = %+v", got)
	}
	for _, want := range []position{{seg: 1, off: 8}, {seg: 7, off: 1234}, {seg: 1 << 40, off: 1 << 40}, {seg: 1 << 40, off: 1<<40 + 1}} {
		if err := c.write(position{seg: want.seg, off: want.off, seq: 99}); err != nil {
			t.Fatal(err)
		}
		if got := mustReadCursor(t, dir); got != want {
			t.Fatalf("cursor = %+v, want %+v", got, want)
		}
		// Written in place: the file never grows, so a full disk can commit.
		if fi, err := os.Stat(filepath.Join(dir, cursorFile)); err != nil || fi.Size() != cursorFileSize {
			t.Fatalf("cursor file size = %v, %v; want %d", fi.Size(), err, cursorFileSize)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, cursorTmpFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temp file left behind: %v", err)
	}
}

// TestCursorTornSlot damages the slot written last, as a crash in the middle
// of a commit can: the other slot's cursor is used. Both damaged: ErrCorrupt.
func TestCursorTornSlot(t *testing.T) {
	dir := t.TempDir()
	c := newCursorStore(t, dir, position{seg: 1})
	older, newer := position{seg: 2, off: 40}, position{seg: 3, off: 80}
	for _, p := range []position{older, newer} {
		if err := c.write(p); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, cursorFile)
	writeAt(t, path, slotOffset(c.gen)+20, []byte{0xff}) // the newer slot's offset
	if got := mustReadCursor(t, dir); got != older {
		t.Fatalf("cursor with the newest slot torn = %+v, want the older %+v", got, older)
	}
	writeAt(t, path, slotOffset(c.gen-1)+4, []byte{0xff})
	if _, _, _, err := readCursor(dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("both slots damaged: err = %v, want ErrCorrupt", err)
	}
}

// failingCursorFile fails WriteAt or Sync at the given 1-based calls.
type failingCursorFile struct {
	cursorFileHandle
	writes, syncs       int
	failWrite, failSync int
	err                 error
}

func (f *failingCursorFile) WriteAt(p []byte, off int64) (int, error) {
	f.writes++
	if f.writes == f.failWrite {
		return 0, f.err
	}
	return f.cursorFileHandle.WriteAt(p, off)
}

func (f *failingCursorFile) Sync() error {
	f.syncs++
	if f.syncs == f.failSync {
		return f.err
	}
	return f.cursorFileHandle.Sync()
}

// TestCursorWriteFailureKeepsOtherSlot fails a cursor write and checks that
// the generation does not advance, so the retry overwrites the same slot and
// the newest good cursor is never at risk.
func TestCursorWriteFailureKeepsOtherSlot(t *testing.T) {
	for _, tc := range []struct {
		name string
		fake failingCursorFile
	}{
		{"write fails", failingCursorFile{failWrite: 2}},
		{"fsync fails", failingCursorFile{failSync: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := newCursorStore(t, dir, position{seg: 1})
			fake := tc.fake
			fake.cursorFileHandle, fake.err = c.f, errInjected
			c.f = &fake
			good := position{seg: 1, off: 100}
			if err := c.write(good); err != nil {
				t.Fatal(err)
			}
			gen := c.gen
			if err := c.write(position{seg: 1, off: 200}); !errors.Is(err, errInjected) {
				t.Fatalf("write = %v, want injected failure", err)
			}
			if c.gen != gen {
				t.Fatalf("generation advanced to %d after a failed write", c.gen)
			}
			// Simulate the worst case of the failed write: its slot is torn.
			writeAt(t, filepath.Join(dir, cursorFile), slotOffset(gen+1), []byte("torn"))
			if got := mustReadCursor(t, dir); got != good {
				t.Fatalf("cursor after a failed write = %+v, want %+v", got, good)
			}
			last := position{seg: 2, off: 8}
			if err := c.write(last); err != nil {
				t.Fatal(err)
			}
			if got := mustReadCursor(t, dir); got != last {
				t.Fatalf("cursor after the retry = %+v, want %+v", got, last)
			}
		})
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	slot := encodeSlot(position{seg: 3, off: 10}, 4)
	legacy := encodeLegacyCursor(position{seg: 3, off: 10})
	flip := func(b []byte, i int, bit byte) []byte { b = append([]byte{}, b...); b[i] ^= bit; return b }
	tests := []struct {
		name string
		in   []byte
		slot bool // decodeSlot, else decodeCursor
	}{
		{name: "empty", in: nil},
		{name: "short legacy", in: legacy[:19]},
		{name: "long legacy", in: append(append([]byte{}, legacy...), 0)},
		{name: "legacy flipped bit", in: flip(legacy, 9, 4)},
		{name: "legacy bad crc", in: flip(legacy, 19, 1)},
		{name: "zeroed slot file", in: make([]byte, cursorFileSize)},
		{name: "slot flipped bit", in: flip(slot, 21, 4), slot: true},
		{name: "slot bad crc", in: flip(slot, 31, 1), slot: true},
		{name: "slot bad magic", in: flip(slot, 0, 1), slot: true},
		{name: "slot short", in: slot[:31], slot: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.slot {
				_, _, err = decodeSlot(tt.in)
			} else {
				_, _, err = decodeCursor(tt.in)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestLegacyCursorMigrated opens a spool whose cursor is in the old 20-byte
// format: it resumes there and rewrites the cursor in the slot format.
func TestLegacyCursorMigrated(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 1 << 16
	h := start(t, opts)
	want := records("lc", 10)
	h.appendAll(want)
	h.stop()
	frames := framesIn(t, segmentFiles(t, opts.Dir)[0])
	legacy := encodeLegacyCursor(position{seg: 1, off: frames[4].off})
	if err := os.WriteFile(filepath.Join(opts.Dir, cursorFile), legacy, 0o640); err != nil {
		t.Fatal(err)
	}
	h = start(t, opts)
	if fi, err := os.Stat(filepath.Join(opts.Dir, cursorFile)); err != nil || fi.Size() != cursorFileSize {
		t.Fatalf("cursor not migrated: %v, %v", fi, err)
	}
	equalRecords(t, h.readN(6, 100, true), want[4:])
	h.expectEmpty()
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeLegacyCursor(position{seg: 3, off: 10}))
	f.Add([]byte("not a cursor"))
	file := make([]byte, cursorFileSize)
	copy(file[slotOffset(6):], encodeSlot(position{seg: 3, off: 10}, 6))
	copy(file[slotOffset(7):], encodeSlot(position{seg: 4, off: 20}, 7))
	f.Add(file)
	f.Fuzz(func(t *testing.T, in []byte) {
		p, gen, err := decodeCursor(in)
		if err != nil {
			return
		}
		if p.off < 0 {
			t.Fatalf("negative offset %+v", p)
		}
		switch len(in) {
		case legacyCursorSize:
			if string(encodeLegacyCursor(p)) != string(in) {
				t.Fatalf("decoded %+v does not re-encode to the input", p)
			}
		case cursorFileSize:
			s := string(encodeSlot(p, gen))
			if s != string(in[:cursorSlotSize]) && s != string(in[cursorSlotSpacing:cursorSlotSpacing+cursorSlotSize]) {
				t.Fatalf("decoded %+v gen %d is in neither slot", p, gen)
			}
		default:
			t.Fatalf("decoded a %d-byte cursor", len(in))
		}
	})
}

func FuzzDecodeSlot(f *testing.F) {
	f.Add(encodeSlot(position{seg: 3, off: 10}, 1))
	f.Add(make([]byte, cursorSlotSize))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, gen, err := decodeSlot(in)
		if err != nil {
			return
		}
		if p.off < 0 || string(encodeSlot(p, gen)) != string(in) {
			t.Fatalf("decoded %+v gen %d does not re-encode to the input", p, gen)
		}
	})
}
