package devices

import (
	"fmt"
	"io"
)

// GuardsCSVColumns are the columns of ImportGuardsCSV, in their usual
// order (any order is accepted): the school id, the guard's pseudonymous
// id, the security company (保安服务公司), the licence number reference
// (保安员证编号) and the licence's last valid day (YYYY-MM-DD).
var GuardsCSVColumns = []string{"school", "id", "company", "license", "license_expires"}

// ImportGuardsCSV adds the licensed guard rosters of a guards CSV (UTF-8,
// header row required, lines starting with # ignored) to r, a registry
// built by ImportCSV or loaded from YAML: each row appends one Guard to
// its school's roster. school and id are required; company, license and
// license_expires may be empty (no expiry known). A school listed in the
// CSV replaces nothing: its rows are added after the guards it already
// has. Nothing is changed when any row is wrong: errors name the file,
// line and column ("guards.csv:7:5: license_expires: bad date ...").
//
// A school without any guard has no roster: its licences are unknown, so
// guard_unlicensed and guard_understaffed are not judged there and the
// guard_staffing measure shows "not judged" (docs/rules.md).
func ImportGuardsCSV(r *Registry, guards io.Reader) error {
	t, err := readCSV(guards, "guards.csv", GuardsCSVColumns)
	if err != nil {
		return err
	}
	schoolIndex := make(map[string]int, len(r.Schools))
	seen := make(map[[2]string]int) // (school, guard) → line of its first row
	for i := range r.Schools {
		schoolIndex[r.Schools[i].ID] = i
		for _, g := range r.Schools[i].Guards {
			seen[[2]string{r.Schools[i].ID, g.ID}] = 0
		}
	}
	var errs []*FieldError
	added := make([][]Guard, len(r.Schools))
	for _, row := range t.rows {
		sid, gid := t.cell(row, "school"), t.cell(row, "id")
		i, ok := schoolIndex[sid]
		switch {
		case sid == "":
			errs = append(errs, t.errorAt(row, "school", "missing school id"))
		case !ok:
			errs = append(errs, t.errorAt(row, "school", fmt.Sprintf("unknown school %q (not in the registry)", sid)))
		}
		switch first, dup := seen[[2]string{sid, gid}]; {
		case gid == "":
			errs = append(errs, t.errorAt(row, "id", "missing guard id"))
		case !idPattern.MatchString(gid):
			errs = append(errs, t.errorAt(row, "id", fmt.Sprintf("bad guard id %q (want 1-64 of a-z, 0-9 and -: a pseudonymous id, never a name or ID-card number)", gid)))
		case dup && first > 0:
			errs = append(errs, t.errorAt(row, "id", fmt.Sprintf("duplicate guard %q at school %q (first on line %d)", gid, sid, first)))
		case dup:
			errs = append(errs, t.errorAt(row, "id", fmt.Sprintf("guard %q is already on the roster of school %q", gid, sid)))
		default:
			seen[[2]string{sid, gid}] = row.line
		}
		g := Guard{ID: gid, Company: t.cell(row, "company"), License: t.cell(row, "license")}
		if s := t.cell(row, "license_expires"); s != "" {
			d, err := ParseDate(s)
			if err != nil {
				errs = append(errs, t.errorAt(row, "license_expires", err.Error()))
			}
			g.LicenseExpires = d
		}
		if ok {
			added[i] = append(added[i], g)
		}
	}
	if err := joinErrors(errs); err != nil {
		return err
	}
	for i := range r.Schools {
		r.Schools[i].Guards = append(r.Schools[i].Guards, added[i]...)
	}
	r.Index()
	return nil
}
