package devices

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// MaxErrors caps how many problems Load, Parse, Validate and ImportCSV
// report; the rest are counted in a final "... and N more" error.
const MaxErrors = 50

// FieldError is one problem in a registry source, located as precisely as
// the source allows. Load, Parse, Validate and ImportCSV return these joined
// with errors.Join; use errors.As to get at one.
type FieldError struct {
	File   string // source name ("registry.yaml", "devices.csv"); "" when built in memory
	Line   int    // 1-based line; 0 when unknown
	Column int    // CSV only: 1-based field number; 0 otherwise
	Path   string // field path ("schools[4].devices[2].id") or CSV column name; "" for the whole document
	Msg    string
}

// Error formats the problem as "file:line[:column]: path: message".
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
			if e.Column > 0 {
				b.WriteString(":" + strconv.Itoa(e.Column))
			}
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// issue is one semantic problem found by check, before it is located in a
// source. ref is an optional second path the message refers to (the first
// of two duplicates, the window another one overlaps).
type issue struct {
	path, msg     string
	ref, refLabel string // refLabel: "first at", "see"
}

// position is where a field path points in a source.
type position struct {
	file      string
	line, col int
	display   string // what to call the field: its path, or a CSV column name
}

// locator maps field paths to source positions.
type locator interface {
	locate(path string) position
}

// pathOnly locates nothing: errors name just the field path.
type pathOnly struct{ file string }

func (p pathOnly) locate(path string) position { return position{file: p.file, display: path} }

// located turns issues into FieldErrors. A reference to another field is
// appended as "(first at line 80)", or "(first at file:line)" / "(first at
// path)" when it is in another file or its line is unknown.
func located(issues []issue, loc locator) []*FieldError {
	out := make([]*FieldError, 0, len(issues))
	for _, is := range issues {
		p := loc.locate(is.path)
		msg := is.msg
		if is.ref != "" {
			r := loc.locate(is.ref)
			switch {
			case r.line > 0 && r.file == p.file:
				msg += fmt.Sprintf(" (%s line %d)", is.refLabel, r.line)
			case r.line > 0:
				msg += fmt.Sprintf(" (%s %s:%d)", is.refLabel, r.file, r.line)
			default:
				msg += fmt.Sprintf(" (%s %s)", is.refLabel, is.ref)
			}
		}
		out = append(out, &FieldError{File: p.file, Line: p.line, Column: p.col, Path: p.display, Msg: msg})
	}
	return out
}

// joinErrors sorts errors by line within each file (files in order of first
// appearance, equal lines in their found order) and joins at most MaxErrors
// of them; nil when there are none.
func joinErrors(errs []*FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	rank := map[string]int{}
	for _, e := range errs {
		if _, ok := rank[e.File]; !ok {
			rank[e.File] = len(rank)
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return rank[a.File] < rank[b.File]
		}
		return a.Line < b.Line
	})
	n := min(len(errs), MaxErrors)
	list := make([]error, 0, n+1)
	for _, e := range errs[:n] {
		list = append(list, e)
	}
	if more := len(errs) - n; more > 0 {
		list = append(list, fmt.Errorf("... and %d more", more))
	}
	return errors.Join(list...)
}
