package spool

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
)

var errInjected = errors.New("injected failure")

// injector makes segment files fail at the Nth write, fsync or truncate, or
// makes creating them fail, as a full or read-only disk would.
type injector struct {
	mu                          sync.Mutex
	writes, syncs               int
	failWrite, failSync         int  // 1-based call to fail; 0 never
	partialWrite                bool // the failing write writes half first
	noSpace                     bool // every write fails with ENOSPC
	failTruncate, failCreate    bool
	createAttempts, createFails int
}

func (in *injector) open(name string, flag int, perm os.FileMode) (segmentFile, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if flag&os.O_CREATE != 0 {
		in.createAttempts++
		if in.failCreate {
			in.createFails++
			return nil, errInjected
		}
	}
	f, err := openOSFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultyFile{segmentFile: f, in: in}, nil
}

func (in *injector) set(f func(in *injector)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	f(in)
}

type faultyFile struct {
	segmentFile
	in *injector
}

func (f *faultyFile) Write(p []byte) (int, error) {
	f.in.mu.Lock()
	f.in.writes++
	fail, partial, noSpace := f.in.writes == f.in.failWrite, f.in.partialWrite, f.in.noSpace
	f.in.mu.Unlock()
	if noSpace {
		return 0, &os.PathError{Op: "write", Path: "segment", Err: syscall.ENOSPC}
	}
	if !fail {
		return f.segmentFile.Write(p)
	}
	if partial {
		n, _ := f.segmentFile.Write(p[:len(p)/2])
		return n, errInjected
	}
	return 0, errInjected
}

func (f *faultyFile) Sync() error {
	f.in.mu.Lock()
	f.in.syncs++
	fail := f.in.syncs == f.in.failSync
	f.in.mu.Unlock()
	if fail {
		return errInjected
	}
	return f.segmentFile.Sync()
}

func (f *faultyFile) Truncate(size int64) error {
	f.in.mu.Lock()
	fail := f.in.failTruncate
	f.in.mu.Unlock()
	if fail {
		return errInjected
	}
	return f.segmentFile.Truncate(size)
}

// TestWriteFailures fails one group-commit write in different ways and
// checks that its record gets the error, that records acknowledged before
// and after it are all there, in order, before and after a reopen, and that
// the failed record is not.
func TestWriteFailures(t *testing.T) {
	tests := []struct {
		name        string
		in          *injector
		wantCorrupt float64 // found at reopen
		// The failed record was written whole and could not be cut off, so
		// it reappears after a reopen: a duplicate of the redelivery, which
		// at-least-once consumers tolerate.
		reappears bool
		// A failed write whose tail could be cut off keeps its segment (a
		// full disk must not fill with new empty segments); after a failed
		// fsync, or a tail that could not be cut, the committer rolls.
		segments int
		op       string // the disk_errors_total op counted
	}{
		{name: "write fails", in: &injector{failWrite: 4}, segments: 1, op: opWrite},
		{name: "partial write", in: &injector{failWrite: 4, partialWrite: true}, segments: 1, op: opWrite},
		{name: "fsync fails", in: &injector{failSync: 4}, segments: 2, op: opFsync},
		{name: "fsync and truncate fail", in: &injector{failSync: 4, failTruncate: true}, reappears: true, segments: 2, op: opFsync},
		{name: "partial write, truncate fails", in: &injector{failWrite: 4, partialWrite: true, failTruncate: true}, wantCorrupt: 1, segments: 2, op: opWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			opts.SegmentBytes = 1 << 16
			in := tt.in
			opts.openFile = in.open
			h := start(t, opts)

			recs := records("wf", 8)
			var acked [][]byte
			for i, r := range recs {
				err := h.appendWait(r)
				if i == 3 { // the 4th write or fsync
					if !errors.Is(err, errInjected) {
						t.Fatalf("record %d: err = %v, want injected failure", i, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				acked = append(acked, r)
			}
			if got := metricValue(t, h.reg, "campusguard_spool_append_errors_total"); got != 1 {
				t.Fatalf("append_errors_total = %v, want 1", got)
			}
			if st := h.Stats(); st.Depth != int64(len(acked)) || st.Segments != tt.segments {
				t.Fatalf("stats = %+v, want depth %d in %d segments", st, len(acked), tt.segments)
			}
			if got := metricValue(t, h.reg, "campusguard_spool_disk_errors_total"); got != 1 {
				t.Fatalf("disk_errors_total = %v, want 1", got)
			}
			if got := labelValue(t, h.reg, "campusguard_spool_disk_errors_total", "op", tt.op); got != 1 {
				t.Fatalf("disk_errors_total{op=%q} = %v, want 1", tt.op, got)
			}
			if err := h.Health(); err != nil {
				t.Fatalf("Health = %v after later appends succeeded", err)
			}
			equalRecords(t, h.readN(len(acked), 100, false), acked)
			h.expectEmpty()
			h.stop()

			opts.openFile = nil
			h = start(t, opts)
			if got := metricValue(t, h.reg, "campusguard_spool_corrupt_records_total"); got != tt.wantCorrupt {
				t.Fatalf("corrupt_records_total at reopen = %v, want %v", got, tt.wantCorrupt)
			}
			if tt.reappears {
				acked = append(append(acked[:3:3], recs[3]), acked[3:]...)
			}
			equalRecords(t, h.readN(len(acked), 100, true), acked)
			h.expectEmpty()
		})
	}
}

// TestCreateSegmentFails makes the directory refuse new files: appends that
// need a new segment fail, nothing acknowledged is lost, and appends work
// again once files can be created.
func TestCreateSegmentFails(t *testing.T) {
	opts := testOptions(t)
	opts.SegmentBytes = 100
	in := &injector{}
	opts.openFile = in.open
	h := start(t, opts)

	first := records("cs", 3) // 3 segments (each record is > 50 bytes framed)
	first[0] = append(first[0], make([]byte, 60)...)
	first[1] = append(first[1], make([]byte, 60)...)
	first[2] = append(first[2], make([]byte, 60)...)
	h.appendAll(first)

	in.set(func(in *injector) { in.failCreate = true })
	for i := range 3 {
		if err := h.appendWait(make([]byte, 80)); !errors.Is(err, errInjected) {
			t.Fatalf("append %d while the dir is unwritable = %v, want injected failure", i, err)
		}
	}
	in.set(func(in *injector) { in.failCreate = false })
	later := [][]byte{[]byte("later-1"), []byte("later-2")}
	h.appendAll(later)

	want := append(append([][]byte{}, first...), later...)
	equalRecords(t, h.readN(len(want), 100, false), want)
	h.stop()
	opts.openFile = nil
	h = start(t, opts)
	equalRecords(t, h.readN(len(want), 100, true), want)
}
