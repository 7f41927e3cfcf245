package devices

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
)

// The compiled registry (campusguard registry compile): the registry's
// exported data in a compact binary form that loads in a fraction of the
// time YAML takes, for very large registries. Layout (integers in the
// header little-endian):
//
//	magic   8 bytes  "CGREG\x00\r\n" (Load tells the forms apart by it)
//	version 2 bytes  compiledVersion
//	schema  8 bytes  FNV-64a of the Go types' field names and kinds: a file
//	                 written by a campusguard whose registry types differ is
//	                 refused ("recompile"), not misread
//	length  8 bytes  payload length
//	crc     4 bytes  CRC-32C of the payload
//	payload          string table: uvarint count, then each string as
//	                 uvarint length and bytes; then the Registry value:
//	                 structs as their exported fields in order, strings as
//	                 uvarint table indexes, integers as zigzag varints, bools
//	                 as one byte, lists as uvarint 0 (nil) or length+1 then
//	                 the items.
//
// Every string is stored once, so region codes, kinds, locations and post
// names cost an index per use, and the loaded registry shares them. Loading
// checks the registry (Validate) as YAML loading does: a compiled file is
// untrusted input.

var compiledMagic = []byte("CGREG\x00\r\n")

const (
	compiledVersion = 1
	headerLen       = 8 + 2 + 8 + 8 + 4
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// IsCompiled reports whether head, a file's first bytes, starts a compiled
// registry.
func IsCompiled(head []byte) bool { return bytes.HasPrefix(head, compiledMagic) }

var (
	registryType = reflect.TypeOf(Registry{})
	durationType = reflect.TypeOf(Duration(0))
)

// compiledSchema fingerprints the registry's exported types.
var compiledSchema = func() uint64 {
	var b strings.Builder
	describe(&b, registryType, map[reflect.Type]bool{})
	h := fnv.New64a()
	h.Write([]byte(b.String()))
	return h.Sum64()
}()

func describe(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Struct:
		fmt.Fprintf(b, "%s{", t.Name())
		if seen[t] {
			b.WriteString("}")
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				b.WriteString(f.Name + ":")
				describe(b, f.Type, seen)
				b.WriteString(";")
			}
		}
		b.WriteString("}")
	case reflect.Slice:
		b.WriteString("[]")
		describe(b, t.Elem(), seen)
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64:
		b.WriteString(t.Kind().String())
	default:
		panic("devices: compiled registry cannot hold " + t.String())
	}
}

// WriteCompiled writes the registry's exported data in the compiled form
// (see the top of compiled.go). Load reads it back equal.
func (r *Registry) WriteCompiled(w io.Writer) error {
	e := &encoder{index: map[string]uint64{}}
	e.value(reflect.ValueOf(r).Elem())
	var table []byte
	table = binary.AppendUvarint(table, uint64(len(e.strs)))
	for _, s := range e.strs {
		table = binary.AppendUvarint(table, uint64(len(s)))
		table = append(table, s...)
	}
	crc := crc32.Update(crc32.Checksum(table, crcTable), crcTable, e.body)
	hdr := make([]byte, 0, headerLen)
	hdr = append(hdr, compiledMagic...)
	hdr = binary.LittleEndian.AppendUint16(hdr, compiledVersion)
	hdr = binary.LittleEndian.AppendUint64(hdr, compiledSchema)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(table)+len(e.body)))
	hdr = binary.LittleEndian.AppendUint32(hdr, crc)
	for _, part := range [][]byte{hdr, table, e.body} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("devices: write compiled registry: %w", err)
		}
	}
	return nil
}

type encoder struct {
	body  []byte
	strs  []string
	index map[string]uint64
}

