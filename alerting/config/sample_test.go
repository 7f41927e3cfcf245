package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
)

// sampleFile is the operator's reference: every key with its default value.
const sampleFile = "../../testdata/rules/rules.sample.yaml"

func TestSampleFileIsTheDefaults(t *testing.T) {
	f, err := Load(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckRegistry(loadRegistry(t)); err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	for _, school := range []string{"sq-no3-primary", "wc-no1-secondary", "not-in-the-file"} {
		if got := f.Resolve("130802", school); !reflect.DeepEqual(*got, want) {
			t.Errorf("Resolve(130802, %s) differs from Defaults():\n got %+v\nwant %+v", school, *got, want)
		}
	}
}

// TestSampleFileShowsEveryKey keeps the reference complete: its defaults
// block sets every key, every severity Defaults has under escalate_after and
// remind_every, and enabled for every rule of the catalogue, each with a
// comment in Chinese and English.
func TestSampleFileShowsEveryKey(t *testing.T) {
	f, err := Load(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, s := range f.defaults.settings {
		set[s.path] = true
	}
	d := Defaults()
	var want []string
	for _, fl := range fields {
		switch fl.kind {
		case kindCount, kindDuration, kindFraction:
			want = append(want, "defaults."+fl.key)
		case kindBySeverity:
			for _, s := range sortedKeys(*fl.bySeverity(&d)) {
				want = append(want, "defaults."+fl.key+"."+string(s))
			}
		case kindRules:
			for _, r := range alerting.Catalogue {
				want = append(want, "defaults.rules."+string(r.ID)+".enabled")
			}
		}
	}
	for _, p := range want {
		if !set[p] {
			t.Errorf("the sample does not show %s", p)
		}
	}
	if len(set) != len(want) {
		t.Errorf("the sample sets %d values, want %d", len(set), len(want))
	}

	data, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, fl := range fields {
		i := indexOfKey(lines, fl.key)
		if i < 0 {
			t.Errorf("no line for %s", fl.key)
			continue
		}
		// The key's comment: the comment lines just above it, or its own
		// trailing comment.
		_, comment, _ := strings.Cut(lines[i], "#")
		for j := i - 1; j >= 0 && strings.HasPrefix(strings.TrimSpace(lines[j]), "#"); j-- {
			comment += lines[j]
		}
		if !hasHan(comment) || letters(comment) < 12 {
			t.Errorf("%s: want a Chinese and an English comment, got %q", fl.key, comment)
		}
	}
	for _, r := range alerting.Catalogue {
		i := indexOfKey(lines, string(r.ID))
		if i < 0 || !strings.Contains(lines[i], "# ") || !hasHan(lines[i]) || !strings.Contains(lines[i], r.TitleEN) {
			t.Errorf("rule %s: want a line with its Chinese and English titles", r.ID)
		}
	}
}

func indexOfKey(lines []string, key string) int {
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), key+":") {
			return i
		}
	}
	return -1
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// letters counts the ASCII letters of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			n++
		}
	}
	return n
}
