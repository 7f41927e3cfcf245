package influx

import (
	"errors"
	"fmt"
	"net/http"

	http2 "github.com/influxdata/influxdb-client-go/v2/api/http"
)

// errKind says what to do with a failed write request.
type errKind int

const (
	// kindTransient: InfluxDB or the path to it is unavailable (network error,
	// timeout, 5xx, 429) or misconfigured (401, 403, 404): retry the same
	// records with backoff, forever, so nothing is lost.
	kindTransient errKind = iota
	// kindPermanent: InfluxDB rejected some record of the request (400 bad
	// line protocol, field type conflict, "partial write", 413, 422): split
	// the request until the rejected records are isolated.
	kindPermanent
)

func (k errKind) String() string {
	if k == kindPermanent {
		return "permanent"
	}
	return "transient"
}

// classify decides from the client's error type and status code, never from
// message text.
func classify(err error) errKind {
	var he *http2.Error
	if !errors.As(err, &he) || he.StatusCode == 0 {
		return kindTransient // no response: connection refused, reset, timeout
	}
	switch code := he.StatusCode; {
	case code >= 500,
		code == http.StatusTooManyRequests,
		code == http.StatusRequestTimeout,
		// Credentials, permissions or a missing database/bucket: an
		// operator's problem, not the records'. Keep them until it is fixed.
		code == http.StatusUnauthorized,
		code == http.StatusForbidden,
		code == http.StatusNotFound:
		return kindTransient
	case code >= 400:
		return kindPermanent
	default:
		return kindTransient // an unexpected 1xx/3xx: try again
	}
}

// isConfigError reports the statuses that need an operator (logged loudly).
func isConfigError(err error) bool {
	var he *http2.Error
	if !errors.As(err, &he) {
		return false
	}
	switch he.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}

// statusOf returns the HTTP status of a failed request, 0 without a response.
func statusOf(err error) int {
	var he *http2.Error
	if errors.As(err, &he) {
		return he.StatusCode
	}
	return 0
}

// retryAfter returns the server's Retry-After hint, if any.
func retryAfter(err error) int {
	var he *http2.Error
	if errors.As(err, &he) {
		return int(he.RetryAfter)
	}
	return 0
}

// describe renders a write error for logs and the dead-letter file as
// "http <status>: <server's message>". (The client's own Error() leaves the
// status out of InfluxDB 2.x answers; InfluxDB 1.8's message comes from its
// X-Influxdb-Error header.)
func describe(err error) string {
	var he *http2.Error
	if !errors.As(err, &he) || he.StatusCode == 0 {
		return err.Error()
	}
	if he.Message != "" {
		return fmt.Sprintf("http %d: %s", he.StatusCode, he.Message)
	}
	if he.Code != "" {
		return fmt.Sprintf("http %d: %s", he.StatusCode, he.Code)
	}
	return fmt.Sprintf("http %d", he.StatusCode)
}
