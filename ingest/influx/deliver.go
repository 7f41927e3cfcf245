package influx

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/campusguard/campusguard/ingest/spool"
)

// deliver writes every record of b to InfluxDB, keeps the ones it rejects
// for good in the dead-letter file, and then commits b. It returns an error
// only when ctx ends first, with b not committed.
func (w *Writer) deliver(ctx context.Context, b spool.Batch) error {
	var rejected []DeadLetter
	if err := w.writeChunks(ctx, b.Records, &rejected); err != nil {
		return err
	}
	// Counted once written, before the commit: a test (or a dashboard)
	// that sees the commit sees the batch counted.
	w.m.batches.Inc()
	for {
		err := w.dead.append(rejected)
		if err == nil {
			break
		}
		w.retryLog(err, "dead-letter write failed; retrying")
		if err := w.wait(ctx, w.bo.next(0)); err != nil {
			return err
		}
	}
	if n := len(rejected); n > 0 {
		w.m.deadLetter.Add(float64(n))
		w.log.Warn().Int("records", n).Int("status", rejected[0].Status).Str("error", rejected[0].Error).
			Str("file", DeadLetterFile).Msg("influxdb rejected records; kept in the dead-letter file")
	}
	// The records are in InfluxDB: retry the commit itself, never write the
	// batch again for it (rewinding here once wrote one batch millions of
	// times while a full disk refused the cursor). If the spool is closed
	// the next Read says so and Run returns.
	for {
		err := w.src.Commit(b)
		if err == nil {
			break
		}
		if errors.Is(err, spool.ErrClosed) {
			return nil
		}
		w.retryLog(err, "spool commit failed; retrying the commit")
		if err := w.wait(ctx, w.bo.next(0)); err != nil {
			return err
		}
	}
	return nil
}

// writeSplit writes recs, retrying transient failures with backoff until
// they succeed. When InfluxDB rejects the request for its content it writes
// the two halves separately, down to single records; a single rejected
// record is added to rejected. A request that timed out is sent again in
// smaller requests (limit.go). It returns an error only when ctx ends.
//
// Writing a record twice is harmless: a point with the same measurement,
// tag set and timestamp overwrites the earlier one. That matters because
// InfluxDB 1.8 stores the valid points of a request that it answers with
// 400 "partial write".
func (w *Writer) writeSplit(ctx context.Context, recs [][]byte, rejected *[]DeadLetter) error {
	for {
		err := w.write(ctx, recs)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		kind := classify(err)
		w.m.errors.WithLabelValues(kind.String()).Inc()
		if kind == kindPermanent {
			w.succeeded() // InfluxDB is there and answering
			if len(recs) == 1 {
				*rejected = append(*rejected, newDeadLetter(w.now(), w.opts.Bucket, recs[0], err))
				return nil
			}
			mid := len(recs) / 2
			if err := w.writeSplit(ctx, recs[:mid], rejected); err != nil {
				return err
			}
			return w.writeSplit(ctx, recs[mid:], rejected)
		}
		w.failed(err)
		if err := w.wait(ctx, w.bo.next(time.Duration(retryAfter(err))*time.Second)); err != nil {
			return err
		}
		if timedOut(ctx, err) && w.shrink(len(recs)) {
			return w.writeChunks(ctx, recs, rejected) // limit.go
		}
	}
}

// write sends recs as one request.
func (w *Writer) write(ctx context.Context, recs [][]byte) error {
	body := joinRecords(recs)
	if body == "" {
		return nil
	}
	ctx, cancel := w.withTimeout(ctx, w.opts.Timeout)
	defer cancel()
	start := time.Now()
	err := w.api.WriteRecord(ctx, body)
	w.m.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		return err
	}
	w.m.records.Add(float64(len(recs)))
	w.succeeded()
	w.grow(len(recs))
	return nil
}

// joinRecords concatenates records into one line-protocol body, ending each
// with a newline.
func joinRecords(recs [][]byte) string {
	n := 0
	for _, r := range recs {
		n += len(r) + 1
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, r := range recs {
		if len(r) == 0 {
			continue
		}
		sb.Write(r)
		if r[len(r)-1] != '\n' {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// succeeded notes a request InfluxDB answered, logging a recovery.
func (w *Writer) succeeded() {
	w.setErr(nil)
	w.bo.reset()
	if w.failing.attempts > 0 {
		w.log.Info().Int("attempts", w.failing.attempts).
			Str("down", w.now().Sub(w.failing.since).Round(time.Millisecond).String()).Msg("influxdb writes recovered")
		w.failing = failure{}
		w.throttle.reset()
	}
}

// failed notes a transient write failure.
func (w *Writer) failed(err error) {
	w.setErr(err)
	if w.failing.attempts == 0 {
		w.failing.since = w.now()
	}
	w.failing.attempts++
	if isConfigError(err) {
		w.retryLog(err, "influxdb refused the write: check url, token, org and bucket; retrying")
		return
	}
	w.retryLog(err, "influxdb write failed; retrying")
}
