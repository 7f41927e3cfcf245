package devices

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// source is where a registry was parsed from, kept so that Validate and
// holiday-file errors can name lines (the node tree is rebuilt only when
// there is something to report). A registry loaded from a file keeps only
// the path and reads the file again then, rather than holding its bytes
// (hundreds of MB for a million devices); one parsed from bytes keeps them.
type source struct {
	name string
	data []byte
	path string // read again when data is nil
}

// Load reads, parses and validates the registry file at path, reads its
// holiday_files, and indexes it. The file is YAML or the compiled binary
// form (campusguard registry compile), told apart by its first bytes.
// Errors name the file, line and field path of every problem (up to
// MaxErrors), joined.
func Load(path string) (*Registry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("devices: read registry: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r *Registry
	if head, _ := br.Peek(len(compiledMagic)); IsCompiled(head) {
		if r, err = readCompiled(path, br); err == nil {
			r.src = &source{name: path}
		}
	} else {
		r, err = parseRegistry(path, br, func() ([]byte, error) {
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("devices: read registry: %w", err)
			}
			return data, nil
		})
		if err == nil {
			r.src = &source{name: path, path: path}
		}
	}
	if err != nil {
		return nil, err
	}
	if err := r.loadHolidayFiles(path); err != nil {
		return nil, err
	}
	r.Index()
	return r, nil
}

// Parse parses and validates a registry document; name is used in errors.
// Decoding is strict: unknown keys, duplicate keys, wrongly typed values and
// more than one document are errors. On success the registry is indexed.
// Parse does not read the registry's holiday_files (Load does): a national
// calendar then uses the shipped public-holiday table.
func Parse(name string, data []byte) (*Registry, error) {
	r, err := parseRegistry(name, bytes.NewReader(data), func() ([]byte, error) { return data, nil })
	if err != nil {
		return nil, err
	}
	r.src = &source{name: name, data: data}
	r.Index()
	return r, nil
}

// parseRegistry decodes and checks a registry document: streamed from rd
// when it has the usual layout and no problem (see streamParse), else from
// whole(), the complete document, by decodeStrict, which reports every
// problem with its line and field path.
func parseRegistry(name string, rd io.Reader, whole func() ([]byte, error)) (*Registry, error) {
	r, err := streamParse(rd)
	switch {
	case err == nil && len(r.check()) == 0:
		return r, nil
	case err != nil && !errors.Is(err, errNotStreamable):
		return nil, fmt.Errorf("devices: read registry: %w", err)
	}
	data, err := whole()
	if err != nil {
		return nil, err
	}
	r = &Registry{}
	if err := decodeStrict(name, data, "registry", registryWant, r, r.check); err != nil {
		return nil, err
	}
	in := newInterner()
	for i := range r.Schools {
		in.school(&r.Schools[i])
	}
	return r, nil
}

const registryWant = "want a mapping with regions, calendars and schools"

// decodeStrict decodes the single YAML document data into v (strictly:
// unknown keys, duplicate keys, wrongly typed values and more documents are
// errors) and runs check on the result. what names the document ("registry")
// and want says what its top level must be. Errors are FieldErrors naming name, the line and the field path.
func decodeStrict(name string, data []byte, what, want string, v any, check func() []issue) error {
	root, err := parseNode(name, data, what, want)
	if err != nil {
		return err
	}
	var errs []*FieldError
	// A decode error other than an unknown key can drop a list item or a whole
	// mapping, and then semantic errors would point at the wrong place: in
	// that case only the decode errors are reported.
	semantic := true
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return &FieldError{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		}
		ix := newLineIndex(root)
		for _, s := range te.Errors {
			fe, harmless := decodeError(name, ix, s)
			errs = append(errs, fe)
			semantic = semantic && harmless
		}
	}
	if semantic {
		errs = append(errs, located(check(), nodeLocator{file: name, root: root})...)
	}
	return joinErrors(errs)
}

