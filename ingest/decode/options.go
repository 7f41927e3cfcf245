package decode

import (
	"errors"
	"fmt"
	"time"
)

// Options tunes a Decoder. The zero value of every field means its default
// (see DefaultOptions).
type Options struct {
	// MaxPayload is the largest accepted payload in bytes (docs/protocol.md: 16 KiB).
	MaxPayload int
	// MaxFuture is how far ahead of Now a message timestamp may be.
	MaxFuture time.Duration
	// MaxAge is how far behind Now a message timestamp may be.
	MaxAge time.Duration
	// Now is the clock; tests inject a fake one.
	Now func() time.Time
}

// DefaultOptions holds the defaults New applies to zero fields.
var DefaultOptions = Options{
	MaxPayload: 16 << 10,
	MaxFuture:  5 * time.Minute,
	MaxAge:     7 * 24 * time.Hour,
	Now:        time.Now,
}

// Validate reports options that New would not accept as given (negative
// limits). Zero values are valid: they mean the default.
func (o Options) Validate() error {
	var errs []error
	if o.MaxPayload < 0 {
		errs = append(errs, fmt.Errorf("decode: max_payload must not be negative: %d", o.MaxPayload))
	}
	if o.MaxFuture < 0 {
		errs = append(errs, fmt.Errorf("decode: max_future must not be negative: %s", o.MaxFuture))
	}
	if o.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("decode: max_age must not be negative: %s", o.MaxAge))
	}
	return errors.Join(errs...)
}

// withDefaults returns o with every zero or negative field replaced by its
// default.
func (o Options) withDefaults() Options {
	if o.MaxPayload <= 0 {
		o.MaxPayload = DefaultOptions.MaxPayload
	}
	if o.MaxFuture <= 0 {
		o.MaxFuture = DefaultOptions.MaxFuture
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultOptions.MaxAge
	}
	if o.Now == nil {
		o.Now = DefaultOptions.Now
	}
	return o
}
