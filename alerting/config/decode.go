package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/campusguard/campusguard/alerting"
)

// The rules file is read by walking the YAML node tree against the schema
// of fields.go rather than decoding into structs: every value then has its
// line and field path, duplicate keys are caught (the node parser keeps
// them), and one pass reports every problem.

// layer is one override block of the file: the defaults, a region or a
// school.
type layer struct {
	path     string // "defaults", "regions.130802", "schools.cd-0001"
	id       string // region code or school id; "" for defaults
	line     int    // line of the block's key; 0 when the file has none
	settings []setting
}

// setting is one value the block sets, in document order.
type setting struct {
	key   string // the block's key it falls under ("post_min_staff", "rules")
	path  string
	line  int
	apply func(*Params)
}

func (l *layer) add(key, path string, line int, apply func(*Params)) {
	l.settings = append(l.settings, setting{key: key, path: path, line: line, apply: apply})
}

// applyTo sets the block's values on p, whose maps must not be nil.
func (l *layer) applyTo(p *Params) {
	for i := range l.settings {
		l.settings[i].apply(p)
	}
}

// first returns the first setting under one of keys, or nil.
func (l *layer) first(keys ...string) *setting {
	for i := range l.settings {
		for _, k := range keys {
			if l.settings[i].key == k {
				return &l.settings[i]
			}
		}
	}
	return nil
}

var (
	regionCode = regexp.MustCompile(`^[0-9]{6}$`)
	schoolID   = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
)

// parser walks one document. maxVisits bounds the mapping entries it
// visits: a document without aliases has fewer entries than bytes, but
// aliases can make a small file expand into a large walk.
type parser struct {
	c         *collector
	visits    int
	maxVisits int
	overflow  *yaml.Node // the mapping where the walk ran out of visits
}

func newParser(c *collector, size int) *parser {
	return &parser{c: c, maxVisits: size + 1<<16}
}

// parseDocument parses the single YAML document of data; nil when the file
// holds no document or only null (comments, "---").
func parseDocument(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxError(name, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, (&collector{file: name}).errAt(extra.Line, "", "more than one YAML document")
	case !errors.Is(err, io.EOF):
		return nil, syntaxError(name, err)
	}
	n := deref(&root)
	if n == nil || isNull(n) {
		return nil, nil
	}
	return n, nil
}

// errAt returns a single located error.
func (c *collector) errAt(line int, path, msg string) error {
	c.add(line, path, "%s", msg)
	return c.err()
}

// file reads the top level: defaults, regions, schools.
func (p *parser) file(root *yaml.Node, f *File) {
	p.mapping(root, "", "a mapping with defaults, regions and schools", func(key string, k, v *yaml.Node) {
		switch key {
		case "defaults":
			f.defaults = p.block(v, "defaults", "", k.Line)
		case "regions":
			p.mapping(v, "regions", "a mapping of region codes to overrides", func(code string, k, v *yaml.Node) {
				if !regionCode.MatchString(code) {
					p.c.add(k.Line, "regions", "bad region code %q (want the 6-digit division code, like \"130802\")", clip(code))
					return
				}
				f.regions[code] = p.block(v, keyPath("regions", code), code, k.Line)
			})
		case "schools":
			p.mapping(v, "schools", "a mapping of school ids to overrides", func(id string, k, v *yaml.Node) {
				if !schoolID.MatchString(id) {
					p.c.add(k.Line, "schools", "bad school id %q (want the registry id: 1-64 of a-z, 0-9, -)", clip(id))
					return
				}
				f.schools[id] = p.block(v, keyPath("schools", id), id, k.Line)
			})
		default:
			p.c.add(k.Line, "", "unknown key %q (want defaults, regions or schools)", clip(key))
		}
	})
}

// block reads one override block.
func (p *parser) block(n *yaml.Node, path, id string, line int) *layer {
	l := &layer{path: path, id: id, line: line}
	p.mapping(n, path, "a mapping of parameters", func(key string, k, v *yaml.Node) {
		f, ok := fieldByKey[key]
		if !ok {
			p.c.add(k.Line, path, "unknown key %q%s", clip(key), suggest(key, allFieldKeys))
			return
		}
		kpath := keyPath(path, key)
		if f.defaultsOnly && id != "" {
			p.c.add(k.Line, path, "%s may be set only under defaults: it is one limit for the whole deployment", key)
			return
		}
		switch f.kind {
		case kindCount:
			if c, ok := p.count(v, kpath); ok {
				l.add(key, kpath, v.Line, func(q *Params) { *f.count(q) = c })
			}
		case kindDuration:
			if d, ok := p.duration(f, v, kpath); ok {
				l.add(key, kpath, v.Line, func(q *Params) { *f.duration(q) = d })
			}
		case kindFraction:
			if x, ok := p.fraction(v, kpath); ok {
				l.add(key, kpath, v.Line, func(q *Params) { *f.fraction(q) = x })
			}
		case kindBySeverity:
			p.mapping(v, kpath, "a mapping of severity (P0, P1, P2, P3) to duration", func(name string, k, v *yaml.Node) {
				s, err := alerting.ParseSeverity(name)
				if err != nil {
					p.c.add(k.Line, kpath, "unknown severity %q (want P0, P1, P2 or P3)", clip(name))
					return
				}
				spath := keyPath(kpath, name)
				if d, ok := p.duration(f, v, spath); ok {
					l.add(key, spath, v.Line, func(q *Params) { (*f.bySeverity(q))[s] = d })
				}
			})
		case kindRules:
			p.rules(l, v, kpath)
		}
	})
	return l
}