// parseNode parses the single YAML document of data.
func parseNode(name string, data []byte, what, want string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: name, Msg: "empty " + what}
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &FieldError{File: name, Line: extra.Line, Msg: "more than one YAML document"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, err)
	}
	if deref(&root).Kind != yaml.MappingNode {
		return nil, &FieldError{File: name, Line: deref(&root).Line, Msg: want}
	}
	return &root, nil
}

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(name string, err error) *FieldError {
	msg := err.Error()
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &FieldError{File: name, Line: line, Msg: "syntax: " + m[2]}
	}
	return &FieldError{File: name, Msg: "syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

var (
	decodeLine   = regexp.MustCompile(`^line (\d+): (?:column (\d+): )?(.*)$`)
	unknownField = regexp.MustCompile(`^field (.*) not found in type devices\.(\w+)$`)
	fieldTwice   = regexp.MustCompile(`^field (.*) already set in type \S+$`)
	duplicateKey = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
	cannotDecode = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
)

// decodeError turns one message of a yaml.TypeError into a FieldError with a
// field path. harmless reports an unknown key, which the decoder skips
// without touching anything else.
func decodeError(name string, ix lineIndex, s string) (fe *FieldError, harmless bool) {
	m := decodeLine.FindStringSubmatch(s)
	if m == nil {
		return &FieldError{File: name, Msg: s}, false
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	msg := m[3]
	fe = &FieldError{File: name, Line: line, Msg: msg}
	if k := unknownField.FindStringSubmatch(msg); k != nil {
		fe.Path, _ = ix.key(line, k[1])
		fe.Msg = fmt.Sprintf("unknown field %q%s", k[1], knownKeys(k[2]))
		return fe, true
	}
	if k := fieldTwice.FindStringSubmatch(msg); k != nil {
		fe.Path, _ = ix.key(line, k[1])
		fe.Msg = fmt.Sprintf("duplicate key %q", k[1])
		return fe, false
	}
	if k := duplicateKey.FindStringSubmatch(msg); k != nil {
		key, _ := strconv.Unquote(`"` + k[1] + `"`)
		fe.Path, _ = ix.key(line, key)
		fe.Msg = fmt.Sprintf("duplicate key %q (first at line %s)", key, k[2])
		return fe, false
	}
	if k := cannotDecode.FindStringSubmatch(msg); k != nil {
		kind, prefix := yaml.ScalarNode, strings.TrimSuffix(k[2], "...")
		switch k[1] {
		case "!!map":
			kind = yaml.MappingNode
		case "!!seq":
			kind = yaml.SequenceNode
		}
		fe.Path, _ = ix.value(line, 0, kind, prefix)
		fe.Msg = fmt.Sprintf("want %s, got %s", goTypeName(k[3]), yamlTagName(k[1], k[2]))
		return fe, false
	}
	// Our own UnmarshalYAML errors name the column of the value.
	fe.Path, _ = ix.value(line, col, 0, "")
	return fe, false
}

// registryTypes are the struct types a registry document decodes into, by
// name, to list the keys each allows.
var registryTypes = map[string]reflect.Type{}

func init() {
	for _, v := range []any{Registry{}, Region{}, Calendar{}, Term{}, School{}, Windows{}, Window{}, Post{}, Kitchen{}, Guard{}, Device{},
		HolidayYear{}, Festival{}, Span{}, Closure{}, Timetable{}, AlarmTestSchedule{}} {
		t := reflect.TypeOf(v)
		registryTypes[t.Name()] = t
	}
}

// knownKeys returns " (want a, b, c)" listing the keys of the named type.
func knownKeys(typeName string) string {
	t, ok := registryTypes[typeName]
	if !ok {
		return ""
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return " (want one of " + strings.Join(keys, ", ") + ")"
}

func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string", t == "devices.Kind", t == "devices.SchoolType":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "devices."):
		return "a mapping"
	}
	return t
}

func yamlTagName(tag, value string) string {
	switch tag {
	case "!!map":
		return "a mapping"
	case "!!seq":
		return "a list"
	case "!!null":
		return "null"
	}
	return fmt.Sprintf("%s %q", strings.TrimPrefix(tag, "!!"), value)
}
