package influx

import (
	"context"
	"errors"
)

// minRequestRecords is the smallest request a timeout makes the writer
// split: below it a timeout says InfluxDB is down or stuck, not that the
// request is too big, and halving would only multiply the requests.
const minRequestRecords = 100

// A request InfluxDB does not answer within Options.Timeout was too much
// for it at that moment: a 5,000-record request that creates 5,000 new
// series took influxd 1.8 (in-memory index, a million devices' first
// heartbeats) longer than 10 s, and retrying the same request timed out
// again and again — nothing lost, nothing stored. So a timed-out request
// is sent again in halves, and the writer keeps sending at most that many
// records per request (limit) until requests of that size succeed; each
// success at the limit doubles it again, up to Options.BatchRecords.

// timedOut reports whether err is this request's own timeout (not the end
// of the writer's context).
func timedOut(ctx context.Context, err error) bool {
	return ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded)
}

// shrink halves the request limit after a request of n records timed out
// and reports whether it did (n above minRequestRecords).
func (w *Writer) shrink(n int) bool {
	if n <= minRequestRecords {
		return false
	}
	w.limit = max(n/2, minRequestRecords)
	w.m.requestLimit.Set(float64(w.limit))
	w.log.Warn().Int("records", n).Int("limit", w.limit).Dur("timeout", w.opts.Timeout).
		Msg("influxdb did not answer a write in time; sending smaller requests")
	return true
}

// grow doubles the request limit after a request of n records succeeded
// at the limit, up to Options.BatchRecords.
func (w *Writer) grow(n int) {
	if w.limit >= w.opts.BatchRecords || n < w.limit {
		return
	}
	w.limit = min(w.limit*2, w.opts.BatchRecords)
	w.m.requestLimit.Set(float64(w.limit))
	if w.limit == w.opts.BatchRecords {
		w.log.Info().Int("limit", w.limit).Msg("influxdb write requests back to full size")
	}
}

// writeChunks writes recs in requests of at most the current limit.
func (w *Writer) writeChunks(ctx context.Context, recs [][]byte, rejected *[]DeadLetter) error {
	for len(recs) > 0 {
		n := min(len(recs), w.limit)
		if err := w.writeSplit(ctx, recs[:n], rejected); err != nil {
			return err
		}
		recs = recs[n:]
	}
	return nil
}
