// Package spool owns campusguard's durable on-disk queue between MQTT
// ingestion and the InfluxDB writer: a bounded FIFO log of opaque records in
// a directory of segment files, a committed cursor, and the committer
// goroutine that makes appended records durable with group commit.
//
// # Durability guarantee
//
// A record is durable when the done func passed to Append is called with
// nil: by then it has been written and fsynced, and the file's directory
// entry too, so it survives SIGKILL of the process and power loss (as far as
// the disk honours fsync). Callers acknowledge upstream only after that.
// Records are read back in the order they were made durable, at least once:
// a consumer that fails before Commit sees them again after Rewind or a
// restart.
//
// # Roles
//
//   - Append (any goroutines) copies a record into the pending buffer and
//     returns; it blocks only while the spool holds MaxBytes of uncommitted
//     or queued data (backpressure). AppendReserved (urgent records: alarm
//     events) may also use ReserveBytes above MaxBytes.
//   - Run (one goroutine, owned by the caller) is the committer: while one
//     fsync is in flight new appends accumulate, then all of them are written
//     with one write and one fsync and their done funcs are called in order.
//   - Read, Commit and Rewind (one reader goroutine) drain the log in
//     batches; Commit persists the cursor in place and deletes wholly
//     consumed segments.
//
// # Full or failing disk
//
// An append whose write fails is not stored: its done func gets an error
// wrapping ErrDiskFull (ENOSPC, EDQUOT) or ErrDisk, and the caller retries.
// A write that failed is cut off and the segment kept (no new empty
// segment per failure); after a failure the committer waits 50 ms doubling
// to 2 s before touching the disk again, holding what is pending, unless
// the reader deletes a consumed segment, which frees space and ends the
// pause at once. Committing never needs free space (see the cursor below),
// so the reader can always drain a full spool. If a cursor write fails
// anyway, the commit still takes effect in memory and consumed segments are
// still deleted: a restart resumes at the later of the persisted cursor and
// the oldest remaining segment, which replays, never loses. Health reports
// the current failure (for readiness), campusguard_spool_disk_* count it,
// and the log has one line a minute.
//
// # On disk
//
// Segment files are named %016d.seg by an increasing segment number and
// hold records framed as [u32 length][u32 CRC-32C of payload][payload],
// little endian; a length of zero is invalid. The file "cursor" (8 KiB,
// created once at Open) holds two slots 4 KiB apart, each [u32 magic][u64
// generation][u64 segment][u64 offset][u32 CRC-32C]; Commit overwrites the
// slot of the older generation in place and fsyncs, so a torn write leaves
// the other slot, and the slot with the highest valid generation is the
// cursor. An older 20-byte cursor is read once and rewritten. "lock" is
// held with flock while the spool is open.
//
// # Damage
//
// Open truncates a torn tail: the first bad record (short, bad length or
// bad CRC) in the last segment and everything after it, which can only be
// the write that was in flight at a crash and was never acknowledged. A bad
// record in an earlier segment, or one the reader meets later, is corruption
// of data that was durable: the spool logs it, counts it in
// campusguard_spool_corrupt_records_total and skips the rest of that segment
// instead of refusing to start, because a stalled spool would stop all
// ingestion; the framing cannot be resynchronised inside a segment, so the
// records after the damage in that segment are lost. A damaged cursor is
// handled the same way: the spool replays from the oldest segment, which
// only duplicates records.
//
// MaxBytes bounds the bytes of records queued or not yet committed. Disk use
// can exceed it by the consumed part of the oldest segment, which is deleted
// once wholly consumed.
//
// This package knows nothing of MQTT, InfluxDB or the records' contents; it
// must not import ingest's other packages, alerting or devices.
package spool
