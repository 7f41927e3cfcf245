package influx

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

// DeadLetterFile is the name of the dead-letter file inside
// Options.DeadLetterDir.
const DeadLetterFile = "influx-rejected.jsonl"

// DeadLetter is one line of the dead-letter file: a spool record that
// InfluxDB rejected for good, with why and when. Record holds the line
// protocol as text; a record that is not valid UTF-8 is kept byte for byte in
// RecordBase64 instead. Once the cause is fixed (a field type, a retention
// policy), the records can be written again as they are.
type DeadLetter struct {
	Time         time.Time `json:"time"`
	Bucket       string    `json:"bucket"`
	Status       int       `json:"status"`
	Error        string    `json:"error"`
	SHA256       string    `json:"sha256"` // of the record: duplicates after a crash can be told apart
	Record       string    `json:"record,omitempty"`
	RecordBase64 string    `json:"record_base64,omitempty"`
}

// newDeadLetter describes a rejected record.
func newDeadLetter(now time.Time, bucket string, rec []byte, err error) DeadLetter {
	sum := sha256.Sum256(rec)
	d := DeadLetter{
		Time:   now.UTC(),
		Bucket: bucket,
		Status: statusOf(err),
		Error:  describe(err),
		SHA256: hex.EncodeToString(sum[:]),
	}
	if utf8.Valid(rec) {
		d.Record = string(rec)
	} else {
		d.RecordBase64 = base64.StdEncoding.EncodeToString(rec)
	}
	return d
}

// deadLetters is the append-only dead-letter file. It is opened on first use
// (so New has no side effects) and stays open; it is used from Run only.
type deadLetters struct {
	dir string
	f   *os.File
}

// append writes entries, one JSON line each, and fsyncs them: when it returns
// nil they survive a crash, and the spool records may be committed.
func (d *deadLetters) append(entries []DeadLetter) error {
	if len(entries) == 0 {
		return nil
	}
	if err := d.open(); err != nil {
		return err
	}
	var buf []byte
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("influx: dead letter: encode: %w", err)
		}
		buf = append(append(buf, b...), '\n')
	}
	fi, err := d.f.Stat()
	if err != nil {
		return fmt.Errorf("influx: dead letter: %w", err)
	}
	_, err = d.f.Write(buf)
	if err == nil {
		err = d.f.Sync()
	}
	if err != nil {
		// Cut off a torn line so the retry starts on a line boundary, and
		// reopen next time.
		_ = d.f.Truncate(fi.Size())
		_ = d.close()
		return fmt.Errorf("influx: dead letter: write: %w", err)
	}
	return nil
}

// open opens (creating if needed) the file in append mode; a newly created
// file's directory entry is synced too.
func (d *deadLetters) open() error {
	if d.f != nil {
		return nil
	}
	if err := os.MkdirAll(d.dir, 0o750); err != nil {
		return fmt.Errorf("influx: dead letter: %w", err)
	}
	path := filepath.Join(d.dir, DeadLetterFile)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("influx: dead letter: %w", err)
	}
	if os.IsNotExist(statErr) {
		if err := syncDir(d.dir); err != nil {
			f.Close()
			return fmt.Errorf("influx: dead letter: %w", err)
		}
	}
	d.f = f
	return nil
}

// close releases the file; a later append opens it again.
func (d *deadLetters) close() error {
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
