package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// frameCases is the table of known-good and known-bad frames shared by the
// framing tests and the fuzz seed corpus.
var frameCases = []struct {
	name    string
	in      []byte
	payload []byte // for good frames
	err     error  // for bad frames
}{
	{name: "one byte", in: appendFrame(nil, []byte("x")), payload: []byte("x")},
	{name: "json", in: appendFrame(nil, []byte(`{"id":"evt-1"}`)), payload: []byte(`{"id":"evt-1"}`)},
	{name: "trailing bytes ignored", in: append(appendFrame(nil, []byte("ab")), 1, 2, 3), payload: []byte("ab")},
	{name: "max size", in: appendFrame(nil, make([]byte, MaxRecordSize)), payload: make([]byte, MaxRecordSize)},
	{name: "empty input", in: nil, err: errShortFrame},
	{name: "short header", in: []byte{1, 0, 0}, err: errShortFrame},
	{name: "short payload", in: appendFrame(nil, []byte("abcdef"))[:10], err: errShortFrame},
	{name: "zero length", in: make([]byte, 16), err: errBadLength},
	{name: "length over max", in: append(binary.LittleEndian.AppendUint32(nil, MaxRecordSize+1), 0, 0, 0, 0), err: errBadLength},
	{name: "bad crc", in: func() []byte { b := appendFrame(nil, []byte("abc")); b[9] ^= 1; return b }(), err: errBadCRC},
	{name: "garbage", in: []byte("garbage!garbage!"), err: errBadLength},
}

func TestParseFrame(t *testing.T) {
	for _, tt := range frameCases {
		t.Run(tt.name, func(t *testing.T) {
			p, n, err := parseFrame(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p, tt.payload) || n != headerSize+len(tt.payload) {
				t.Fatalf("payload %d bytes, n %d; want %d bytes", len(p), n, len(tt.payload))
			}
			if frameLen(tt.in) != n {
				t.Fatalf("frameLen = %d, want %d", frameLen(tt.in), n)
			}
		})
	}
}

func FuzzParseFrame(f *testing.F) {
	for _, tt := range frameCases {
		if len(tt.in) < 4096 {
			f.Add(tt.in)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, n, err := parseFrame(in)
		if err != nil {
			return
		}
		if n != headerSize+len(p) || n > len(in) || len(p) == 0 {
			t.Fatalf("n %d, payload %d, input %d", n, len(p), len(in))
		}
		// What decodes must re-encode to the same bytes.
		if !bytes.Equal(appendFrame(nil, p), in[:n]) {
			t.Fatal("re-encoding differs")
		}
	})
}
