package config

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/campusguard/campusguard/devices"
)

// Errors are *devices.FieldError values, "file:line: path: message", the
// same as the registry loader's, so an operator reads both files' errors
// alike and code gets at them with errors.As.

// maxKept bounds the errors a parse collects: reporting stops at
// devices.MaxErrors anyway, and a pathological file must not make a long
// list (or a long walk: the parser stops once the collector is full).
const maxKept = 10 * devices.MaxErrors

// collector gathers the problems of one source.
type collector struct {
	file string
	errs []*devices.FieldError
}

func (c *collector) add(line int, path, format string, args ...any) {
	if c.full() {
		return
	}
	c.errs = append(c.errs, &devices.FieldError{File: c.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// full reports whether the collector takes no more errors.
func (c *collector) full() bool { return len(c.errs) >= maxKept }

// err sorts the problems by line and joins at most devices.MaxErrors of
// them, the rest counted in a final "... and N more"; nil when there are
// none.
func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].Line < c.errs[j].Line })
	n := min(len(c.errs), devices.MaxErrors)
	list := make([]error, 0, n+1)
	for _, e := range c.errs[:n] {
		list = append(list, e)
	}
	switch more := len(c.errs) - n; {
	case c.full():
		list = append(list, fmt.Errorf("... and at least %d more", more))
	case more > 0:
		list = append(list, fmt.Errorf("... and %d more", more))
	}
	return errors.Join(list...)
}

var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a YAML parser error into a FieldError with its line.
func syntaxError(name string, err error) *devices.FieldError {
	msg := err.Error()
	if m := syntaxLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &devices.FieldError{File: name, Line: line, Msg: "syntax: " + m[2]}
	}
	return &devices.FieldError{File: name, Msg: "syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// plainKey matches keys that a field path shows unquoted.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// keyPath joins a mapping key to a field path ("schools.cd-0001.rules"); a
// key that would make the path ambiguous is quoted.
func keyPath(parent, key string) string {
	if !plainKey.MatchString(key) {
		key = strconv.Quote(clip(key))
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// describe names what a node holds, for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch tag := n.ShortTag(); tag {
		case "!!null":
			return "null"
		case "!!str":
			return strconv.Quote(clip(n.Value))
		default:
			return strings.TrimPrefix(tag, "!!") + " " + clip(n.Value)
		}
	}
	return "an alias"
}

// clip shortens s for a message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// suggest returns ` (did you mean "x"?)` for the candidate closest to s,
// or "" when none is close.
func suggest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := distance(s, c)
		if d <= max(2, len(c)/4) && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	if bestD < 0 {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance of two short strings, in bytes.
func distance(a, b string) int {
	if len(a) > 128 || len(b) > 128 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
