package spool

import "errors"

// Sentinel errors. Callers decide retries with errors.Is.
var (
	// ErrClosed is reported for appends and reads after Close, and for
	// appends after Run has returned.
	ErrClosed = errors.New("spool: closed")
	// ErrTooLarge is reported by Append for a record over MaxRecordSize.
	ErrTooLarge = errors.New("spool: record too large")
	// ErrEmpty is reported by Append for a zero-length record.
	ErrEmpty = errors.New("spool: empty record")
	// ErrCorrupt marks a damaged record or cursor found on disk.
	ErrCorrupt = errors.New("spool: corrupt data")
	// ErrLocked is returned by Open when another Spool holds the directory.
	ErrLocked = errors.New("spool: directory in use")
	// ErrDiskFull marks an append or cursor write that failed because the
	// filesystem is out of space (ENOSPC, EDQUOT). The append was not
	// stored; retry it: the spool frees space as the reader commits.
	ErrDiskFull = errors.New("spool: disk full")
	// ErrDisk marks an append or cursor write that failed with another I/O
	// error. The append was not stored; retry it.
	ErrDisk = errors.New("spool: disk error")
)
