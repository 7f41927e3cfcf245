package devices

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CSV columns of ImportCSV, in their usual order (any order is accepted).
var (
	SchoolsCSVColumns = []string{"id", "name", "region", "type", "pupils", "boarders", "calendar", "address", "contact_name", "contact_phone"}
	DevicesCSVColumns = []string{"id", "school", "kind", "location", "heartbeat_s", "post", "kitchen", "gate"}
)

// ImportOptions say which calendars a CSV import may give its schools.
type ImportOptions struct {
	// Calendar is the calendar id of every school whose calendar cell is
	// empty, or of every school when the schools CSV has no calendar
	// column. Empty: every school must name its calendar.
	Calendar string
	// Calendars are the calendars the ids may name (ParseCalendarFile);
	// the shipped ones (ShippedCalendarIDs) are always available, and one
	// here with a shipped id replaces it.
	Calendars []Calendar
}

// ImportCSV builds a registry from a schools CSV and a devices CSV (UTF-8,
// header row required, columns SchoolsCSVColumns and DevicesCSVColumns in
// any order, lines starting with # ignored; the schools' address,
// contact_name and contact_phone columns are optional). Every school needs a calendar
// id, from its calendar cell or from opts.Calendar; a missing or unknown id
// is an error (there is no silent default). It adds what the CSV does not
// carry: the regions of 承德 (ChengdeRegions), the calendars the schools
// name, DefaultWindows for each school's type (boarding when boarders > 0),
// DefaultPosts, and the kitchen DefaultKitchen in every school with a
// kitchen camera. Guard rosters stay empty.
//
// The result is validated like a YAML registry; errors name the CSV file,
// line and column ("devices.csv:12:3: kind: ..."), and the registry is
// indexed. Readers that have a Name method (*os.File) give the file name.
func ImportCSV(schools, devices io.Reader, opts ImportOptions) (*Registry, error) {
	known := map[string]Calendar{}
	for _, id := range ShippedCalendarIDs() {
		known[id], _ = ShippedCalendar(id)
	}
	for _, c := range opts.Calendars {
		known[c.ID] = c
	}
	knownIDs := make([]string, 0, len(known))
	for id := range known {
		knownIDs = append(knownIDs, id)
	}
	sort.Strings(knownIDs)
	knownList := strings.Join(knownIDs, ", ")
	if _, ok := known[opts.Calendar]; opts.Calendar != "" && !ok {
		return nil, fmt.Errorf("devices: import: unknown calendar %q (known: %s)", opts.Calendar, knownList)
	}
	r := &Registry{Regions: ChengdeRegions()}
	loc := &csvLocator{}
	var errs []*FieldError

	st, err := readCSV(schools, "schools.csv", SchoolsCSVColumns, "calendar", "address", "contact_name", "contact_phone")
	if err != nil {
		return nil, err
	}
	if _, ok := st.column["calendar"]; !ok && opts.Calendar == "" {
		return nil, &FieldError{File: st.name, Line: st.headerLine, Msg: fmt.Sprintf(
			"no calendar column and no default calendar (registry import --calendar): every school needs a calendar id (known: %s)", knownList)}
	}
	loc.schools = st
	used := map[string]bool{}
	for _, row := range st.rows {
		s, rowErrs := schoolFromCSV(st, row)
		errs = append(errs, rowErrs...)
		switch _, ok := known[s.Calendar]; {
		case s.Calendar == "" && opts.Calendar == "":
			errs = append(errs, st.errorAt(row, "calendar", fmt.Sprintf(
				"missing calendar: fill the cell or give a default with --calendar (known: %s)", knownList)))
		case s.Calendar == "":
			s.Calendar = opts.Calendar
		case !ok:
			errs = append(errs, st.errorAt(row, "calendar", fmt.Sprintf("unknown calendar %q (known: %s)", s.Calendar, knownList)))
			s.Calendar = "" // reported here, not again by the check
		}
		if _, ok := known[s.Calendar]; ok && !used[s.Calendar] {
			used[s.Calendar] = true
			r.Calendars = append(r.Calendars, known[s.Calendar])
		}
		r.Schools = append(r.Schools, s)
		loc.schoolRows = append(loc.schoolRows, row)
		loc.deviceRows = append(loc.deviceRows, nil)
	}
	schoolIndex := map[string]int{}
	for i := range r.Schools {
		if _, dup := schoolIndex[r.Schools[i].ID]; !dup {
			schoolIndex[r.Schools[i].ID] = i
		}
	}

	dt, err := readCSV(devices, "devices.csv", DevicesCSVColumns)
	if err != nil {
		return nil, err
	}
	loc.devices = dt
	for _, row := range dt.rows {
		d, rowErrs := deviceFromCSV(dt, row)
		errs = append(errs, rowErrs...)
		sid := dt.cell(row, "school")
		i, ok := schoolIndex[sid]
		if !ok {
			errs = append(errs, dt.errorAt(row, "school", fmt.Sprintf("unknown school %q (not in %s)", sid, st.name)))
			continue
		}
		r.Schools[i].Devices = append(r.Schools[i].Devices, d)
		loc.deviceRows[i] = append(loc.deviceRows[i], row)
	}

	for i := range r.Schools {
		s := &r.Schools[i]
		s.Windows = DefaultWindows(s.Type, s.Boarders > 0)
		s.Posts = DefaultPosts()
		for _, d := range s.Devices {
			if d.Kind == KindKitchenCam {
				s.Kitchens = []Kitchen{{ID: DefaultKitchen}}
				break
			}
		}
	}
	errs = append(errs, located(r.check(), loc)...)
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	r.Index()
	return r, nil
}

// csvTable is a read CSV file: its header and rows with their lines.
type csvTable struct {
	name       string
	headerLine int
	column     map[string]int // column name → field index
	rows       []csvRow
}

