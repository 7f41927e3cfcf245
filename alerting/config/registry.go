package config

import (
	"errors"
	"sort"

	"github.com/campusguard/campusguard/devices"
)

// CheckRegistry checks the file against the registry the deployment runs
// with: every region and school the file names must exist there (a typo
// must fail start-up, not silently leave a school on the defaults). It also
// resolves every school the file names in its registry region, so that
// Resolve is a lookup from then on, and checks the relations between its
// fields there. Errors are *devices.FieldError values naming file:line,
// joined.
func (f *File) CheckRegistry(reg *devices.Registry) error {
	if reg == nil {
		return errors.New("config: check rules file: no registry")
	}
	c := &collector{file: f.name}
	var regionCodes, schoolIDs []string // for suggestions, built on first need
	for _, l := range sortedLayers(f.regions) {
		if _, ok := reg.Region(l.id); ok {
			continue
		}
		if regionCodes == nil {
			for _, r := range reg.Regions {
				regionCodes = append(regionCodes, r.Code)
			}
		}
		c.add(l.line, "regions", "unknown region %q: not in the registry%s", l.id, suggest(l.id, regionCodes))
	}
	for _, l := range sortedLayers(f.schools) {
		s, ok := reg.School(l.id)
		if !ok {
			if schoolIDs == nil {
				for _, s := range reg.Schools {
					schoolIDs = append(schoolIDs, s.ID)
				}
			}
			c.add(l.line, "schools", "unknown school %q: not in the registry%s", l.id, suggest(l.id, schoolIDs))
			continue
		}
		checkRelations(c, l, f.Resolve(s.Region, s.ID))
	}
	return c.err()
}

// sortedLayers returns the layers in document order.
func sortedLayers(m map[string]*layer) []*layer {
	out := make([]*layer, 0, len(m))
	for _, l := range m {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].line < out[j].line })
	return out
}
