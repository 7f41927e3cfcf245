package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// TestCommonTextJS: common.js writes unambiguous dates in each language,
// shows a reason in one language at a time, names windows through the
// dictionary and calls a device with a pressed panic "alarming", not
// "trouble" (testdata/common_text_test.js drives common.js in node).
func TestCommonTextJS(t *testing.T) {
	node := nodePath(t)
	dir := t.TempDir()
	files := embedded(t)
	js, dict := filepath.Join(dir, "common.js"), filepath.Join(dir, "i18n.json")
	if err := os.WriteFile(js, []byte(files["assets/static/js/common.js"]), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dict, []byte(files["assets/i18n.json"]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("testdata", "common_text_test.js"), js, dict).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("common_text_test.js: %v\n%s", err, out)
	}
}

// TestWindowNamesTranslated: every default window of every school type
// (peaks, gates, meals) has its name in both languages, so the boards
// never show "morning-arrival".
func TestWindowNamesTranslated(t *testing.T) {
	w := newWeb(t)
	names := map[string]bool{}
	for _, st := range devices.SchoolTypes {
		for _, boarding := range []bool{false, true} {
			ws := devices.DefaultWindows(st, boarding)
			for _, l := range [][]devices.Window{ws.Peaks, ws.Gate, ws.Meals} {
				for _, x := range l {
					names[x.Name] = true
				}
			}
		}
	}
	if len(names) < 6 {
		t.Fatalf("only %d window names: %v", len(names), names)
	}
	for n := range names {
		if e, ok := w.dict["window."+n]; !ok || e.ZH == "" || e.EN == "" || e.ZH == n {
			t.Errorf("window %q has no translation", n)
		}
	}
}
