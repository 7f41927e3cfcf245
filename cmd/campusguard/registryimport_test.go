package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// registry import -guards: the rosters land in the written registry, and a
// bad roster fails the import with the CSV position.
func TestRegistryImportGuards(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string { return writeFileIn(t, dir, name, data) }
	schools := write("schools.csv", "id,name,region,type,pupils,boarders,calendar\ncd-0001,双桥区第三小学,130802,primary,1520,,chengde-2026-2027\n")
	devs := write("devices.csv", "id,school,kind,location,heartbeat_s,post,kitchen,gate\ncd-0001-guard-1,cd-0001,guard,门卫室,,guardroom,,\n")
	guards := write("guards.csv", "school,id,company,license,license_expires\ncd-0001,g-1,承德安保,冀保-0001,2027-03-31\n")
	out := filepath.Join(dir, "registry.yaml")
	if err := cmdRegistry([]string{"import", "-schools", schools, "-devices", devs, "--guards", guards, "-o", out}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	reg, err := devices.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := reg.School("cd-0001"); len(s.Guards) != 1 || s.Guards[0].Company != "承德安保" || s.Guards[0].LicenseExpires.String() != "2027-03-31" {
		t.Errorf("roster: %+v", s.Guards)
	}

	bad := write("bad.csv", "school,id,company,license,license_expires\ncd-0002,g-1,,,\n")
	err = cmdRegistry([]string{"import", "-schools", schools, "-devices", devs, "-guards", bad}, &bytes.Buffer{}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `bad.csv:2:1: school: unknown school "cd-0002"`) {
		t.Errorf("err = %v", err)
	}
}
