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
)
