package spool

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if p, err := readCursor(dir); err != nil || p != (position{}) {
		t.Fatalf("missing cursor = %+v, %v; want zero, nil", p, err)
	}
	for _, want := range []position{{seg: 1}, {seg: 7, off: 1234}, {seg: 1 << 40, off: 1 << 40}} {
		if err := writeCursor(dir, position{seg: want.seg, off: want.off, seq: 99}); err != nil {
			t.Fatal(err)
		}
		got, err := readCursor(dir)
		if err != nil || got != want {
			t.Fatalf("cursor = %+v, %v; want %+v", got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, cursorTmpFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temp file left behind: %v", err)
	}
}

func TestDecodeCursorRejects(t *testing.T) {
	good := encodeCursor(position{seg: 3, off: 10})
	tests := []struct {
		name string
		in   []byte
	}{
		{name: "empty", in: nil},
		{name: "short", in: good[:19]},
		{name: "long", in: append(append([]byte{}, good...), 0)},
		{name: "flipped bit", in: func() []byte { b := append([]byte{}, good...); b[9] ^= 4; return b }()},
		{name: "bad crc", in: func() []byte { b := append([]byte{}, good...); b[19] ^= 1; return b }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeCursor(tt.in); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(position{seg: 3, off: 10}))
	f.Add([]byte("not a cursor"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := decodeCursor(in)
		if err != nil {
			return
		}
		if p.off < 0 || string(encodeCursor(p)) != string(in) {
			t.Fatalf("decoded %+v does not re-encode to the input", p)
		}
	})
}
