package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Errors of File's edits.
var (
	ErrNotFound = errors.New("auth: no such user or token")
	ErrExists   = errors.New("auth: name already taken")
)

// File is a users file held as a YAML node tree, for the CLI: editing one
// entry keeps the others, their order and their comments as they were.
// It does not validate; Parse the result of Bytes before writing it.
type File struct {
	doc *yaml.Node // a DocumentNode holding one mapping
}

// newFileHeader heads a users file that the CLI creates.
const newFileHeader = `campusguard users and API tokens — see docs/access.md.
Edit with "campusguard user add|passwd|del|token"; keep this file mode 0600.`

// ReadFile reads the users file at path for editing; a missing file is
// an empty one.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ParseFile(path, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: read users: %w", err)
	}
	return ParseFile(path, data)
}

// ParseFile parses a users document for editing; name is used in errors.
func ParseFile(name string, data []byte) (*File, error) {
	root, err := parseRoot(name, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: newFileHeader}
	}
	return &File{doc: &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}}, nil
}

func (f *File) root() *yaml.Node { return f.doc.Content[0] }

// section returns the sequence of "users" or "tokens", creating it if
// create.
func (f *File) section(key string, create bool) *yaml.Node {
	if seq := mapValue(f.root(), key); seq != nil {
		if seq.Kind != yaml.SequenceNode && create { // "users:" with nothing after it
			*seq = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: seq.Line}
		}
		return seq
	}
	if !create {
		return nil
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	f.root().Content = append(f.root().Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, seq)
	return seq
}

// find returns the section and index of the entry called name.
func (f *File) find(name string) (sec string, seq *yaml.Node, i int, ok bool) {
	for _, sec := range []string{"users", "tokens"} {
		seq := f.section(sec, false)
		if seq == nil || seq.Kind != yaml.SequenceNode {
			continue
		}
		for i, item := range seq.Content {
			if n := mapValue(item, "name"); n != nil && n.Value == name {
				return sec, seq, i, true
			}
		}
	}
	return "", nil, 0, false
}

// IsUser reports whether a user is called name.
func (f *File) IsUser(name string) bool {
	sec, _, _, ok := f.find(name)
	return ok && sec == "users"
}

// AddUser appends u; ErrExists if a user or token has its name.
func (f *File) AddUser(u User) error {
	if _, _, _, ok := f.find(u.Name); ok {
		return fmt.Errorf("%w: %s", ErrExists, u.Name)
	}
	return f.appendEntry("users", u)
}

// SetPassword sets the password_hash of the user called name.
func (f *File) SetPassword(name, hash string) error {
	sec, seq, i, ok := f.find(name)
	if !ok || sec != "users" {
		return fmt.Errorf("%w: user %s", ErrNotFound, name)
	}
	item := seq.Content[i]
	if v := mapValue(item, "password_hash"); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: hash, LineComment: v.LineComment}
		return nil
	}
	item.Content = append(item.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "password_hash"},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: hash})
	return nil
}

// Token returns the token called name as the file holds it.
func (f *File) Token(name string) (Token, bool) {
	sec, seq, i, ok := f.find(name)
	if !ok || sec != "tokens" {
		return Token{}, false
	}
	var t Token
	if err := seq.Content[i].Decode(&t); err != nil {
		return Token{}, false
	}
	return t, true
}

// SameScope reports whether t and u have the same role and jurisdiction
// (the same regions and schools, in any order).
func (t Token) SameScope(u Token) bool {
	return t.Role == u.Role && sameSet(t.Regions, u.Regions) && sameSet(t.Schools, u.Schools)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// PutToken appends t or, with replace, replaces the token of its name
// (rotation); ErrExists if its name is taken otherwise.
func (f *File) PutToken(t Token, replace bool) error {
	sec, seq, i, ok := f.find(t.Name)
	if !ok {
		return f.appendEntry("tokens", t)
	}
	if sec != "tokens" || !replace {
		return fmt.Errorf("%w: %s", ErrExists, t.Name)
	}
	n, err := entryNode(t)
	if err != nil {
		return err
	}
	n.HeadComment = seq.Content[i].HeadComment
	seq.Content[i] = n
	return nil
}

// Delete removes the user or token called name.
func (f *File) Delete(name string) error {
	_, seq, i, ok := f.find(name)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	seq.Content = append(seq.Content[:i], seq.Content[i+1:]...)
	return nil
}

func (f *File) appendEntry(sec string, v any) error {
	n, err := entryNode(v)
	if err != nil {
		return err
	}
	seq := f.section(sec, true)
	seq.Style = 0 // block style, even after "users: []"
	seq.Content = append(seq.Content, n)
	return nil
}

// entryNode encodes a User or Token, with its lists in flow style.
func entryNode(v any) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, fmt.Errorf("auth: encode entry: %w", err)
	}
	for _, c := range n.Content {
		if c.Kind == yaml.SequenceNode {
			c.Style = yaml.FlowStyle
		}
	}
	return &n, nil
}

// Bytes returns the document as YAML.
func (f *File) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f.doc); err != nil {
		return nil, fmt.Errorf("auth: encode users: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("auth: encode users: %w", err)
	}
	return buf.Bytes(), nil
}
