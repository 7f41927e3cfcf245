package kitchen

import (
	"testing"

	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// closeAlert closes alert id as market regulation would, with a note.
// (The one place these tests name the lifecycle's close call.)
func closeAlert(t *testing.T, m *lifecycle.Manager, id string) {
	t.Helper()
	if _, err := m.Resolve(id, "市场监管 market", "复核通过 verified"); err != nil {
		t.Fatal(err)
	}
}
