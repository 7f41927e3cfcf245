package devices

import (
	"bytes"
	"strings"
	"testing"
)

const schoolsCSV = "\ufeffid,name,region,type,pupils,boarders,calendar\n" + // a BOM, as spreadsheets write it
	"cd-0001,双桥区第三小学,130802,primary,1520,,\n" +
	"# a comment line\n" +
	"cd-0002,围场县第一中学,130828,secondary,2400,1200,chengde-2026-2027\n" +
	"cd-0003,\"滦平县阳光幼儿园, 分园\",130824,kindergarten,180,0,\n"

const devicesCSV = "id,school,kind,location,heartbeat_s,post,kitchen,gate\n" +
	"cd-0001-alarm-1,cd-0001,alarm,门卫室,,guardroom,,\n" +
	"cd-0001-access-1,cd-0001,access,正门,30,,,main\n" +
	"cd-0002-alarm-1,cd-0002,alarm,门卫室,,guardroom,,\n" +
	"cd-0002-guard-1,cd-0002,guard,正门,,main-gate,,\n" +
	"cd-0002-kitchencam-1,cd-0002,kitchencam,操作间,,,main,\n" +
	"cd-0003-alarm-1,cd-0003,alarm,门卫室,,,,\n"

func TestImportCSV(t *testing.T) {
	r, err := ImportCSV(strings.NewReader(schoolsCSV), strings.NewReader(devicesCSV), ImportOptions{Calendar: DefaultCalendarID})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Calendars) != 1 || r.Calendars[0].ID != DefaultCalendarID || !r.Calendars[0].National {
		t.Errorf("calendars %+v", r.Calendars)
	}
	if len(r.Regions) != 12 || len(r.Schools) != 3 || r.DeviceCount() != 6 {
		t.Fatalf("regions %d, schools %d, devices %d", len(r.Regions), len(r.Schools), r.DeviceCount())
	}
	s, _ := r.School("cd-0002")
	if s.Boarders != 1200 || len(s.Windows.Meals) != 3 || len(s.Kitchens) != 1 || len(s.Posts) != 2 {
		t.Errorf("boarding school: %+v", s)
	}
	if s, _ := r.School("cd-0001"); len(s.Kitchens) != 0 || len(s.Windows.Peaks) != 4 || s.Calendar != DefaultCalendarID {
		t.Errorf("day school: %+v", s)
	}
	if s, _ := r.School("cd-0003"); s.Name != "滦平县阳光幼儿园, 分园" || len(s.Windows.Peaks) != 2 {
		t.Errorf("kindergarten: %+v", s)
	}
	if d, _ := r.Device("cd-0001-access-1"); d.Heartbeat != Duration(30e9) || d.Gate != "main" {
		t.Errorf("access device: %+v", d)
	}
	// registry import writes YAML: it must load back.
	var buf bytes.Buffer
	if err := r.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("imported.yaml", buf.Bytes()); err != nil {
		t.Fatalf("imported YAML does not parse: %v\n%s", err, buf.String())
	}
}