func (e *encoder) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				e.value(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			e.body = append(e.body, 0)
			return
		}
		e.body = binary.AppendUvarint(e.body, uint64(v.Len())+1)
		for i := 0; i < v.Len(); i++ {
			e.value(v.Index(i))
		}
	case reflect.String:
		s := v.String()
		i, ok := e.index[s]
		if !ok {
			i = uint64(len(e.strs))
			e.index[s] = i
			e.strs = append(e.strs, s)
		}
		e.body = binary.AppendUvarint(e.body, i)
	case reflect.Bool:
		b := byte(0)
		if v.Bool() {
			b = 1
		}
		e.body = append(e.body, b)
	default: // the integer kinds describe allows
		e.body = binary.AppendVarint(e.body, v.Int())
	}
}

// CompiledError is a compiled registry that cannot be read: not one, a
// version or build this campusguard does not read, or damaged.
type CompiledError struct {
	File string
	Msg  string
}

func (e *CompiledError) Error() string {
	return fmt.Sprintf("%s: compiled registry: %s", e.File, e.Msg)
}

// readCompiled reads a compiled registry from rd and checks it (Validate);
// it does not index it.
func readCompiled(name string, rd io.Reader) (*Registry, error) {
	hdr := make([]byte, headerLen)
	if _, err := io.ReadFull(rd, hdr); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &CompiledError{name, "truncated header"}
		}
		return nil, fmt.Errorf("devices: read registry: %w", err)
	}
	if !IsCompiled(hdr) {
		return nil, &CompiledError{name, "not a compiled registry (bad magic bytes)"}
	}
	if v := binary.LittleEndian.Uint16(hdr[8:]); v != compiledVersion {
		return nil, &CompiledError{name, fmt.Sprintf("format version %d, this campusguard reads version %d: compile the YAML again with this campusguard", v, compiledVersion)}
	}
	if s := binary.LittleEndian.Uint64(hdr[10:]); s != compiledSchema {
		return nil, &CompiledError{name, "written by a campusguard with different registry fields: compile the YAML again with this campusguard"}
	}
	n := binary.LittleEndian.Uint64(hdr[18:])
	const maxPayload = 1 << 32
	if n > maxPayload {
		return nil, &CompiledError{name, fmt.Sprintf("payload of %d bytes is more than the %d allowed", n, uint64(maxPayload))}
	}
	payload, err := io.ReadAll(io.LimitReader(rd, int64(n)+1))
	if err != nil {
		return nil, fmt.Errorf("devices: read registry: %w", err)
	}
	switch {
	case uint64(len(payload)) < n:
		return nil, &CompiledError{name, fmt.Sprintf("truncated: %d of %d payload bytes", len(payload), n)}
	case uint64(len(payload)) > n:
		return nil, &CompiledError{name, "trailing bytes after the payload"}
	case crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(hdr[26:]):
		return nil, &CompiledError{name, "checksum mismatch: the file is damaged"}
	}
	r, err := decodeCompiled(payload)
	if err != nil {
		return nil, &CompiledError{name, err.Error()}
	}
	if err := joinErrors(located(r.check(), pathOnly{file: name})); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeCompiled decodes a payload (the checksum has been checked, but the
// bytes are still untrusted: every length is bounded by what is left).
func decodeCompiled(payload []byte) (*Registry, error) {
	d := &decoder{buf: payload}
	count := d.uvarint()
	if d.err == nil && count > uint64(len(d.buf)) {
		d.fail("string table of %d strings in %d bytes", count, len(d.buf))
	}
	if d.err != nil {
		return nil, d.err
	}
	// The table's bytes become one string that the registry's strings
	// share: one copy, one allocation.
	spans := make([][2]int, count) // each string's start and end in the table
	rest := d.buf
	for i := range spans {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)-n) {
			return nil, fmt.Errorf("string %d runs past the end", i)
		}
		start := len(d.buf) - len(rest) + n
		spans[i] = [2]int{start, start + int(l)}
		rest = rest[n+int(l):]
	}
	table := string(d.buf[:len(d.buf)-len(rest)])
	d.buf = rest
	d.strs = make([]string, count)
	for i, sp := range spans {
		d.strs[i] = table[sp[0]:sp[1]]
	}
	r := &Registry{}
	d.value(reflect.ValueOf(r).Elem())
	if d.err == nil && len(d.buf) > 0 {
		d.fail("%d bytes left after the registry", len(d.buf))
	}
	if d.err != nil {
		return nil, d.err
	}
	in := newInterner()
	for i := range r.Schools {
		in.shareWindows(&r.Schools[i].Windows)
	}
	return r, nil
}

