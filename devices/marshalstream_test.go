package devices

import (
	"bytes"
	"os"
	"testing"
)

// TestSchoolWriterMatchesWriteYAML: writing school by school gives the very
// bytes WriteYAML gives for the whole registry, for generated registries
// (registry gen's output must not change) and for the small fixture with
// closures, timetables and holiday files after the schools.
func TestSchoolWriterMatchesWriteYAML(t *testing.T) {
	regs := map[string]*Registry{
		"seed 1": Generate(GenerateOptions{Seed: 1, Schools: 40, TeachingPoints: 5}),
		"seed 7": Generate(GenerateOptions{Seed: 7, Schools: 25}),
		"empty":  GenerateHead(),
		"tail":   Generate(GenerateOptions{Seed: 2, Schools: 5}),
	}
	regs["tail"].HolidayFiles = []string{"cn-2027.yaml"}
	regs["tail"].Closures = []Closure{{From: Date{2026, 1, 5}, To: Date{2026, 1, 6}, Reason: "暴雪", Regions: []string{"130802"}}}
	regs["tail"].Timetables = []Timetable{{Name: "冬季作息", From: Date{2026, 11, 1}, Schools: []string{"cd-0001"},
		Windows: Windows{Gate: []Window{{Name: "am", Start: 7 * 60, End: 8 * 60}}}}}
	if data, err := os.ReadFile(smallFixture); err == nil {
		r, err := Parse(smallFixture, data)
		if err != nil {
			t.Fatal(err)
		}
		regs["fixture"] = r
	}
	for name, r := range regs {
		var whole, streamed bytes.Buffer
		if err := r.WriteYAML(&whole); err != nil {
			t.Fatal(err)
		}
		sw, err := NewSchoolWriter(&streamed, r)
		if err != nil {
			t.Fatal(err)
		}
		for i := range r.Schools {
			if err := sw.Write(&r.Schools[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole.Bytes(), streamed.Bytes()) {
			t.Errorf("%s: streamed YAML differs from WriteYAML:\n--- whole\n%.2000s\n--- streamed\n%.2000s", name, whole.Bytes(), streamed.Bytes())
		}
	}
}

// TestGenerateEachMatchesGenerate: the schools GenerateEach hands out one by
// one are Generate's.
func TestGenerateEachMatchesGenerate(t *testing.T) {
	opts := GenerateOptions{Seed: 3, Schools: 60, TeachingPoints: 4}
	r := Generate(opts)
	i := 0
	err := GenerateEach(opts, func(s *School) error {
		if s.ID != r.Schools[i].ID || s.Name != r.Schools[i].Name || len(s.Devices) != len(r.Schools[i].Devices) {
			t.Errorf("school %d: %s %s, want %s %s", i, s.ID, s.Name, r.Schools[i].ID, r.Schools[i].Name)
		}
		i++
		return nil
	})
	if err != nil || i != len(r.Schools) {
		t.Errorf("GenerateEach: %v after %d schools, want %d", err, i, len(r.Schools))
	}
}
