package devices

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// SchoolWriter writes a registry as YAML one school at a time, in exactly
// the bytes WriteYAML writes for the whole registry, so that a registry of
// any size can be written without holding it (campusguard registry gen for
// a million devices). Start with NewSchoolWriter, call Write for every
// school in order, then Close.
type SchoolWriter struct {
	w     *bufio.Writer
	tail  *yaml.Node // the keys after schools (holiday_files, closures, timetables)
	count int
	buf   bytes.Buffer
}

// NewSchoolWriter writes head's keys before schools (regions, calendars) to
// w and returns a writer for the schools; head's own Schools are ignored
// and its keys after schools are written by Close.
func NewSchoolWriter(w io.Writer, head *Registry) (*SchoolWriter, error) {
	h := *head
	h.Schools = nil
	n, err := toNode(reflect.ValueOf(h), false)
	if err != nil {
		return nil, err
	}
	before := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	after := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	into := before
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "schools" {
			into = after
			continue
		}
		into.Content = append(into.Content, n.Content[i], n.Content[i+1])
	}
	sw := &SchoolWriter{w: bufio.NewWriterSize(w, 256<<10), tail: after}
	if len(before.Content) > 0 {
		if err := encodeNode(sw.w, before); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

var schoolsKey = []byte("schools:\n")

// Write writes one school.
func (sw *SchoolWriter) Write(s *School) error {
	sn, err := toNode(reflect.ValueOf(*s), false)
	if err != nil {
		return err
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "schools"},
		{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{sn}},
	}}
	sw.buf.Reset()
	if err := encodeNode(&sw.buf, doc); err != nil {
		return err
	}
	out := sw.buf.Bytes()
	if !bytes.HasPrefix(out, schoolsKey) {
		return fmt.Errorf("devices: write registry: unexpected school layout %.40q", out)
	}
	if sw.count > 0 {
		out = out[len(schoolsKey):]
	}
	sw.count++
	_, err = sw.w.Write(out)
	return err
}

// Close writes what follows the schools and flushes.
func (sw *SchoolWriter) Close() error {
	if sw.count == 0 {
		if _, err := sw.w.WriteString("schools: []\n"); err != nil {
			return err
		}
	}
	if len(sw.tail.Content) > 0 {
		if err := encodeNode(sw.w, sw.tail); err != nil {
			return err
		}
	}
	return sw.w.Flush()
}

func encodeNode(w io.Writer, n *yaml.Node) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return fmt.Errorf("devices: write registry: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("devices: write registry: %w", err)
	}
	return nil
}