// minSize is the fewest bytes a value of type t takes in the payload.
func minSize(t reflect.Type) int {
	if n, ok := minSizes.Load(t); ok {
		return n.(int)
	}
	n := 1
	if t.Kind() == reflect.Struct {
		n = 0
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				n += minSize(t.Field(i).Type)
			}
		}
		n = max(n, 1)
	}
	minSizes.Store(t, n)
	return n
}

var minSizes sync.Map // reflect.Type → int

// exportedFields returns the indexes of t's exported fields.
func exportedFields(t reflect.Type) []int {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]int)
	}
	var f []int
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			f = append(f, i)
		}
	}
	fieldCache.Store(t, f)
	return f
}

var fieldCache sync.Map // reflect.Type → []int

type decoder struct {
	buf  []byte
	strs []string
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("truncated or bad number")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) value(v reflect.Value) {
	if d.err != nil {
		return
	}
	d.raw(v)
	if d.err == nil {
		if msg := badValue(v); msg != "" {
			d.fail("%s", msg)
		}
	}
}

// badValue holds the decoded values to what their YAML forms can say (a
// date YYYY-MM-DD, a clock time 00:00-24:00, a positive duration), so that
// the rest of campusguard meets no value YAML could not give it.
func badValue(v reflect.Value) string {
	switch v.Type() { // before Interface, which would allocate for every value
	case dateType, clockType, durationType:
	default:
		return ""
	}
	switch x := v.Interface().(type) {
	case Date:
		if x != (Date{}) && (x.Year < 0 || x.Year > 9999 || x.Month < 1 || x.Month > 12 || x.Day < 1 ||
			DateOf(time.Date(x.Year, x.Month, x.Day, 0, 0, 0, 0, time.UTC)) != x) {
			return fmt.Sprintf("bad date %d-%d-%d", x.Year, x.Month, x.Day)
		}
	case ClockTime:
		if x < 0 || x > 24*60 {
			return fmt.Sprintf("bad clock time %d", int(x))
		}
	case Duration:
		if x < 0 {
			return fmt.Sprintf("bad duration %d", int64(x))
		}
	}
	return ""
}

func (d *decoder) raw(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for _, i := range exportedFields(v.Type()) {
			if d.err != nil {
				return
			}
			d.value(v.Field(i))
		}
	case reflect.Slice:
		n := d.uvarint()
		if n == 0 || d.err != nil {
			return
		}
		n--
		if min := minSize(v.Type().Elem()); n > uint64(len(d.buf)/min) {
			// Items take at least min bytes each: a short file cannot
			// make the decoder allocate much.
			d.fail("list of %d items in %d bytes", n, len(d.buf))
			return
		}
		s := reflect.MakeSlice(v.Type(), int(n), int(n))
		for i := 0; i < int(n) && d.err == nil; i++ {
			d.value(s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		i := d.uvarint()
		if d.err == nil && i >= uint64(len(d.strs)) {
			d.fail("string index %d out of %d", i, len(d.strs))
			return
		}
		if d.err == nil {
			v.SetString(d.strs[i])
		}
	case reflect.Bool:
		if len(d.buf) == 0 {
			d.fail("truncated")
			return
		}
		if d.buf[0] > 1 {
			d.fail("bad bool %d", d.buf[0])
			return
		}
		v.SetBool(d.buf[0] == 1)
		d.buf = d.buf[1:]
	default:
		x, n := binary.Varint(d.buf)
		if n <= 0 {
			d.fail("truncated or bad number")
			return
		}
		d.buf = d.buf[n:]
		if v.OverflowInt(x) {
			d.fail("number %d out of range", x)
			return
		}
		v.SetInt(x)
	}
}
