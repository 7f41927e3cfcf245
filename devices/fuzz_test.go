package devices

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic, and a
// document it accepts must survive WriteYAML and parse again.
func FuzzParse(f *testing.F) {
	if small, err := os.ReadFile(smallFixture); err == nil {
		f.Add(small)
	}
	f.Add([]byte(docWith(nil)))
	f.Add([]byte(docWith(map[int]string{11: "    pupils: 500\n    pupils: 600"})))
	f.Add([]byte("regions: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := r.WriteYAML(&buf); err != nil {
			t.Fatalf("WriteYAML of an accepted registry: %v", err)
		}
		if _, err := Parse("again.yaml", buf.Bytes()); err != nil {
			t.Fatalf("re-parse of an accepted registry: %v\n%s", err, buf.Bytes())
		}
	})
}
