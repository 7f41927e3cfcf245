package devices

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// compile returns r's compiled bytes.
func compile(t testing.TB, r *Registry) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteCompiled(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompiledRoundTrip: YAML → compile → Load gives the registry YAML
// loading gives (its exported data deep-equal, indexed the same way), for
// the fixture and a generated registry with closures, timetables and a
// holiday file.
func TestCompiledRoundTrip(t *testing.T) {
	dir := t.TempDir()
	gen := Generate(GenerateOptions{Seed: 9, Schools: 300, TeachingPoints: 20})
	gen.Closures = []Closure{{From: Date{2026, 1, 5}, To: Date{2026, 1, 6}, Reason: "暴雪", Regions: []string{"130802"}}}
	gen.Timetables = []Timetable{{Name: "冬季作息", From: Date{2026, 11, 1}, Schools: []string{"cd-0001"},
		Windows: Windows{Gate: []Window{{Name: "am", Start: 7 * 60, End: 8 * 60}}}}}
	gen.Schools[0].AlarmTests = []AlarmTestSchedule{{Day: 1, Start: 9 * 60, End: 9*60 + 30}}
	hol, err := shippedCalendars.ReadFile("calendars/holidays/cn-2026.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.yaml"), hol, 0o644); err != nil {
		t.Fatal(err)
	}
	gen.HolidayFiles = []string{"extra.yaml"}
	var genYAML bytes.Buffer
	if err := gen.WriteYAML(&genYAML); err != nil {
		t.Fatal(err)
	}
	small, err := os.ReadFile(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"small": small, "generated": genYAML.Bytes()} {
		yamlPath := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(yamlPath, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		fromYAML, err := Load(yamlPath)
		if err != nil {
			t.Fatal(err)
		}
		cgrPath := filepath.Join(dir, name+".bin") // no telling extension: Load goes by the magic bytes
		if err := os.WriteFile(cgrPath, compile(t, fromYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		fromCompiled, err := Load(cgrPath)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(exported(fromCompiled), exported(fromYAML)) {
			t.Fatalf("%s: compiled registry differs from the YAML one", name)
		}
		if fromCompiled.DeviceCount() != fromYAML.DeviceCount() {
			t.Fatalf("%s: %d devices, want %d", name, fromCompiled.DeviceCount(), fromYAML.DeviceCount())
		}
		for i := 0; i < fromYAML.DeviceCount(); i++ {
			a, b := fromYAML.DeviceAt(i), fromCompiled.DeviceAt(i)
			if a.ID != b.ID || b.Index() != i || b.School().ID != a.School().ID {
				t.Fatalf("%s: device %d is %s of %s, want %s of %s", name, i, b.ID, b.School().ID, a.ID, a.School().ID)
			}
		}
		if (fromYAML.holidays == nil) != (fromCompiled.holidays == nil) {
			t.Errorf("%s: holiday files read for one form only", name)
		}
	}
}

// TestCompiledBadFiles: damaged, truncated, foreign and other-version files
// are refused with an error that says which.
func TestCompiledBadFiles(t *testing.T) {
	r, err := Load(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	good := compile(t, r)
	with := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated header":  {good[:10], "truncated header"},
		"truncated payload": {good[:len(good)-5], "truncated: "},
		"trailing bytes":    {append(append([]byte(nil), good...), 0), "trailing bytes"},
		"flipped byte":      {with(func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }), "checksum mismatch"},
		"other version":     {with(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[8:], 7); return b }), "format version 7"},
		"other build":       {with(func(b []byte) []byte { b[12] ^= 1; return b }), "different registry fields"},
		"huge payload":      {with(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[18:], 1<<40); return b }), "more than the"},
	}
	dir := t.TempDir()
	for name, c := range cases {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(p)
		var ce *CompiledError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), p+": compiled registry: ") {
			t.Errorf("%s: %v, want a CompiledError with %q", name, err, c.want)
		}
	}
}

// TestCompiledIsValidated: a compiled file whose registry breaks the rules
// (here: a device of an unknown kind, compiled without checks) is refused
// with the field path of the problem, as the YAML would be.
func TestCompiledIsValidated(t *testing.T) {
	r, err := Load(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	r.Schools[1].Devices[0].Kind = "toaster"
	p := filepath.Join(t.TempDir(), "bad.cgr")
	if err := os.WriteFile(p, compile(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(p)
	if err == nil || !strings.Contains(err.Error(), p+": schools[1].devices[0].kind: ") {
		t.Errorf("Load: %v, want the bad kind named", err)
	}
}

// withHeader puts a valid header (this build's version and schema, the
// payload's length and checksum) in front of payload.
func withHeader(payload []byte) []byte {
	hdr := append([]byte(nil), compiledMagic...)
	hdr = binary.LittleEndian.AppendUint16(hdr, compiledVersion)
	hdr = binary.LittleEndian.AppendUint64(hdr, compiledSchema)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(payload)))
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.Checksum(payload, crcTable))
	return append(hdr, payload...)
}
