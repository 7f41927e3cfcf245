package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The education board's figures (numbers.js): rates over judged schools,
// counts beside them, the headline's colour from its worst member, the
// not-judged verdict apart: testdata/numbers_test.js checks them in node.
func TestNumbersJS(t *testing.T) {
	node := nodePath(t)
	f := filepath.Join(t.TempDir(), "numbers.js")
	if err := os.WriteFile(f, []byte(embedded(t)["assets/static/js/numbers.js"]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("testdata", "numbers_test.js"), f).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("numbers_test.js: %v\n%s", err, out)
	}
}
