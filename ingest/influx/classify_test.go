package influx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	http2 "github.com/influxdata/influxdb-client-go/v2/api/http"
)

func TestClassify(t *testing.T) {
	status := func(code int) error { return &http2.Error{StatusCode: code, Code: "x", Message: "server says"} }
	cases := []struct {
		name   string
		err    error
		want   errKind
		config bool
	}{
		{"connection refused", http2.NewError(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), kindTransient, false},
		{"request timeout", http2.NewError(context.DeadlineExceeded), kindTransient, false},
		{"plain error", errors.New("boom"), kindTransient, false},
		{"500", status(500), kindTransient, false},
		{"502", status(502), kindTransient, false},
		{"503", status(503), kindTransient, false},
		{"429", status(429), kindTransient, false},
		{"408", status(408), kindTransient, false},
		{"401", status(401), kindTransient, true},
		{"403", status(403), kindTransient, true},
		{"404 database not found", status(404), kindTransient, true},
		{"400 partial write", status(400), kindPermanent, false},
		{"413 too large", status(413), kindPermanent, false},
		{"422 unprocessable (2.x beyond retention)", status(422), kindPermanent, false},
		{"wrapped 400", fmt.Errorf("ingest: %w", status(400)), kindPermanent, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Errorf("classify = %v, want %v", got, tc.want)
			}
			if got := isConfigError(tc.err); got != tc.config {
				t.Errorf("isConfigError = %v, want %v", got, tc.config)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&http2.Error{StatusCode: 400, Code: "400 Bad Request", Message: "partial write: x dropped=1"}, "http 400: partial write: x dropped=1"},
		{&http2.Error{StatusCode: 400, Code: "invalid", Message: "unable to parse"}, "http 400: unable to parse"},
		{&http2.Error{StatusCode: 502, Code: "502 Bad Gateway"}, "http 502: 502 Bad Gateway"},
		{&http2.Error{StatusCode: 500}, "http 500"},
		{http2.NewError(errors.New("dial tcp: refused")), "dial tcp: refused"},
	}
	for _, tc := range cases {
		if got := describe(tc.err); got != tc.want {
			t.Errorf("describe(%#v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
