package config

import (
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// smallRegistry is the shared registry fixture: regions 130802 and 130828,
// schools sq-sunshine-kg, sq-no3-primary (130802) and wc-no1-secondary
// (130828).
const smallRegistry = "../../testdata/registry/small.yaml"

func loadRegistry(t *testing.T) *devices.Registry {
	t.Helper()
	reg, err := devices.Load(smallRegistry)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestCheckRegistry(t *testing.T) {
	reg := loadRegistry(t)
	for _, tc := range []struct {
		name, doc string
		want      []string // one per error, in order; none for a good file
	}{
		{"known", "regions:\n  \"130802\": {post_min_staff: 3}\nschools:\n  sq-no3-primary: {post_min_staff: 4}\n  wc-no1-secondary: {}\n", nil},
		{"unknown region", "regions:\n  \"130802\": {}\n  \"130899\": {post_min_staff: 3}\n", []string{
			`rules.yaml:3: regions: unknown region "130899": not in the registry`,
		}},
		{"unknown school with suggestion", "schools:\n  sq-no3-primary: {}\n  sq-no4-primary: {post_min_staff: 3}\n", []string{
			`rules.yaml:3: schools: unknown school "sq-no4-primary": not in the registry (did you mean "sq-no3-primary"?)`,
		}},
		{"both, in line order", "schools:\n  cd-0009: {}\nregions:\n  \"130803\": {}\n", []string{
			`rules.yaml:2: schools: unknown school "cd-0009": not in the registry`,
			`rules.yaml:4: regions: unknown region "130803": not in the registry`,
		}},
		// Only the school's own region shows the contradiction.
		{"school against its region", "regions:\n  \"130802\": {post_arrive_before: 15m}\nschools:\n  sq-no3-primary:\n    post_alert_before: 18m\n  wc-no1-secondary:\n    post_alert_before: 18m\n", []string{
			`rules.yaml:5: schools.sq-no3-primary.post_alert_before: post_alert_before (18m) must not exceed post_arrive_before (15m)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.doc)
			err := f.CheckRegistry(reg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckRegistry: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckRegistry accepted")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %d:\n  %s\nwant prefix\n  %s", i, lines[i], w)
				}
			}
		})
	}
	if err := Empty().CheckRegistry(nil); err == nil {
		t.Error("CheckRegistry(nil) accepted")
	}
}

func TestCheckRegistryWarmsTheCache(t *testing.T) {
	reg := loadRegistry(t)
	f := mustParse(t, "schools:\n  sq-no3-primary: {post_min_staff: 4}\n")
	if err := f.CheckRegistry(reg); err != nil {
		t.Fatal(err)
	}
	s, _ := reg.School("sq-no3-primary")
	if _, ok := f.bySchool[schoolKey{s.Region, s.ID}]; !ok {
		t.Fatal("CheckRegistry did not resolve the school")
	}
	if got := f.Resolve(s.Region, s.ID).PostMinStaff; got != 4 {
		t.Errorf("post_min_staff = %d, want 4", got)
	}
}
