package spool

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// frame is a record found in a segment file.
type frame struct {
	off, len int64 // offset and total length of the frame
	payload  []byte
}

// framesIn parses every frame of a segment file.
func framesIn(t *testing.T, path string) []frame {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []frame
	for off := 0; off < len(b); {
		p, n, err := parseFrame(b[off:])
		if err != nil {
			t.Fatalf("%s offset %d: %v", path, off, err)
		}
		out = append(out, frame{off: int64(off), len: int64(n), payload: p})
		off += n
	}
	return out
}

func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	nums, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range nums {
		out = append(out, segmentPath(dir, n))
	}
	return out
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestTornTail damages the end of the last segment the ways a crash can and
// checks that Open keeps every complete record before the damage, cuts the
// damage off and appends after it.
func TestTornTail(t *testing.T) {
	tests := []struct {
		name  string
		tear  func(t *testing.T, path string, last frame)
		kept  int // of the 20 records
		dirty bool
	}{
		{name: "truncated mid payload", kept: 19, tear: func(t *testing.T, path string, last frame) {
			os.Truncate(path, last.off+last.len-3)
		}},
		{name: "truncated mid header", kept: 19, tear: func(t *testing.T, path string, last frame) {
			os.Truncate(path, last.off+5)
		}},
		{name: "garbage appended", kept: 20, tear: func(t *testing.T, path string, last frame) {
			appendFile(t, path, []byte("garbage!garbage!garbage!"))
		}},
		{name: "zeros appended", kept: 20, tear: func(t *testing.T, path string, last frame) {
			appendFile(t, path, make([]byte, 4096))
		}},
		{name: "bad crc in last record", kept: 19, tear: func(t *testing.T, path string, last frame) {
			writeAt(t, path, last.off+last.len-1, []byte{^last.payload[len(last.payload)-1]})
		}},
		{name: "plausible header then short", kept: 20, tear: func(t *testing.T, path string, last frame) {
			appendFile(t, path, appendFrame(nil, []byte("never finished"))[:12])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			opts.SegmentBytes = 1 << 16
			h := start(t, opts)
			want := records("tt", 20)
			h.appendAll(want)
			h.stop()

			path := segmentFiles(t, opts.Dir)[0]
			frames := framesIn(t, path)
			good := frames[tt.kept-1].off + frames[tt.kept-1].len
			tt.tear(t, path, frames[len(frames)-1])

			h = start(t, opts)
			if st := h.Stats(); st.Depth != int64(tt.kept) {
				t.Fatalf("depth after reopen = %d, want %d", st.Depth, tt.kept)
			}
			if fi, _ := os.Stat(path); fi.Size() != good {
				t.Fatalf("segment size after reopen = %d, want %d (torn tail truncated)", fi.Size(), good)
			}
			if got := metricValue(t, h.reg, "campusguard_spool_corrupt_records_total"); got != 0 {
				t.Fatalf("corrupt_records_total = %v, want 0 for a torn tail", got)
			}
			after := records("after", 5)
			h.appendAll(after)
			equalRecords(t, h.readN(tt.kept+5, 8, false), append(append([][]byte{}, want[:tt.kept]...), after...))
			h.stop()

			// And once more: the tail is clean now.
			h = start(t, opts)
			equalRecords(t, h.readN(tt.kept+5, 100, true), append(append([][]byte{}, want[:tt.kept]...), after...))
		})
	}
}

// TestCorruptMiddle damages a record of an early segment: Open counts it,
// skips the rest of that segment and keeps everything else in order.
func TestCorruptMiddle(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string, f frame)
	}{
		{name: "bad crc", damage: func(t *testing.T, path string, f frame) {
			writeAt(t, path, f.off+headerSize, []byte{^f.payload[0]})
		}},
		{name: "bad length", damage: func(t *testing.T, path string, f frame) {
			writeAt(t, path, f.off, []byte{0xff, 0xff, 0xff, 0x7f})
		}},
		{name: "zeroed header", damage: func(t *testing.T, path string, f frame) {
			writeAt(t, path, f.off, make([]byte, headerSize))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			opts.SegmentBytes = 400
			h := start(t, opts)
			want := records("cm", 60)
			h.appendAll(want)
			h.stop()

			files := segmentFiles(t, opts.Dir)
			if len(files) < 3 {
				t.Fatalf("%d segments, want at least 3", len(files))
			}
			// Damage the second record of the second segment.
			first := len(framesIn(t, files[0]))
			frames := framesIn(t, files[1])
			tt.damage(t, files[1], frames[1])
			lost := len(frames) - 1
			expect := append(append([][]byte{}, want[:first+1]...), want[first+1+lost:]...)

			h = start(t, opts)
			if got := metricValue(t, h.reg, "campusguard_spool_corrupt_records_total"); got != 1 {
				t.Fatalf("corrupt_records_total = %v, want 1", got)
			}
			if st := h.Stats(); st.Depth != int64(len(expect)) {
				t.Fatalf("depth = %d, want %d", st.Depth, len(expect))
			}
			equalRecords(t, h.readN(len(expect), 9, true), expect)
			h.expectEmpty()
			if st := h.Stats(); st.Depth != 0 {
				t.Fatalf("depth after draining = %d", st.Depth)
			}
		})
	}
}

