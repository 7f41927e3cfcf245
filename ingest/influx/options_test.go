package influx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func validOptions() Options {
	o := Defaults()
	o.URL = "http://127.0.0.1:8086"
	o.Bucket = "campusguard/autogen"
	o.DeadLetterDir = "/var/lib/campusguard/dead-letter"
	return o
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Options)
		want string // substring of the error naming the option; "" = valid
	}{
		{"defaults", func(*Options) {}, ""},
		{"https with path", func(o *Options) { o.URL = "https://influx.example:8086/prefix" }, ""},
		{"zero tunables take defaults", func(o *Options) { o.BatchRecords, o.RetryMin, o.Timeout = 0, 0, 0 }, ""},
		{"missing url", func(o *Options) { o.URL = "" }, "url is required"},
		{"bad scheme", func(o *Options) { o.URL = "tcp://127.0.0.1:8086" }, "url must be"},
		{"no host", func(o *Options) { o.URL = "http://" }, "url must be"},
		{"unparsable url", func(o *Options) { o.URL = "http://[::1" }, "url"},
		{"token with newline", func(o *Options) { o.Token = "user:pass\n" }, "token"},
		{"missing bucket", func(o *Options) { o.Bucket = "" }, "bucket is required"},
		{"bucket without database", func(o *Options) { o.Bucket = "/autogen" }, "bucket is required"},
		{"2.x bucket", func(o *Options) { o.Bucket = "campusguard" }, ""},
		{"negative batch_records", func(o *Options) { o.BatchRecords = -1 }, "batch_records"},
		{"tiny batch_bytes", func(o *Options) { o.BatchBytes = 100 }, "batch_bytes"},
		{"negative retry_min", func(o *Options) { o.RetryMin = -time.Second }, "retry_min"},
		{"retry_max below retry_min", func(o *Options) { o.RetryMin, o.RetryMax = time.Second, time.Millisecond }, "retry_max"},
		{"negative timeout", func(o *Options) { o.Timeout = -1 }, "timeout"},
		{"missing dead_letter_dir", func(o *Options) { o.DeadLetterDir = "" }, "dead_letter_dir"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.edit(&o)
			err := o.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if err == nil && (o.BatchRecords <= 0 || o.RetryMin <= 0 || o.Timeout <= 0) {
				t.Errorf("defaults not filled: %+v", o)
			}
		})
	}
}

func TestNewHasNoSideEffects(t *testing.T) {
	db := newFakeInflux(t)
	o := validOptions()
	o.URL = db.URL
	o.DeadLetterDir = t.TempDir() + "/not/yet"
	if _, err := New(o, newFakeSource()); err != nil {
		t.Fatal(err)
	}
	if n := db.writeCount(); n != 0 {
		t.Errorf("New made %d requests", n)
	}
	if _, err := New(o, nil); err == nil {
		t.Error("New without a source succeeded")
	}
	o.URL = ""
	if _, err := New(o, newFakeSource()); err == nil {
		t.Error("New with invalid options succeeded")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	o := validOptions()
	o.Token = "admin:hunter2"
	var logged bytes.Buffer
	logger := zerolog.New(&logged)
	logger.Info().Interface("opts", o).Stringer("token", o.Token).Msg("")
	js, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"%v":      fmt.Sprintf("%v", o),
		"%+v":     fmt.Sprintf("%+v", o),
		"%#v":     fmt.Sprintf("%#v", o),
		"%s":      fmt.Sprintf("%s", o.Token),
		"json":    string(js),
		"zerolog": logged.String(),
	} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("%s reveals the token: %s", name, s)
		}
		if !strings.Contains(s, "[REDACTED]") {
			t.Errorf("%s does not show [REDACTED]: %s", name, s)
		}
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should print empty")
	}
}
