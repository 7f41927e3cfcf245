package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/devices"
)

// Load reads and validates the users file at path. With a registry, every
// region and school named must exist in it. Errors are *devices.FieldError
// values ("users.yaml:12: users[1].role: unknown role ..."), joined.
func Load(path string, reg *devices.Registry) (*Users, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read users: %w", err)
	}
	return Parse(path, data, reg)
}

// Parse validates a users document; name is the file name used in errors.
// Decoding is strict: unknown keys, duplicate keys, wrongly typed values
// and more than one document are errors. An empty document has no users.
func Parse(name string, data []byte, reg *devices.Registry) (*Users, error) {
	root, err := parseRoot(name, data)
	if err != nil {
		return nil, err
	}
	var doc document
	if root != nil {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			return nil, decodeErrors(name, err)
		}
	}
	c := checker{file: name, root: root, reg: reg, seen: map[string]int{}, digests: map[[sha256.Size]byte]int{}}
	us := &Users{users: map[string]*User{}, tokens: map[[sha256.Size]byte]*Token{}}
	for i := range doc.Users {
		u := &doc.Users[i]
		if c.user(i, u) {
			us.users[u.Name] = u
			us.order = append(us.order, u.Name)
		}
	}
	for i := range doc.Tokens {
		t := &doc.Tokens[i]
		if d, ok := c.token(i, t); ok {
			us.tokens[d] = t
			us.torder = append(us.torder, t.Name)
		}
	}
	if len(c.errs) > 0 {
		list := make([]error, len(c.errs))
		for i, e := range c.errs {
			list[i] = e
		}
		return nil, errors.Join(list...)
	}
	return us, nil
}

// parseRoot parses the single YAML document of data; nil for an empty one.
func parseRoot(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, &devices.FieldError{File: name, Line: extra.Line, Msg: "more than one YAML document"}
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &devices.FieldError{File: name, Line: root.Line, Msg: "want a mapping with users and tokens"}
	}
	return root, nil
}

