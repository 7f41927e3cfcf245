package influxhistory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api/query"

	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/devices"
)

// Options locate the InfluxDB the rows were written to (the same as the
// ingest writer's).
type Options struct {
	// URL is the InfluxDB base URL, e.g. http://127.0.0.1:8086.
	URL string
	// Token: an API token (2.x), "user:password" or empty (1.8).
	Token string
	// Org is the 2.x organisation (1.8 ignores it).
	Org string
	// Bucket holds the rows ("database/retention" for 1.8).
	Bucket string
	// Timeout bounds one query (default 2 min: a city's HistoryDays are a
	// few million values).
	Timeout time.Duration
}

// Reader reads compliance day rows; it implements compliance.HistorySource.
type Reader struct {
	opts   Options
	client influxdb2.Client
}

var _ compliance.HistorySource = (*Reader)(nil)

// New returns a Reader; it opens no connection until ReadDays.
func New(opts Options) (*Reader, error) {
	if opts.URL == "" || opts.Bucket == "" {
		return nil, errors.New("influxhistory: url and bucket are required")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	co := influxdb2.DefaultOptions().SetHTTPRequestTimeout(uint(opts.Timeout / time.Second))
	return &Reader{opts: opts, client: influxdb2.NewClientWithOptions(opts.URL, opts.Token, co)}, nil
}

// Close releases the client's idle connections.
func (r *Reader) Close() { r.client.Close() }

// fluxQuery selects the per-school rows (they have a school tag; the
// rollups do not) of [from, to] and their verdict fields.
func fluxQuery(bucket string, from, to time.Time) string {
	return fmt.Sprintf(`from(bucket: %s)
  |> range(start: %s, stop: %s)
  |> filter(fn: (r) => r._measurement == %s and exists r.school and r.school != "")
  |> filter(fn: (r) => r._field == "status" or r._field == "ok" or r._field == "value")`,
		strconv.Quote(bucket), from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339),
		strconv.Quote(compliance.Measurement))
}

type key struct {
	school string
	date   devices.Date
}

// ReadDays implements compliance.HistorySource: every school row stamped
// in [from, to] (local days), one record per school and day. A row
// without a status field (written before verdicts had one) reads ok=true
// as met and ok=false as not met.
//
// The range is read ChunkDays at a time, so that no single answer holds a
// city's whole year and each query stays well inside Timeout.
func (r *Reader) ReadDays(ctx context.Context, from, to devices.Date) ([]compliance.DayRecord, error) {
	var out []compliance.DayRecord
	for d := from; !to.Before(d); d = d.AddDays(ChunkDays) {
		last := d.AddDays(ChunkDays - 1)
		if to.Before(last) {
			last = to
		}
		recs, err := r.readChunk(ctx, d, last)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// ChunkDays is how many days one query reads.
const ChunkDays = 31

func (r *Reader) readChunk(ctx context.Context, from, to devices.Date) ([]compliance.DayRecord, error) {
	start, stop := from.In(devices.Location()), to.AddDays(1).In(devices.Location())
	res, err := r.client.QueryAPI(r.opts.Org).Query(ctx, fluxQuery(r.opts.Bucket, start, stop))
	if err != nil {
		return nil, fmt.Errorf("influxhistory: query %s – %s: %w", from, to, err)
	}
	defer res.Close()
	recs := map[key]*compliance.DayRecord{}
	var order []key
	oks := map[key]map[compliance.Measure]bool{}
	for res.Next() {
		rec := res.Record()
		school, _ := rec.ValueByKey("school").(string)
		measure, _ := rec.ValueByKey("measure").(string)
		region, _ := rec.ValueByKey("region").(string)
		if school == "" || measure == "" || measure == "all" {
			continue
		}
		k := key{school, devices.DateOf(rec.Time().In(devices.Location()))}
		dr := recs[k]
		if dr == nil {
			dr = &compliance.DayRecord{School: school, Region: region, Date: k.date,
				Status: map[compliance.Measure]compliance.Status{}, Value: map[compliance.Measure]float64{}}
			recs[k] = dr
			order = append(order, k)
		}
		m := compliance.Measure(measure)
		apply(dr, oks, k, m, rec)
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("influxhistory: read %s – %s: %w", from, to, err)
	}
	out := make([]compliance.DayRecord, 0, len(order))
	for _, k := range order {
		dr := recs[k]
		for m, ok := range oks[k] {
			if _, has := dr.Status[m]; !has {
				dr.Status[m] = compliance.NotMet
				if ok {
					dr.Status[m] = compliance.Met
				}
			}
		}
		out = append(out, *dr)
	}
	return out, nil
}

// apply takes one field of one row.
func apply(dr *compliance.DayRecord, oks map[key]map[compliance.Measure]bool, k key, m compliance.Measure, rec *query.FluxRecord) {
	switch rec.Field() {
	case "status":
		if s, ok := rec.Value().(string); ok {
			dr.Status[m] = compliance.Status(strings.TrimSpace(s))
		}
	case "value":
		if v, ok := rec.Value().(float64); ok {
			dr.Value[m] = v
		}
	case "ok":
		if v, ok := rec.Value().(bool); ok {
			if oks[k] == nil {
				oks[k] = map[compliance.Measure]bool{}
			}
			oks[k][m] = v
		}
	}
}