// rules reads a block's rules mapping.
func (p *parser) rules(l *layer, n *yaml.Node, path string) {
	p.mapping(n, path, "a mapping of rule ids to {enabled, severity}", func(name string, k, v *yaml.Node) {
		id := alerting.RuleID(name)
		if _, ok := alerting.Info(id); !ok {
			p.c.add(k.Line, path, "unknown rule %q%s", clip(name), suggest(name, allRuleIDs))
			return
		}
		rpath := keyPath(path, name)
		p.mapping(v, rpath, "a mapping with enabled and severity", func(key string, k, v *yaml.Node) {
			kpath := keyPath(rpath, key)
			switch key {
			case keyEnabled:
				if on, ok := p.boolean(v, kpath); ok {
					l.add(keyRules, kpath, v.Line, func(q *Params) {
						if on {
							delete(q.Disabled, id)
						} else {
							q.Disabled[id] = true
						}
					})
				}
			case keySeverity:
				if v.Kind != yaml.ScalarNode || isNull(v) {
					p.c.add(v.Line, kpath, "want a severity (P0, P1, P2 or P3), got %s", describe(v))
					return
				}
				s, err := alerting.ParseSeverity(v.Value)
				if err != nil {
					p.c.add(v.Line, kpath, "%v", err)
					return
				}
				l.add(keyRules, kpath, v.Line, func(q *Params) { q.Severity[id] = s })
			default:
				p.c.add(k.Line, rpath, "unknown key %q (want enabled or severity)", clip(key))
			}
		})
	})
}

// mapping calls fn for each entry of the mapping n, with the entry's key
// and its value (aliases resolved). A null n is an empty mapping. Entries
// whose key is not a plain string, is a merge key or repeats an earlier one
// are reported and skipped.
func (p *parser) mapping(n *yaml.Node, path, want string, fn func(key string, k, v *yaml.Node)) {
	n = deref(n)
	if n == nil || isNull(n) || p.overflow != nil || p.c.full() {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.c.add(n.Line, path, "want %s, got %s", want, describe(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if p.visits++; p.visits > p.maxVisits {
			p.overflow = n
			return
		}
		if p.c.full() {
			return
		}
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		switch {
		case k == nil || v == nil:
			continue
		case k.Kind != yaml.ScalarNode:
			p.c.add(k.Line, path, "want a plain key, got %s", describe(k))
			continue
		case k.ShortTag() == "!!merge":
			p.c.add(k.Line, path, "merge keys (<<) are not supported: write the keys, or make the whole block an alias (*name)")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.c.add(k.Line, path, "duplicate key %q (first at line %d)", clip(k.Value), first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
}

// count reads a positive integer.
func (p *parser) count(n *yaml.Node, path string) (int, bool) {
	var c int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&c) != nil {
		p.c.add(n.Line, path, "want a whole number, got %s", describe(n))
		return 0, false
	}
	if msg := checkCount(c); msg != "" {
		p.c.add(n.Line, path, "%s", msg)
		return 0, false
	}
	return c, true
}

// fraction reads a number from 0 to 1.
func (p *parser) fraction(n *yaml.Node, path string) (float64, bool) {
	var x float64
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!float" && n.ShortTag() != "!!int") || n.Decode(&x) != nil {
		p.c.add(n.Line, path, "want a number from 0 to 1, like 0.6, got %s", describe(n))
		return 0, false
	}
	if msg := checkFraction(x); msg != "" {
		p.c.add(n.Line, path, "%s", msg)
		return 0, false
	}
	return x, true
}

// duration reads a positive duration of field f.
func (p *parser) duration(f *field, n *yaml.Node, path string) (time.Duration, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.c.add(n.Line, path, "want a duration like 90s, 10m or 30d, got %s", describe(n))
		return 0, false
	}
	d, err := ParseDuration(n.Value)
	if err != nil {
		p.c.add(n.Line, path, "%v", err)
		return 0, false
	}
	if msg := checkDuration(f, d, n.Value); msg != "" {
		p.c.add(n.Line, path, "%s", msg)
		return 0, false
	}
	return d, true
}

// boolean reads true or false.
func (p *parser) boolean(n *yaml.Node, path string) (bool, bool) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		p.c.add(n.Line, path, "want true or false, got %s", describe(n))
		return false, false
	}
	return b, true
}

// deref steps through document nodes and aliases; nil for an empty
// document.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 8; i++ {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			n = n.Alias
		default:
			return n
		}
	}
	if n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// allRuleIDs lists the catalogue's rule ids, for suggestions.
var allRuleIDs = func() []string {
	ids := make([]string, len(alerting.Catalogue))
	for i, r := range alerting.Catalogue {
		ids[i] = string(r.ID)
	}
	return ids
}()
