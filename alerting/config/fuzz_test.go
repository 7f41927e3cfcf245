package config

import "testing"

// FuzzParse feeds arbitrary bytes to Parse (seeds: the committed corpus,
// the bad files, the inheritance example; not the large sample file, which
// makes minimizing slow). It must never panic, and a file
// it accepts must resolve to valid Params for its defaults and every region
// it names, and to Params whose only possible fault is a relation that
// needs the school's region (CheckRegistry's to report) for every school.
func FuzzParse(f *testing.F) {
	f.Add([]byte(inheritDoc))
	for _, tc := range badFiles {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		if err := file.Resolve("", "").Validate(); err != nil {
			t.Fatalf("accepted defaults are invalid: %v", err)
		}
		for code := range file.regions {
			if err := file.Resolve(code, "").Validate(); err != nil {
				t.Fatalf("accepted region %s is invalid: %v", code, err)
			}
		}
		for id := range file.schools {
			p := file.Resolve("", id)
			if err := p.Validate(); err != nil && len(p.problems()) == 0 {
				t.Fatalf("accepted school %s is invalid: %v", id, err)
			}
		}
	})
}
