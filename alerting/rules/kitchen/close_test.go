package kitchen

import (
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// closeAlert closes alert id as market regulation would, with a note.
func closeAlert(t *testing.T, m *lifecycle.Manager, id string) {
	t.Helper()
	if _, err := m.Close(id, alerting.Actor{Name: "市场监管 market", Agency: alerting.Market}, "复核通过 verified"); err != nil {
		t.Fatal(err)
	}
}