func TestImportCSVErrors(t *testing.T) {
	tests := []struct {
		name             string
		schools, devices string
		want             []string
	}{
		{"unknown column", strings.Replace(schoolsCSV, "calendar\n", "calender\n", 1), devicesCSV,
			[]string{`schools.csv:1:7: calender: unknown column "calender"`}},
		{"missing column", schoolsCSV, "id,school,kind,location,heartbeat_s,post,kitchen\n",
			[]string{`devices.csv:1: missing column "gate"`}},
		{"no header", "", devicesCSV, []string{`schools.csv: empty file: want a header line id,name,region`}},
		{"short row", schoolsCSV + "cd-0004,x,130802\n", devicesCSV, []string{`schools.csv:6: wrong number of fields`}},
		{"bad number", strings.Replace(schoolsCSV, "1520", "1.5k", 1), devicesCSV,
			[]string{`schools.csv:2:5: pupils: bad number "1.5k"`}},
		{"unknown region", strings.Replace(schoolsCSV, "130828", "130899", 1), devicesCSV,
			[]string{`schools.csv:4:3: region: unknown region "130899"`}},
		{"unknown calendar", strings.Replace(schoolsCSV, "chengde-2026-2027", "other", 1), devicesCSV,
			[]string{`schools.csv:4:7: calendar: unknown calendar "other" (known: chengde-2026-2027)`}},
		{"boarders exceed pupils", strings.Replace(schoolsCSV, "2400,1200", "400,1200", 1), devicesCSV,
			[]string{`schools.csv:4:6: boarders: boarders 1200 exceed pupils 400`}},
		{"unknown school", schoolsCSV, devicesCSV + "x-1,cd-0009,alarm,,,,,\n",
			[]string{`devices.csv:8:2: school: unknown school "cd-0009" (not in schools.csv)`}},
		{"unknown kind", schoolsCSV, strings.Replace(devicesCSV, ",access,", ",gate,", 1),
			[]string{`devices.csv:3:3: kind: unknown device kind "gate"`}},
		{"bad heartbeat", schoolsCSV, strings.Replace(devicesCSV, ",30,", ",0,", 1),
			[]string{`devices.csv:3:5: heartbeat_s: bad heartbeat "0"`}},
		{"unknown post", schoolsCSV, strings.Replace(devicesCSV, ",main-gate,", ",back-gate,", 1),
			[]string{`devices.csv:5:6: post: unknown post "back-gate"`}},
		{"unknown kitchen", schoolsCSV, strings.Replace(devicesCSV, ",main,\n", ",canteen,\n", 1),
			[]string{`devices.csv:6:7: kitchen: unknown kitchen "canteen"`}},
		{"duplicate device", schoolsCSV, devicesCSV + "cd-0001-alarm-1,cd-0003,alarm,,,,,\n",
			[]string{`devices.csv:8:1: id: duplicate device id "cd-0001-alarm-1" (first at line 2)`}},
		{"school without devices", schoolsCSV + "cd-0004,x,130802,primary,10,,\n", devicesCSV,
			[]string{`schools.csv:6: schools[3].devices: school "cd-0004" has no devices`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ImportCSV(strings.NewReader(tt.schools), strings.NewReader(tt.devices), ImportOptions{Calendar: DefaultCalendarID})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestImportCSVCalendarRequired: without a default calendar every school
// must name one; a missing or unknown id is an error, never a silent
// default.
func TestImportCSVCalendarRequired(t *testing.T) {
	noColumn := "id,name,region,type,pupils,boarders\n" +
		"cd-0001,双桥区第三小学,130802,primary,1520,\n" +
		"cd-0002,围场县第一中学,130828,secondary,2400,1200\n" +
		"cd-0003,滦平县阳光幼儿园,130824,kindergarten,180,0\n"
	other := Calendar{ID: "weichang-2026-2027", National: true, Terms: []Term{{Start: Date{2026, 9, 1}, End: Date{2027, 1, 22}}}}
	tests := []struct {
		name    string
		schools string
		opts    ImportOptions
		want    []string // empty: no error
	}{
		{"empty cells, no default", schoolsCSV, ImportOptions{}, []string{
			`schools.csv:2:7: calendar: missing calendar: fill the cell or give a default with --calendar (known: chengde-2026-2027)`,
			`schools.csv:5:7: calendar: missing calendar`}},
		{"no column, no default", noColumn, ImportOptions{}, []string{
			`schools.csv:1: no calendar column and no default calendar (registry import --calendar): every school needs a calendar id (known: chengde-2026-2027)`}},
		{"no column, a default", noColumn, ImportOptions{Calendar: DefaultCalendarID}, nil},
		{"unknown default", schoolsCSV, ImportOptions{Calendar: "chengde-2025"}, []string{
			`devices: import: unknown calendar "chengde-2025" (known: chengde-2026-2027)`}},
		{"an operator's calendar", strings.Replace(schoolsCSV, "chengde-2026-2027", "weichang-2026-2027", 1),
			ImportOptions{Calendar: DefaultCalendarID, Calendars: []Calendar{other}}, nil},
		{"an operator's calendar not given", strings.Replace(schoolsCSV, "chengde-2026-2027", "weichang-2026-2027", 1),
			ImportOptions{Calendar: DefaultCalendarID}, []string{`schools.csv:4:7: calendar: unknown calendar "weichang-2026-2027" (known: chengde-2026-2027)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ImportCSV(strings.NewReader(tt.schools), strings.NewReader(devicesCSV), tt.opts)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range r.Schools {
					if s.Calendar == "" || s.calendar == nil {
						t.Errorf("school %s has no calendar", s.ID)
					}
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	r, err := ImportCSV(strings.NewReader(strings.Replace(schoolsCSV, "chengde-2026-2027", "weichang-2026-2027", 1)),
		strings.NewReader(devicesCSV), ImportOptions{Calendar: DefaultCalendarID, Calendars: []Calendar{other}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Calendars) != 2 || r.Calendars[0].ID != DefaultCalendarID || r.Calendars[1].ID != other.ID {
		t.Errorf("calendars: %v", r.Calendars)
	}
}
