package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// TestRegistryImportCalendar: registry import wants a calendar id for every
// school — from the CSV or --calendar — and names the shipped ones when one
// is missing or unknown.
func TestRegistryImportCalendar(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string { return writeFileIn(t, dir, name, data) }
	schools := write("schools.csv", "id,name,region,type,pupils,boarders\ncd-1,一小,130802,primary,500,\n")
	devs := write("devices.csv", "id,school,kind,location,heartbeat_s,post,kitchen,gate\ncd-1-alarm,cd-1,alarm,,,,,\n")
	calFile := write("weichang.yaml", "id: weichang-2026-2027\nnational: true\nterms: [{start: \"2026-09-01\", end: \"2027-01-22\"}]\n")
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := cmdRegistry(append([]string{"import", "-schools", schools, "-devices", devs}, args...), &out, &errb)
		return out.String(), err
	}
	if _, err := run(); err == nil || !strings.Contains(err.Error(), "no calendar column and no default calendar (registry import --calendar)") {
		t.Errorf("no calendar: %v", err)
	}
	if _, err := run("-calendar", "nope"); err == nil || !strings.Contains(err.Error(), `unknown calendar "nope" (known: chengde-2026-2027)`) {
		t.Errorf("unknown calendar: %v", err)
	}
	out, err := run("-calendar", "chengde-2026-2027")
	if err != nil || !strings.Contains(out, "id: chengde-2026-2027") || !strings.Contains(out, "national: true") {
		t.Errorf("default calendar: %v\n%s", err, out)
	}
	out, err = run("-calendar", "weichang-2026-2027", "-calendar-file", calFile)
	if err != nil || !strings.Contains(out, "calendar: weichang-2026-2027") || strings.Contains(out, "chengde") {
		t.Errorf("operator calendar: %v\n%s", err, out)
	}
}

// TestRegistryHolidays: the generated file for 2026 is the shipped one's
// data and parses; a year lunar-go lacks is a clear error.
func TestRegistryHolidays(t *testing.T) {
	var out, errb bytes.Buffer
	if err := cmdRegistry([]string{"holidays", "-year", "2026"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"year: 2026", `{name: 中秋节, off: {from: "2026-09-25", to: "2026-09-27"}}`,
		`{name: 国庆节, off: {from: "2026-10-01", to: "2026-10-07"}, workdays: ["2026-09-20", "2026-10-10"]}`, "CHECK EVERY LINE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := cmdRegistry([]string{"holidays", "-year", "1990"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "lunar-go has no public holidays for 1990") {
		t.Errorf("1990: %v", err)
	}
}

// writeFileIn writes data to dir/name and returns the path.
func writeFileIn(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRegistryCompile: gen → compile → check reads the compiled file (by
// its magic bytes, whatever its name) with the YAML's counts; a bad YAML is
// not compiled, and a damaged compiled file is refused by check.
func TestRegistryCompile(t *testing.T) {
	dir := t.TempDir()
	yamlPath, cgr := filepath.Join(dir, "city.yaml"), filepath.Join(dir, "city.registry")
	var out, errb bytes.Buffer
	if err := cmdRegistry([]string{"gen", "-schools", "40", "-o", yamlPath}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if err := cmdRegistry([]string{"compile", yamlPath, cgr}, &out, &errb); err != nil {
		t.Fatalf("compile: %v\n%s", err, errb.String())
	}
	check := func(p string) (string, error) {
		var o bytes.Buffer
		err := cmdRegistry([]string{"check", p}, &o, &errb)
		return strings.TrimPrefix(o.String(), p), err
	}
	fromYAML, err := check(yamlPath)
	if err != nil {
		t.Fatal(err)
	}
	fromCompiled, err := check(cgr)
	if err != nil || fromCompiled != fromYAML || !strings.Contains(fromCompiled, "40 schools") {
		t.Errorf("check of the compiled file: %q, %v; of the YAML: %q", fromCompiled, err, fromYAML)
	}
	bad := writeFileIn(t, dir, "bad.yaml", "regions: []\nschools: []\n")
	if err := cmdRegistry([]string{"compile", bad, filepath.Join(dir, "bad.cgr")}, &out, &errb); err == nil {
		t.Error("compile of an invalid registry succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.cgr")); !os.IsNotExist(err) {
		t.Errorf("compile of an invalid registry left a file: %v", err)
	}
	data, err := os.ReadFile(cgr)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-3] ^= 0xff
	damaged := writeFileIn(t, dir, "damaged", string(data))
	if _, err := check(damaged); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("check of a damaged file: %v", err)
	}
}

// TestReloadReadsCompiledRegistry: a running campusguard started on a YAML
// registry takes the compiled form of a bigger registry put in its place
// at the next reload (SIGHUP's handler), telling the forms apart by their
// first bytes.
func TestReloadReadsCompiledRegistry(t *testing.T) {
	mq := testenv.Mosquitto(t)
	db := testenv.Influx(t)
	dir := t.TempDir()
	full := devices.Generate(devices.GenerateOptions{Schools: 4, Seed: 7})
	before := *full
	before.Schools = slices.Clone(full.Schools[:3])
	before.Index()
	regPath := filepath.Join(dir, "registry.yaml")
	if err := writeRegistry(&before, regPath, nil); err != nil {
		t.Fatal(err)
	}
	a := startApp(t, baseConfig(t, regPath, mq.URL(), db.URL(), db.Bucket()))
	added := full.Schools[3].ID
	if _, ok := a.reg.Load().School(added); ok {
		t.Fatalf("school %s before the reload", added)
	}
	if err := writeRegistryStream(regPath, nil, full.WriteCompiled); err != nil {
		t.Fatal(err)
	}
	if err := a.reload(zerolog.Nop()); err != nil {
		t.Fatalf("reload of the compiled registry: %v", err)
	}
	if _, ok := a.reg.Load().School(added); !ok || a.reg.Load().DeviceCount() != full.DeviceCount() {
		t.Errorf("after the reload: school %s known %v, %d devices, want %d", added, ok, a.reg.Load().DeviceCount(), full.DeviceCount())
	}
}
