package config

import (
	"fmt"
	"os"
	"sync"
)

// File is a parsed rules file: overrides of Defaults for every school, per
// region and per school. Build one with Load, Parse or Empty; it is safe
// for concurrent use.
//
//	defaults: {heartbeat_misses: 3, rules: {patrol_shortfall: {enabled: false}}}
//	regions:  {"130802": {post_alert_before: 15m}}
//	schools:  {cd-0001: {post_min_staff: 3}}
type File struct {
	name     string
	defaults *layer
	regions  map[string]*layer // by region code
	schools  map[string]*layer // by school id

	base     *Params            // Defaults with the file's defaults
	byRegion map[string]*Params // base with each region's overrides

	mu       sync.Mutex
	bySchool map[schoolKey]*Params // byRegion (or base) with the school's overrides
}

type schoolKey struct{ region, school string }

func newFile(name string) *File {
	return &File{
		name:     name,
		defaults: &layer{path: "defaults"},
		regions:  map[string]*layer{},
		schools:  map[string]*layer{},
		byRegion: map[string]*Params{},
		bySchool: map[schoolKey]*Params{},
	}
}

// Empty returns the File of a deployment without a rules file: every
// school gets Defaults.
func Empty() *File {
	f := newFile("")
	f.build(&collector{})
	return f
}

// Load reads and parses the rules file at path (see Parse).
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read rules file: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a rules file; name is used in errors. It is strict: unknown
// or duplicate keys, unknown rule ids, bad severities, values of the wrong
// type, non-positive durations or counts, and values that contradict each
// other are errors. Every problem is reported (up to devices.MaxErrors) as
// a *devices.FieldError "file:line: path: message", joined with
// errors.Join. A file with no document (only comments) is valid and
// overrides nothing.
func Parse(name string, data []byte) (*File, error) {
	root, err := parseDocument(name, data)
	if err != nil {
		return nil, err
	}
	f := newFile(name)
	c := &collector{file: name}
	if root != nil {
		p := newParser(c, len(data))
		p.file(root, f)
		if n := p.overflow; n != nil {
			// What was found so far is a fraction, in no useful order.
			return nil, (&collector{file: name}).errAt(n.Line, "",
				fmt.Sprintf("too many entries: aliases expand the file beyond %d mapping entries", p.maxVisits))
		}
		// A value that failed to parse is missing from its block, and the
		// default standing in for it could make a relation fail that the
		// operator never wrote: check relations only on a clean parse.
		if err := c.err(); err != nil {
			return nil, err
		}
	}
	f.build(c)
	if err := c.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// build computes the parameters of the defaults and of every region, and
// reports relations between fields that fail in a block that sets one of
// them. Schools are resolved (and checked) once their region is known: in
// CheckRegistry or on their first Resolve.
func (f *File) build(c *collector) {
	d := Defaults()
	f.base = d.Clone()
	f.defaults.applyTo(f.base)
	checkRelations(c, f.defaults, f.base)
	for code, l := range f.regions {
		p := f.base.Clone()
		l.applyTo(p)
		checkRelations(c, l, p)
		f.byRegion[code] = p
	}
}

// checkRelations reports each relation between fields that fails in p, at
// the first value of block l that takes part in it; a relation l does not
// touch is some other block's to report.
func checkRelations(c *collector, l *layer, p *Params) {
	for _, pr := range p.problems() {
		if s := l.first(pr.keys...); s != nil {
			c.add(s.line, s.path, "%s", pr.msg)
		}
	}
}

// Resolve returns the parameters of school in region: the school's
// overrides over its region's, over the file's defaults, over Defaults.
// Each school's Params are computed once and then shared: callers must not
// modify them (Clone first). A school or region the file does not name
// gets the parameters of the level above, without allocating.
func (f *File) Resolve(region, school string) *Params {
	p, ok := f.byRegion[region]
	if !ok {
		p = f.base
	}
	l, ok := f.schools[school]
	if !ok {
		return p
	}
	k := schoolKey{region, school}
	f.mu.Lock()
	defer f.mu.Unlock()
	if sp, ok := f.bySchool[k]; ok {
		return sp
	}
	sp := p.Clone()
	l.applyTo(sp)
	f.bySchool[k] = sp
	return sp
}