var (
	syntaxLine   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	decodeLine   = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type auth\.(\w+)$`)
)

func syntaxError(name string, err error) error {
	msg := err.Error()
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &devices.FieldError{File: name, Line: line, Msg: "syntax: " + m[2]}
	}
	return &devices.FieldError{File: name, Msg: "syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// decodeErrors turns the decoder's complaints into located errors.
func decodeErrors(name string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return &devices.FieldError{File: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	list := make([]error, 0, len(te.Errors))
	for _, s := range te.Errors {
		fe := &devices.FieldError{File: name, Msg: s}
		if m := decodeLine.FindStringSubmatch(s); m != nil {
			fe.Line, _ = strconv.Atoi(m[1])
			fe.Msg = m[2]
			if k := unknownField.FindStringSubmatch(fe.Msg); k != nil {
				fe.Msg = fmt.Sprintf("unknown field %q%s", k[1], knownKeys(k[2]))
			}
		}
		list = append(list, fe)
	}
	return errors.Join(list...)
}

// knownKeys returns " (want one of a, b, c)" for a type of the document.
func knownKeys(typeName string) string {
	var t reflect.Type
	switch typeName {
	case "User":
		t = reflect.TypeFor[User]()
	case "Token":
		t = reflect.TypeFor[Token]()
	case "document":
		t = reflect.TypeFor[document]()
	default:
		return ""
	}
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return " (want one of " + strings.Join(keys, ", ") + ")"
}

// checker validates entries, locating each problem through the node tree.
type checker struct {
	file    string
	root    *yaml.Node
	reg     *devices.Registry
	seen    map[string]int // name → line of its first entry
	digests map[[sha256.Size]byte]int
	errs    []*devices.FieldError
}

func (c *checker) add(section string, i int, key, format string, args ...any) {
	path := fmt.Sprintf("%s[%d]", section, i)
	if key != "" {
		path += "." + key
	}
	c.errs = append(c.errs, &devices.FieldError{File: c.file, Line: c.line(section, i, key), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// line returns the line of section[i].key's value, else of the entry.
func (c *checker) line(section string, i int, key string) int {
	seq := mapValue(c.root, section)
	if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
		return 0
	}
	item := seq.Content[i]
	if v := mapValue(item, key); v != nil {
		return v.Line
	}
	return item.Line
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (c *checker) user(i int, u *User) bool {
	const sec = "users"
	n := len(c.errs)
	c.name(sec, i, u.Name)
	if u.DisplayName != "" && (!printable(u.DisplayName) || utf8.RuneCountInString(u.DisplayName) > 64) {
		c.add(sec, i, "display_name", "want at most 64 printable characters")
	}
	c.scope(sec, i, u.Role, u.Regions, u.Schools)
	switch {
	case u.PasswordHash == "":
		c.add(sec, i, "password_hash", "required (make one with: campusguard user passwd, or user hash)")
	default:
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			c.add(sec, i, "password_hash", "not a bcrypt hash (make one with: campusguard user hash)")
		}
	}
	return len(c.errs) == n
}

func (c *checker) token(i int, t *Token) (digest [sha256.Size]byte, ok bool) {
	const sec = "tokens"
	n := len(c.errs)
	c.name(sec, i, t.Name)
	c.scope(sec, i, t.Role, t.Regions, t.Schools)
	d, err := parseTokenHash(t.TokenHash)
	switch {
	case t.TokenHash == "":
		c.add(sec, i, "token_hash", "required (make one with: campusguard user token)")
	case err != nil:
		c.add(sec, i, "token_hash", "%v", err)
	default:
		line := c.line(sec, i, "token_hash")
		if first, dup := c.digests[d]; dup {
			c.add(sec, i, "token_hash", "the same secret as another token (first at line %d)", first)
		} else {
			c.digests[d] = line
		}
	}
	return d, len(c.errs) == n
}

// name checks a user or token name: present, well formed, unique across
// users and tokens (so that the audit log names one account).
func (c *checker) name(sec string, i int, name string) {
	switch {
	case name == "":
		c.add(sec, i, "name", "required")
	case !validName(name):
		c.add(sec, i, "name", "want 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit: %q", name)
	default:
		if first, dup := c.seen[name]; dup {
			c.add(sec, i, "name", "duplicate name %q (first at line %d)", name, first)
			return
		}
		c.seen[name] = c.line(sec, i, "name")
	}
}

// validName reports whether s can be a login or token name.
func validName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case i > 0 && strings.ContainsRune("._-@", r):
		default:
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

var (
	regionCode = regexp.MustCompile(`^[0-9]{6}$`)
	schoolID   = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
)

// scope checks a role and its jurisdiction.
func (c *checker) scope(sec string, i int, role string, regions, schools []string) {
	switch {
	case role == "":
		c.add(sec, i, "role", "required (want one of %s)", strings.Join(api.Roles, ", "))
	case AudiencesOf(role) == nil:
		c.add(sec, i, "role", "unknown role %q (want one of %s)", role, strings.Join(api.Roles, ", "))
	case role == api.RoleSchool && len(schools) != 1:
		c.add(sec, i, "schools", "the school role needs exactly one school, got %d", len(schools))
	}
	for j, code := range regions {
		key := fmt.Sprintf("regions[%d]", j)
		switch {
		case !regionCode.MatchString(code):
			c.add(sec, i, "regions", "%s: want a 6-digit region code: %q", key, code)
		case slices.Index(regions, code) < j:
			c.add(sec, i, "regions", "%s: region %s listed twice", key, code)
		case c.reg != nil:
			if _, ok := c.reg.Region(code); !ok {
				c.add(sec, i, "regions", "%s: unknown region %s", key, code)
			}
		}
	}
	for j, id := range schools {
		key := fmt.Sprintf("schools[%d]", j)
		switch {
		case !schoolID.MatchString(id):
			c.add(sec, i, "schools", "%s: want a school id ([a-z0-9-]{1,64}): %q", key, id)
		case slices.Index(schools, id) < j:
			c.add(sec, i, "schools", "%s: school %s listed twice", key, id)
		case c.reg != nil:
			s, ok := c.reg.School(id)
			switch {
			case !ok:
				c.add(sec, i, "schools", "%s: unknown school %s", key, id)
			case len(regions) > 0 && slices.Index(regions, s.Region) < 0:
				c.add(sec, i, "schools", "%s: school %s is in region %s, outside the regions given, so it could never be seen", key, id, s.Region)
			}
		}
	}
}

const tokenHashPrefix = "sha256:"

// parseTokenHash decodes "sha256:<64 hex digits>".
func parseTokenHash(s string) (d [sha256.Size]byte, err error) {
	h, ok := strings.CutPrefix(s, tokenHashPrefix)
	if !ok || len(h) != 2*sha256.Size || strings.ToLower(h) != h {
		return d, errors.New(`want "sha256:" and 64 lower-case hex digits (make one with: campusguard user token)`)
	}
	if _, err := hex.Decode(d[:], []byte(h)); err != nil {
		return d, errors.New(`want "sha256:" and 64 lower-case hex digits (make one with: campusguard user token)`)
	}
	return d, nil
}
