package testenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Series is one series of an InfluxQL result. Numbers in Values are json.Number, so integer
// counts stay exact; times are RFC 3339 strings.
type Series struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags,omitempty"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

// queryResponse is the body of /query.
type queryResponse struct {
	Results []struct {
		Series []Series `json:"series"`
		Error  string   `json:"error"`
	} `json:"results"`
	Error string `json:"error"`
}

// Query runs InfluxQL statements against Database() (POST /query) and returns every series of
// every statement. Any error ends the test, so call it from the test's goroutine.
func (s *InfluxServer) Query(t testing.TB, influxql string) []Series {
	t.Helper()
	series, err := s.query(influxql)
	if err != nil {
		t.Fatal(err)
	}
	return series
}

// Count returns the number of points in measurement: the largest of count(*)'s per-field
// counts, which is exact as long as one field is present on every point (see CountField).
// A measurement that does not exist has 0 points.
func (s *InfluxServer) Count(t testing.TB, measurement string) int {
	t.Helper()
	n, err := s.count(measurement, "*")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// CountField returns the number of points in measurement that have field.
func (s *InfluxServer) CountField(t testing.TB, measurement, field string) int {
	t.Helper()
	n, err := s.count(measurement, quoteIdent(field))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TryCountField is CountField that returns a query error instead of
// failing the test, for a caller polling a server under load.
func (s *InfluxServer) TryCountField(measurement, field string) (int, error) {
	return s.count(measurement, quoteIdent(field))
}

// WaitCount polls Count(measurement) until it equals want, and fails the test if it does not
// within timeout. Query errors (a server that is still restarting) are retried until then.
// It returns the last count seen.
func (s *InfluxServer) WaitCount(t testing.TB, measurement string, want int, timeout time.Duration) int {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := s.count(measurement, "*")
		if err == nil && n == want {
			return n
		}
		select {
		case <-deadline.C:
			t.Fatalf("testenv: %s has %d points after %v, want %d (last error: %v)", measurement, n, timeout, want, err)
			return n
		case <-tick.C:
		}
	}
}

// Write writes points in line protocol (nanosecond timestamps) to Database() through the
// 1.x /write endpoint, for seeding data. Any error ends the test.
func (s *InfluxServer) Write(t testing.TB, lines string) {
	t.Helper()
	u := s.url + "/write?" + url.Values{"db": {s.db}, "precision": {"ns"}}.Encode()
	resp, err := s.client.Post(u, "text/plain; charset=utf-8", strings.NewReader(lines))
	if err != nil {
		t.Fatalf("testenv: influx write: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		t.Fatalf("testenv: influx write: %s: %s", resp.Status, body)
	}
}

// count runs count(expr) on measurement and returns the largest count column.
func (s *InfluxServer) count(measurement, expr string) (int, error) {
	series, err := s.query(fmt.Sprintf("SELECT count(%s) FROM %s", expr, quoteIdent(measurement)))
	if err != nil {
		return 0, err
	}
	best := 0
	for _, ser := range series {
		for _, row := range ser.Values {
			for i, col := range ser.Columns {
				if col == "time" || i >= len(row) {
					continue
				}
				num, ok := row[i].(json.Number)
				if !ok {
					continue // null: the field has no points
				}
				n, err := num.Int64()
				if err != nil {
					return 0, fmt.Errorf("testenv: count %s: column %s: %w", measurement, col, err)
				}
				best = max(best, int(n))
			}
		}
	}
	return best, nil
}

// query posts InfluxQL to /query and decodes the result.
func (s *InfluxServer) query(influxql string) ([]Series, error) {
	form := url.Values{"db": {s.db}, "q": {influxql}}
	resp, err := s.client.PostForm(s.url+"/query", form)
	if err != nil {
		return nil, fmt.Errorf("testenv: influx query %q: %w", influxql, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("testenv: influx query %q: %w", influxql, err)
	}
	var qr queryResponse
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&qr); err != nil {
		return nil, fmt.Errorf("testenv: influx query %q: %s: decode: %w: %.200s", influxql, resp.Status, err, body)
	}
	var errs []error
	if qr.Error != "" {
		errs = append(errs, errors.New(qr.Error))
	}
	var series []Series
	for _, r := range qr.Results {
		if r.Error != "" {
			errs = append(errs, errors.New(r.Error))
		}
		series = append(series, r.Series...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("testenv: influx query %q: %w", influxql, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("testenv: influx query %q: %s", influxql, resp.Status)
	}
	return series, nil
}

// quoteIdent quotes an InfluxQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
