package devices

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Field paths name a place in a registry document the way errors show it:
// mapping keys joined by dots, list indexes in brackets, from the top-level
// mapping: "schools[4].devices[2].id". This file resolves paths to YAML
// nodes (to give semantic errors a line) and nodes to paths (to give decoder
// errors a field path).

func keyPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// segment is one step of a field path: a mapping key, or a list index when
// index >= 0.
type segment struct {
	key   string
	index int
}

// splitPath splits "a.b[2].c" into a, b, [2], c. It does not fail: a
// malformed index becomes a key that resolves to nothing.
func splitPath(p string) []segment {
	var segs []segment
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			continue
		}
		key, rest, _ := strings.Cut(part, "[")
		if key != "" {
			segs = append(segs, segment{key: key, index: -1})
		}
		for rest != "" {
			num, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			if !ok || err != nil || i < 0 {
				segs = append(segs, segment{key: "[" + rest, index: -1})
				break
			}
			segs = append(segs, segment{index: i})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return segs
}

// deref steps through a document node and aliases.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 8; i++ {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return n
			}
			n = n.Content[0]
		case yaml.AliasNode:
			if n.Alias == nil {
				return n
			}
			n = n.Alias
		default:
			return n
		}
	}
	return n
}

// resolveNode returns the node at path under root, or the deepest ancestor
// that exists when the path leads nowhere (a missing key reports at its
// mapping). A key resolves to its value node.
func resolveNode(root *yaml.Node, path string) *yaml.Node {
	n := deref(root)
	if n == nil {
		return nil
	}
	for _, seg := range splitPath(path) {
		var next *yaml.Node
		switch {
		case seg.index >= 0 && n.Kind == yaml.SequenceNode:
			if seg.index < len(n.Content) {
				next = n.Content[seg.index]
			}
		case seg.index < 0 && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg.key {
					next = n.Content[i+1]
					break
				}
			}
		}
		if next == nil {
			return n
		}
		n = deref(next)
	}
	return n
}

// pathedNode is a node with its field path. For a mapping key, path is the
// path of the entry (parent + key) and key is true.
type pathedNode struct {
	node *yaml.Node
	path string
	key  bool
}

// walkNodes calls fn for n and every node below it, in document order. It
// does not follow aliases (they may form cycles); the alias node itself is
// visited.
func walkNodes(n *yaml.Node, path string, fn func(pathedNode)) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkNodes(c, path, fn)
		}
		return
	case yaml.MappingNode:
		fn(pathedNode{node: n, path: path})
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := keyPath(path, n.Content[i].Value)
			fn(pathedNode{node: n.Content[i], path: p, key: true})
			walkNodes(n.Content[i+1], p, fn)
		}
		return
	case yaml.SequenceNode:
		fn(pathedNode{node: n, path: path})
		for i, c := range n.Content {
			walkNodes(c, indexPath(path, i), fn)
		}
		return
	}
	fn(pathedNode{node: n, path: path})
}

// lineIndex finds nodes by line, for decoder errors that only give a line.
type lineIndex map[int][]pathedNode

func newLineIndex(root *yaml.Node) lineIndex {
	ix := lineIndex{}
	walkNodes(root, "", func(p pathedNode) { ix[p.node.Line] = append(ix[p.node.Line], p) })
	return ix
}

// key returns the path of the mapping entry whose key on line is name.
func (ix lineIndex) key(line int, name string) (string, bool) {
	for _, p := range ix[line] {
		if p.key && p.node.Value == name {
			return p.path, true
		}
	}
	return "", false
}

// value returns the path of the first value node on line of the given kind
// (0: any) whose value starts with prefix, at column col when col > 0.
func (ix lineIndex) value(line, col int, kind yaml.Kind, prefix string) (string, bool) {
	for _, p := range ix[line] {
		n := p.node
		if p.key || (kind != 0 && n.Kind != kind) || (col > 0 && n.Column != col) {
			continue
		}
		if strings.HasPrefix(n.Value, prefix) {
			return p.path, true
		}
	}
	return "", false
}

// nodeLocator locates paths in a parsed YAML document.
type nodeLocator struct {
	file string
	root *yaml.Node
}

func (l nodeLocator) locate(path string) position {
	pos := position{file: l.file, display: path}
	if n := resolveNode(l.root, path); n != nil {
		pos.line = n.Line
	}
	return pos
}
