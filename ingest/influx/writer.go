package influx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/ingest/spool"
)

// Source is where the Writer takes records from: *spool.Spool satisfies it.
// Read blocks until at least one durable record is there or ctx ends, and
// successive Reads continue after the previous batch; Commit marks records
// consumed up to and including a batch; Rewind moves the reader back to the
// committed cursor.
type Source interface {
	Read(ctx context.Context, maxRecords, maxBytes int) (spool.Batch, error)
	Commit(spool.Batch) error
	Rewind()
}

// Writer drains a Source into InfluxDB, at least once: a batch is committed
// only after InfluxDB accepted every record of it, or kept the rejected ones
// in the dead-letter file.
type Writer struct {
	opts   Options
	src    Source
	log    zerolog.Logger
	m      *metrics
	http   *http.Client
	client influxdb2.Client
	api    api.WriteAPIBlocking
	dead   deadLetters
	bo     *backoff
	wait   waitFunc // injectable: tests do not sleep
	linger waitFunc // the FlushInterval wait; injectable like wait
	// withTimeout bounds one write request (context.WithTimeout); tests
	// inject one whose deadline they expire themselves.
	withTimeout func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc)
	now         func() time.Time // injectable clock for logs and dead letters
	throttle    throttle         // rate-limits logs on the retry path
	failing     failure          // the current run of failed attempts; Run's only
	running     atomic.Bool
	limit       int // records per request, Options.BatchRecords unless a timeout lowered it (limit.go); Run's only

	mu      sync.Mutex
	lastErr error // of the last write or ping; nil after a success
}

// failure tracks a run of failed attempts, for the recovery log.
type failure struct {
	since    time.Time
	attempts int
}

// New checks opts and returns a Writer reading from src. It has no side
// effects: no connection is made and no file is opened until Run or Ready.
func New(opts Options, src Source) (*Writer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errors.New("influx: source is required")
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	m.requestLimit.Set(float64(opts.BatchRecords))
	hc := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}} // no client-wide timeout: each request has its own (Options.Timeout)
	co := influxdb2.DefaultOptions().
		SetHTTPClient(hc).
		SetUseGZip(opts.Gzip).
		SetApplicationName("campusguard")
	client := influxdb2.NewClientWithOptions(opts.URL, string(opts.Token), co)
	return &Writer{
		opts:        opts,
		src:         src,
		log:         opts.Logger.With().Str("component", "ingest.influx").Logger(),
		m:           m,
		http:        hc,
		client:      client,
		api:         client.WriteAPIBlocking(opts.Org, opts.Bucket),
		dead:        deadLetters{dir: opts.DeadLetterDir},
		bo:          newBackoff(opts.RetryMin, opts.RetryMax),
		wait:        sleep,
		linger:      sleep,
		withTimeout: context.WithTimeout,
		now:         time.Now,
		throttle:    throttle{every: 30 * time.Second},
		limit:       opts.BatchRecords,
	}, nil
}

// Run drains the Source until ctx ends, then returns nil. It never drops a
// record: transient failures are retried with backoff for as long as ctx
// lives, and a batch that was not finished when ctx ended is read again by
// the next Run (the Source is rewound to its committed cursor). It returns an
// error only when the Source reports spool.ErrClosed, as nothing more can be
// read then.
func (w *Writer) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("influx: Run called while already running")
	}
	defer w.running.Store(false)
	defer w.http.CloseIdleConnections()
	defer func() {
		if err := w.dead.close(); err != nil {
			w.log.Error().Err(err).Msg("close dead-letter file")
		}
	}()

	w.log.Info().Str("url", w.opts.URL).Str("bucket", w.opts.Bucket).Int("batch_records", w.opts.BatchRecords).
		Msg("writer started")
	w.src.Rewind()         // resume at the committed cursor, whatever a previous Run left
	var lastRead time.Time // when the last batch that was not full was read
	for ctx.Err() == nil {
		if !lastRead.IsZero() {
			// The last request was not full: let records gather until
			// FlushInterval after it was read (see Options.FlushInterval).
			if d := w.opts.FlushInterval - w.now().Sub(lastRead); d > 0 {
				if w.linger(ctx, d) != nil {
					break
				}
			}
			lastRead = time.Time{}
		}
		b, err := w.src.Read(ctx, w.opts.BatchRecords, w.opts.BatchBytes)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, spool.ErrClosed) {
				return fmt.Errorf("influx: read spool: %w", err)
			}
			w.src.Rewind()
			w.retryLog(err, "spool read failed; retrying")
			if w.wait(ctx, w.bo.next(0)) != nil {
				break
			}
			continue
		}
		if len(b.Records) == 0 {
			continue
		}
		if w.opts.FlushInterval > 0 && len(b.Records) < w.opts.BatchRecords && batchBytes(b) < w.opts.BatchBytes/2 {
			lastRead = w.now()
		}
		if err := w.deliver(ctx, b); err != nil {
			w.src.Rewind() // ctx ended mid-batch: the next Run starts with it
			break
		}
	}
	w.log.Debug().Msg("writer stopped")
	return nil
}

// Ready reports whether InfluxDB answers its ping (for /readyz).
func (w *Writer) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, w.opts.Timeout)
	defer cancel()
	if _, err := w.client.Ping(ctx); err != nil {
		err = fmt.Errorf("influx: ping %s: %w", w.opts.URL, err)
		w.setErr(err)
		return err
	}
	w.setErr(nil)
	return nil
}

// Healthy reports whether the last write or ping succeeded (true before the
// first one).
func (w *Writer) Healthy() bool { return w.LastError() == nil }

// LastError returns the error of the last write or ping, nil if it
// succeeded.
func (w *Writer) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// setErr records the outcome of a write or ping in LastError and the up gauge.
func (w *Writer) setErr(err error) {
	w.mu.Lock()
	w.lastErr = err
	w.mu.Unlock()
	if err != nil {
		w.m.up.Set(0)
	} else {
		w.m.up.Set(1)
	}
}

// batchBytes is the payload size of b's records.
func batchBytes(b spool.Batch) int {
	n := 0
	for _, r := range b.Records {
		n += len(r)
	}
	return n
}
