package influx

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Options configure a Writer. The zero value is not valid: URL, Bucket and
// DeadLetterDir are required; Defaults holds the rest, and Validate fills in
// any tunable left at zero from it.
type Options struct {
	// URL is the InfluxDB base URL, e.g. http://127.0.0.1:8086.
	URL string
	// Token authenticates writes. InfluxDB 2.x/3.x: an API token. InfluxDB
	// 1.8: "user:password", or empty when authentication is off.
	Token Secret
	// Org is the InfluxDB 2.x organisation; InfluxDB 1.8 ignores it.
	Org string
	// Bucket receives the points; for InfluxDB 1.8 it is "database/retention"
	// (e.g. "campusguard/autogen").
	Bucket string

	// BatchRecords and BatchBytes bound one write request (records are spool
	// records: the line protocol of one message each).
	BatchRecords int
	BatchBytes   int
	// FlushInterval is how long the writer waits, after a write request
	// that was not full, before it reads the spool again: records arriving
	// meanwhile go out together, so a burst is written in BatchRecords
	// requests (as Telegraf's flush_interval does) and a steady trickle in
	// one request per interval, instead of one request per fsync group.
	// A point is stored up to FlushInterval later. Zero: no wait.
	FlushInterval time.Duration
	// Gzip compresses request bodies; worth it when InfluxDB is across a network.
	Gzip bool

	// RetryMin and RetryMax bound the jittered exponential backoff between
	// attempts after a transient failure. Retries never give up.
	RetryMin time.Duration
	RetryMax time.Duration
	// Timeout bounds one write request.
	Timeout time.Duration

	// DeadLetterDir keeps the records InfluxDB rejects for good, so that none
	// is ever dropped (see DeadLetterFile).
	DeadLetterDir string

	Logger     zerolog.Logger
	Registerer prometheus.Registerer // nil: metrics are kept but not registered
}

// Defaults returns Options with every default filled in except URL, Bucket
// and DeadLetterDir.
func Defaults() Options {
	return Options{
		BatchRecords:  5000,
		BatchBytes:    4 << 20,
		FlushInterval: time.Second,
		RetryMin:      100 * time.Millisecond,
		RetryMax:      10 * time.Second,
		Timeout:       10 * time.Second,
		Logger:        zerolog.Nop(),
	}
}

// Validate fills zero-valued tunables from Defaults and reports the first
// invalid option, naming it.
func (o *Options) Validate() error {
	d := Defaults()
	fill(&o.BatchRecords, d.BatchRecords)
	fill(&o.BatchBytes, d.BatchBytes)
	fill(&o.RetryMin, d.RetryMin)
	fill(&o.RetryMax, d.RetryMax)
	fill(&o.Timeout, d.Timeout)

	if o.URL == "" {
		return errors.New("influx: url is required (e.g. http://127.0.0.1:8086)")
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return fmt.Errorf("influx: url %q: %w", o.URL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("influx: url must be http(s)://host[:port]: %q", o.URL)
	}
	if strings.ContainsAny(string(o.Token), " \t\r\n") {
		return errors.New("influx: token must not contain whitespace")
	}
	if o.Bucket == "" || strings.HasPrefix(o.Bucket, "/") {
		// 1.8 would answer "/rp" with 400 "database is required", which
		// looks like a rejected record: every record would be dead-lettered.
		return fmt.Errorf(`influx: bucket is required ("database/retention" for InfluxDB 1.8): %q`, o.Bucket)
	}
	if o.FlushInterval < 0 || o.FlushInterval > time.Minute {
		return fmt.Errorf("influx: flush_interval must be in [0, 1m]: %s", o.FlushInterval)
	}
	if o.BatchRecords < 0 {
		return fmt.Errorf("influx: batch_records must be > 0: %d", o.BatchRecords)
	}
	if o.BatchBytes < 1024 {
		return fmt.Errorf("influx: batch_bytes must be at least 1024: %d", o.BatchBytes)
	}
	if o.RetryMin < 0 {
		return fmt.Errorf("influx: retry_min must be > 0: %s", o.RetryMin)
	}
	if o.RetryMax < o.RetryMin {
		return fmt.Errorf("influx: retry_max (%s) must be at least retry_min (%s)", o.RetryMax, o.RetryMin)
	}
	if o.Timeout < 0 {
		return fmt.Errorf("influx: timeout must be > 0: %s", o.Timeout)
	}
	if o.DeadLetterDir == "" {
		return errors.New("influx: dead_letter_dir is required (rejected records are kept, never dropped)")
	}
	return nil
}

// fill sets *v to def when it is zero.
func fill[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
