package devices

import (
	"bytes"
	"errors"
	"io"
)

var compiledMagic = []byte("CGREG\x00\r\n")

// IsCompiled reports whether head, a file's first bytes, starts a compiled registry.
func IsCompiled(head []byte) bool { return bytes.HasPrefix(head, compiledMagic) }

func readCompiled(name string, rd io.Reader) (*Registry, error) { return nil, errors.New("todo") }