func TestCorruptCursorReplays(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 1 << 16
	h := start(t, opts)
	want := records("cc", 10)
	h.appendAll(want)
	h.readN(6, 10, true)
	h.stop()
	if err := os.WriteFile(filepath.Join(opts.Dir, cursorFile), []byte("not a cursor"), 0o600); err != nil {
		t.Fatal(err)
	}
	h = start(t, opts)
	if got := metricValue(t, h.reg, "campusguard_spool_corrupt_records_total"); got != 1 {
		t.Fatalf("corrupt_records_total = %v, want 1", got)
	}
	equalRecords(t, h.readN(10, 100, true), want) // replayed, duplicates allowed
}

// TestDamageFoundByReader damages durable records while the spool is open:
// in a sealed segment the reader skips to the next one; in the active
// segment the committer rolls away from it and later appends are readable.
func TestDamageFoundByReader(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 400
	h := start(t, opts)
	want := records("rd", 30)
	h.appendAll(want)

	files := segmentFiles(t, opts.Dir)
	frames := framesIn(t, files[0])
	writeAt(t, files[0], frames[2].off+headerSize, []byte{^frames[2].payload[0]})
	expect := append(append([][]byte{}, want[:2]...), want[len(frames):]...)
	equalRecords(t, h.readN(len(expect), 5, true), expect)
	if got := metricValue(t, h.reg, "campusguard_spool_corrupt_records_total"); got != 1 {
		t.Fatalf("corrupt_records_total = %v, want 1", got)
	}

	// Now the active segment.
	active := files[len(files)-1]
	h.appendAll([][]byte{[]byte("x1"), []byte("x2")})
	if files2 := segmentFiles(t, opts.Dir); files2[len(files2)-1] != active {
		t.Fatalf("unexpected roll; test needs x1, x2 in segment %s", active)
	}
	fr := framesIn(t, active)
	x1 := fr[len(fr)-2]
	writeAt(t, active, x1.off+headerSize, []byte{'y'})
	// The reader meets the damage (x1, and x2 behind it, are lost with the
	// rest of the segment) and the committer rolls to a new segment.
	segs := h.Stats().Segments
	got := make(chan Batch, 1)
	go func() {
		b, err := h.Read(context.Background(), 5, 1<<20)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	waitFor(t, "roll away from the damaged segment", func() bool { return h.Stats().Segments > segs })
	h.appendAll([][]byte{[]byte("after")})
	select {
	case b := <-got:
		equalRecords(t, b.Records, [][]byte{[]byte("after")})
		if err := h.Commit(b); err != nil {
			t.Fatal(err)
		}
	case <-time.After(testDeadline):
		t.Fatal("read did not return")
	}
	if got := metricValue(t, h.reg, "campusguard_spool_corrupt_records_total"); got != 2 {
		t.Fatalf("corrupt_records_total = %v, want 2", got)
	}
	if st := h.Stats(); st.Depth != 0 {
		t.Fatalf("depth = %d, want 0", st.Depth)
	}
	h.expectEmpty()
}

func TestMissingCursorSegment(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 200
	h := start(t, opts)
	want := records("mc", 20)
	h.appendAll(want)
	h.stop()
	files := segmentFiles(t, opts.Dir)
	// An operator deleted the oldest segment by hand.
	first := len(framesIn(t, files[0]))
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	h = start(t, opts)
	equalRecords(t, h.readN(20-first, 100, true), want[first:])
}
