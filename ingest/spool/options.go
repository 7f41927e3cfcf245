package spool

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Defaults applied by Validate to zero-valued options.
const (
	DefaultSegmentBytes int64 = 64 << 20
	DefaultMaxBytes     int64 = 1 << 30
	// DefaultMaxQueuedBytes bounds the records held in memory for the
	// committer (see Options.MaxQueuedBytes).
	DefaultMaxQueuedBytes int64   = 16 << 20
	DefaultWarnFraction   float64 = 0.8
)

// Options configures a Spool.
type Options struct {
	// Dir holds the segment files, the cursor and the lock file. Required.
	Dir string
	// SegmentBytes is the size after which the writer rolls to a new segment
	// file. Default DefaultSegmentBytes.
	SegmentBytes int64
	// MaxBytes bounds the bytes of records that are queued or durable but not
	// yet committed by the reader; Append blocks while the bound is reached.
	// Must be greater than SegmentBytes. Default DefaultMaxBytes.
	MaxBytes int64
	// MaxQueuedBytes bounds the bytes of records appended but not yet
	// written, which the spool holds in memory: Append waits while they
	// reach it, as it waits for a full spool, until the committer's next
	// write. Without it a producer that does not wait for its records'
	// acks (the compliance rows of a city, hundreds of MB once a day) kept
	// up to MaxBytes in memory. AppendReserved is not held back by it; a
	// record larger than the bound passes when nothing else is queued.
	// Default DefaultMaxQueuedBytes.
	MaxQueuedBytes int64
	// ReserveBytes is extra room above MaxBytes that only AppendReserved
	// may use, so that urgent records (alarm events) are still stored while
	// ordinary appends wait for a full spool. Default 0 (no reserve).
	ReserveBytes int64
	// CommitDelay is how long the committer may wait, after the first
	// record of a group arrives, for more records before it writes and
	// fsyncs them together: at a steady few hundred records per second
	// each record otherwise costs its own write and fsync. It does not
	// apply to a group holding an urgent record (AppendReserved), nor once
	// CommitBatch records are pending. Zero: no wait (a group is whatever
	// arrived during the previous write).
	CommitDelay time.Duration
	// CommitBatch ends the CommitDelay wait early once that many records
	// are pending. Default 1,000.
	CommitBatch int
	// WarnFraction of MaxBytes above which a rate-limited warning is logged.
	// In (0, 1]. Default DefaultWarnFraction.
	WarnFraction float64
	// Logger receives the spool's logs under component=ingest.spool. The zero
	// value discards them.
	Logger zerolog.Logger
	// Registerer receives the spool's metrics; nil registers none.
	Registerer prometheus.Registerer

	// openFile opens segment files for writing; tests substitute a fake to
	// inject write and fsync failures. Nil means os.OpenFile.
	openFile func(name string, flag int, perm os.FileMode) (segmentFile, error)
	// openCursor opens the cursor file for in-place writes; tests substitute
	// a fake. Nil means os.OpenFile.
	openCursor func(name string) (cursorFileHandle, error)
	// now is the clock for rate-limited warnings. Nil means time.Now.
	now func() time.Time
	// diskRetryMin and diskRetryMax bound the committer's pause after a
	// failed segment write. Zero means 50 ms and 2 s.
	diskRetryMin, diskRetryMax time.Duration
}

// Validate fills in defaults for zero-valued fields and checks the options.
// Errors name the offending option.
func (o *Options) Validate() error {
	if o.Dir == "" {
		return errors.New("spool: dir is required")
	}
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxQueuedBytes == 0 {
		o.MaxQueuedBytes = DefaultMaxQueuedBytes
	}
	if o.WarnFraction == 0 {
		o.WarnFraction = DefaultWarnFraction
	}
	if o.CommitBatch == 0 {
		o.CommitBatch = 1000
	}
	if o.CommitDelay < 0 || o.CommitDelay > time.Second || o.CommitBatch < 0 {
		return fmt.Errorf("spool: commit_delay must be in [0, 1s] and commit_batch >= 0: %s, %d", o.CommitDelay, o.CommitBatch)
	}
	if o.SegmentBytes < 0 {
		return fmt.Errorf("spool: segment_bytes must be > 0: %d", o.SegmentBytes)
	}
	if o.MaxBytes <= o.SegmentBytes {
		return fmt.Errorf("spool: max_bytes must be > segment_bytes: %d <= %d", o.MaxBytes, o.SegmentBytes)
	}
	if o.MaxQueuedBytes < 0 {
		return fmt.Errorf("spool: max_queued_bytes must be > 0: %d", o.MaxQueuedBytes)
	}
	if o.ReserveBytes < 0 {
		return fmt.Errorf("spool: reserve_bytes must be >= 0: %d", o.ReserveBytes)
	}
	if !(o.WarnFraction > 0 && o.WarnFraction <= 1) {
		return fmt.Errorf("spool: warn_fraction must be in (0, 1]: %v", o.WarnFraction)
	}
	if o.openFile == nil {
		o.openFile = openOSFile
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.openCursor == nil {
		o.openCursor = openCursorOSFile
	}
	if o.diskRetryMin == 0 {
		o.diskRetryMin = 50 * time.Millisecond
	}
	if o.diskRetryMax == 0 {
		o.diskRetryMax = 2 * time.Second
	}
	return nil
}
