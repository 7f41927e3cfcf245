package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAlertStoreJS: the boards' alert store keeps the alerts sorted as
// the API sorts them while changing one entry per stream event (checked
// against sorting from scratch over a long random stream), and the
// virtual table's row window covers exactly the rows in sight
// (testdata/alertstore_test.js drives alertstore.js in node).
func TestAlertStoreJS(t *testing.T) {
	node := nodePath(t)
	f := filepath.Join(t.TempDir(), "alertstore.js")
	if err := os.WriteFile(f, []byte(embedded(t)["assets/static/js/alertstore.js"]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, filepath.Join("testdata", "alertstore_test.js"), f).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("alertstore_test.js: %v\n%s", err, out)
	}
}

// The boards with alert tables load the store and the table before the
// scripts that use them.
func TestPagesLoadAlertStore(t *testing.T) {
	w := newWeb(t)
	for _, p := range []string{"/board/police", "/board/education", "/board/market", "/board/school"} {
		body := get(t, w.Handler(), p, "admin").Body.String()
		s, tb, a := strings.Index(body, "/static/js/alertstore.js?v="), strings.Index(body, "/static/js/alerttable.js?v="),
			strings.Index(body, "/static/js/alerts.js?v=")
		if s < 0 || tb < 0 || a < 0 || s > a || tb > a {
			t.Errorf("%s: alertstore.js (%d) and alerttable.js (%d) must load before alerts.js (%d)", p, s, tb, a)
		}
	}
}
