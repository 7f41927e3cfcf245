package devices

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// The streaming loader. yaml.v3 parses a whole document into a node tree
// before decoding it, and the strict path (decodeStrict) builds that tree
// twice: for a million devices that is several GiB. streamParse instead cuts
// the document's top-level schools list into batches of items by
// indentation, decodes each batch on its own (strictly) and the rest of the
// document separately, and drops every batch's text and nodes before the
// next one. It knows only the plain block layout registries are written in
// (WriteYAML, registry gen, hand-written files alike): schools: at column 0
// followed by "- " items at one column. Anything else (flow lists, anchors
// shared between batches, document markers, tabs, directives) and every
// error — syntax, decoding or semantic — makes it give up, and the caller
// parses the whole document the old way, which finds and reports the
// problems with file, line and field path exactly as before. So the node
// tree is built only when there is something to report.

// streamBatch is how many schools one batch decodes: big enough that a
// decoder per batch costs nothing, small enough that a batch's nodes are a
// few MB.
const streamBatch = 256

// errNotStreamable makes the caller fall back to the whole-document parse.
var errNotStreamable = errors.New("devices: not streamable")

// streamParse decodes the registry document read from rd, or returns
// errNotStreamable (or a read error).
func streamParse(rd io.Reader) (*Registry, error) {
	br := bufio.NewReaderSize(rd, 1<<20)
	var (
		rest      bytes.Buffer // the document without the schools section
		batch     bytes.Buffer
		items     int
		schools   []School
		inSchools bool
		sawSchool bool
		col       = -1 // column of the schools' "- "
	)
	in := newInterner()
	flush := func() error {
		if items == 0 {
			return nil
		}
		var got []School
		dec := yaml.NewDecoder(bytes.NewReader(batch.Bytes()))
		dec.KnownFields(true)
		if err := dec.Decode(&got); err != nil || len(got) != items {
			return errNotStreamable
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return errNotStreamable
		}
		for i := range got {
			in.school(&got[i])
		}
		schools = append(schools, got...)
		batch.Reset()
		items = 0
		return nil
	}
	for {
		line, err := readLine(br)
		if len(line) > 0 {
			switch top := topLevel(line); {
			case top == lineBad:
				return nil, errNotStreamable
			case top == lineKey && (!inSchools || col != 0 || line[0] != '-'):
				inSchools = false
				if isSchoolsKey(line) {
					if sawSchool {
						return nil, errNotStreamable // a second schools key
					}
					inSchools, sawSchool = true, true
					continue
				}
				rest.Write(line)
				continue
			}
			if !inSchools {
				rest.Write(line)
				continue
			}
			c, item := itemStart(line)
			switch {
			case c < 0: // blank or comment
			case col < 0 && !item:
				return nil, errNotStreamable // schools is not a block list
			case col < 0:
				col = c
			}
			if item && c == col {
				if items == streamBatch {
					if err := flush(); err != nil {
						return nil, err
					}
				}
				items++
			}
			if items == 0 && c >= 0 {
				return nil, errNotStreamable
			}
			batch.Write(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if !sawSchool || col < 0 {
		return nil, errNotStreamable
	}
	if err := flush(); err != nil {
		return nil, err
	}
	r := &Registry{}
	if rest.Len() > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(rest.Bytes()))
		dec.KnownFields(true)
		if err := dec.Decode(r); err != nil && !errors.Is(err, io.EOF) {
			return nil, errNotStreamable
		}
		var extra yaml.Node
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return nil, errNotStreamable
		}
		if r.Schools != nil {
			return nil, errNotStreamable // schools spelt another way ("schools")
		}
	}
	r.Schools = schools
	return r, nil
}

// readLine returns the next line with its newline (the last may lack one).
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	long := append([]byte(nil), line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = br.ReadSlice('\n')
		long = append(long, line...)
	}
	return long, err
}

type lineClass int

const (
	lineInner lineClass = iota // indented, blank, comment or a list item
	lineKey                    // a top-level key
	lineBad                    // something the splitter does not handle
)

// topLevel classifies a line by its first byte.
func topLevel(line []byte) lineClass {
	switch line[0] {
	case ' ', '\n', '\r', '#':
		return lineInner
	case '\t', '%', '&', '*', '!', '{', '[', '?', '|', '>', '"', '\'':
		return lineBad
	case '-':
		if bytes.HasPrefix(line, []byte("---")) {
			return lineBad
		}
		if len(line) > 1 && line[1] != ' ' && line[1] != '\n' && line[1] != '\r' {
			return lineKey // a key that starts with '-'
		}
		return lineInner
	case '.':
		if bytes.HasPrefix(line, []byte("...")) {
			return lineBad
		}
	}
	return lineKey
}

// isSchoolsKey reports whether line is exactly "schools:" (trailing blanks
// or a comment allowed); "schools: [...]" and the like are not streamed.
func isSchoolsKey(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("schools:"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	return len(rest) == 0 || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '#'
}

// itemStart returns the column of the line's first non-blank byte (-1 for
// a blank or comment line) and whether a list item starts there.
func itemStart(line []byte) (int, bool) {
	for i, b := range line {
		switch b {
		case ' ':
			continue
		case '\n', '\r', '#':
			return -1, false
		case '\t':
			return i, false
		case '-':
			return i, i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\n' || line[i+1] == '\r'
		}
		return i, false
	}
	return -1, false
}