type csvRow struct {
	line   int
	fields []string
}

// readCSV reads a whole CSV file and checks its header against want; the
// optional columns of want may be left out.
func readCSV(r io.Reader, fallback string, want []string, optional ...string) (*csvTable, error) {
	t := &csvTable{name: fallback, column: map[string]int{}}
	if n, ok := r.(interface{ Name() string }); ok && n.Name() != "" {
		t.name = filepath.Base(n.Name())
	}
	cr := csv.NewReader(r)
	cr.Comment = '#'
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &FieldError{File: t.name, Msg: "empty file: want a header line " + strings.Join(want, ",")}
	}
	if err != nil {
		return nil, csvError(t.name, err)
	}
	headerLine, _ := cr.FieldPos(0)
	t.headerLine = headerLine
	var errs []*FieldError
	allowed := map[string]bool{}
	for _, c := range want {
		allowed[c] = true
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) // a BOM from spreadsheet exports
		switch _, dup := t.column[h]; {
		case !allowed[h]:
			errs = append(errs, &FieldError{File: t.name, Line: headerLine, Column: i + 1, Path: h, Msg: fmt.Sprintf("unknown column %q (want %s)", h, strings.Join(want, ","))})
		case dup:
			errs = append(errs, &FieldError{File: t.name, Line: headerLine, Column: i + 1, Path: h, Msg: fmt.Sprintf("duplicate column %q", h)})
		default:
			t.column[h] = i
		}
	}
	for _, c := range want {
		if _, ok := t.column[c]; !ok && !slices.Contains(optional, c) {
			errs = append(errs, &FieldError{File: t.name, Line: headerLine, Msg: fmt.Sprintf("missing column %q (want %s)", c, strings.Join(want, ","))})
		}
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, csvError(t.name, err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		t.rows = append(t.rows, csvRow{line: line, fields: rec})
	}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FieldError{File: name, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return fmt.Errorf("devices: read %s: %w", name, err)
}

// cell returns the row's cell of col, "" when the table has no such column.
func (t *csvTable) cell(row csvRow, col string) string {
	i, ok := t.column[col]
	if !ok {
		return ""
	}
	return row.fields[i]
}

func (t *csvTable) errorAt(row csvRow, col, msg string) *FieldError {
	return &FieldError{File: t.name, Line: row.line, Column: t.column[col] + 1, Path: col, Msg: msg}
}

// intCell parses a non-negative integer cell; empty is 0.
func (t *csvTable) intCell(row csvRow, col string, errs *[]*FieldError) int {
	s := t.cell(row, col)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		*errs = append(*errs, t.errorAt(row, col, fmt.Sprintf("bad number %q (want a whole number >= 0)", s)))
		return 0
	}
	return n
}

func schoolFromCSV(t *csvTable, row csvRow) (School, []*FieldError) {
	var errs []*FieldError
	s := School{
		ID:       t.cell(row, "id"),
		Name:     t.cell(row, "name"),
		Region:   t.cell(row, "region"),
		Type:     SchoolType(t.cell(row, "type")),
		Pupils:   t.intCell(row, "pupils", &errs),
		Boarders: t.intCell(row, "boarders", &errs),
		Calendar: t.cell(row, "calendar"),
		Address:  t.cell(row, "address"),
		Contact:  Contact{Name: t.cell(row, "contact_name"), Phone: t.cell(row, "contact_phone")},
	}
	return s, errs
}

func deviceFromCSV(t *csvTable, row csvRow) (Device, []*FieldError) {
	var errs []*FieldError
	d := Device{
		ID:       t.cell(row, "id"),
		Kind:     Kind(t.cell(row, "kind")),
		Location: t.cell(row, "location"),
		Post:     t.cell(row, "post"),
		Kitchen:  t.cell(row, "kitchen"),
		Gate:     t.cell(row, "gate"),
	}
	if s := t.cell(row, "heartbeat_s"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			errs = append(errs, t.errorAt(row, "heartbeat_s", fmt.Sprintf("bad heartbeat %q (want whole seconds > 0, or empty for the default 60)", s)))
		} else {
			d.Heartbeat = Duration(time.Duration(n) * time.Second)
		}
	}
	return d, errs
}

// csvLocator maps registry field paths back to CSV cells.
type csvLocator struct {
	schools, devices *csvTable
	schoolRows       []csvRow   // by school index
	deviceRows       [][]csvRow // by school index, device index
}

// csvColumnOf maps registry keys to CSV columns where they differ.
var csvColumnOf = map[string]string{"heartbeat": "heartbeat_s"}

func (l *csvLocator) locate(path string) position {
	segs := splitPath(path)
	if len(segs) < 2 || segs[0].key != "schools" || segs[1].index < 0 || segs[1].index >= len(l.schoolRows) {
		return position{display: path} // built in: regions, calendars
	}
	si := segs[1].index
	table, row, rest := l.schools, l.schoolRows[si], segs[2:]
	if len(rest) >= 2 && rest[0].key == "devices" && rest[1].index >= 0 && rest[1].index < len(l.deviceRows[si]) {
		table, row, rest = l.devices, l.deviceRows[si][rest[1].index], rest[2:]
	}
	pos := position{file: table.name, line: row.line, display: path}
	if len(rest) == 2 && rest[0].key == "contact" && rest[1].index < 0 { // contact.phone → contact_phone
		rest = []segment{{key: "contact_" + rest[1].key, index: -1}}
	}
	if len(rest) == 1 && rest[0].index < 0 {
		col := rest[0].key
		if c, ok := csvColumnOf[col]; ok {
			col = c
		}
		if i, ok := table.column[col]; ok {
			pos.col, pos.display = i+1, col
		}
	}
	return pos
}
