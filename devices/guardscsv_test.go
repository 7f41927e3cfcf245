package devices

import (
	"bytes"
	"strings"
	"testing"
)

const guardsCSV = "school,id,company,license,license_expires\n" +
	"cd-0001,g-0001-a,承德安保服务有限公司,冀保-2024-0001,2027-03-31\n" +
	"# a comment line\n" +
	"cd-0001,g-0001-b,承德安保服务有限公司,冀保-2024-0002,\n" +
	"cd-0002,g-0002-a,\"围场县保安服务公司, 分公司\",冀保-2025-0107,2026-12-20\n"

func importedWithGuards(t *testing.T, guards string) (*Registry, error) {
	t.Helper()
	r, err := ImportCSV(strings.NewReader(schoolsCSV), strings.NewReader(devicesCSV), ImportOptions{Calendar: DefaultCalendarID})
	if err != nil {
		t.Fatal(err)
	}
	return r, ImportGuardsCSV(r, strings.NewReader(guards))
}

func TestImportGuardsCSV(t *testing.T) {
	r, err := importedWithGuards(t, guardsCSV)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.School("cd-0001")
	if len(s.Guards) != 2 || s.Guards[0] != (Guard{ID: "g-0001-a", Company: "承德安保服务有限公司", License: "冀保-2024-0001",
		LicenseExpires: Date{2027, 3, 31}}) || !s.Guards[1].LicenseExpires.IsZero() {
		t.Errorf("cd-0001 roster: %+v", s.Guards)
	}
	if s, _ := r.School("cd-0002"); len(s.Guards) != 1 || s.Guards[0].Company != "围场县保安服务公司, 分公司" {
		t.Errorf("cd-0002 roster: %+v", s.Guards)
	}
	if s, _ := r.School("cd-0003"); len(s.Guards) != 0 {
		t.Errorf("cd-0003 has no guards in the CSV: %+v", s.Guards)
	}
	// The imported registry writes YAML that loads back with the roster.
	var buf bytes.Buffer
	if err := r.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Parse("imported.yaml", buf.Bytes())
	if err != nil {
		t.Fatalf("imported YAML does not parse: %v\n%s", err, buf.String())
	}
	if s, _ := back.School("cd-0001"); len(s.Guards) != 2 || s.Guards[0].LicenseExpires != (Date{2027, 3, 31}) ||
		s.Guards[0].Company != "承德安保服务有限公司" {
		t.Errorf("roster after YAML round trip: %+v", s.Guards)
	}
}

func TestImportGuardsCSVErrors(t *testing.T) {
	tests := []struct {
		name   string
		guards string
		want   []string
	}{
		{"missing column", "school,id,company,license\ncd-0001,g1,x,y\n",
			[]string{`guards.csv:1: missing column "license_expires"`}},
		{"unknown column", "school,id,company,license,license_expires,name\n",
			[]string{`guards.csv:1:6: name: unknown column "name"`}},
		{"empty file", "", []string{"guards.csv: empty file: want a header line school,id,company,license,license_expires"}},
		{"unknown school", "school,id,company,license,license_expires\ncd-9999,g1,,,\n",
			[]string{`guards.csv:2:1: school: unknown school "cd-9999" (not in the registry)`}},
		{"missing school and id", "school,id,company,license,license_expires\n,,,,\n",
			[]string{"guards.csv:2:1: school: missing school id", "guards.csv:2:2: id: missing guard id"}},
		{"a name instead of an id", "school,id,company,license,license_expires\ncd-0001,张三,,,\n",
			[]string{`guards.csv:2:2: id: bad guard id "张三"`, "never a name or ID-card number"}},
		{"bad date", "school,id,company,license,license_expires\ncd-0001,g1,,,2027/03/31\n",
			[]string{`guards.csv:2:5: license_expires: bad date "2027/03/31" (want YYYY-MM-DD)`}},
		{"duplicate", "school,id,company,license,license_expires\ncd-0001,g1,,,\ncd-0001,g1,,,\n",
			[]string{`guards.csv:3:2: id: duplicate guard "g1" at school "cd-0001" (first on line 2)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := importedWithGuards(t, tt.guards)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			for i := range r.Schools {
				if len(r.Schools[i].Guards) != 0 {
					t.Errorf("a failed import changed the roster of %s", r.Schools[i].ID)
				}
			}
		})
	}
	// The same guard id may serve two schools (one company, two sites).
	if _, err := importedWithGuards(t, "school,id,company,license,license_expires\ncd-0001,g1,,,\ncd-0002,g1,,,\n"); err != nil {
		t.Errorf("one guard at two schools: %v", err)
	}
}
