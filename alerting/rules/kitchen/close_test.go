package kitchen

import (
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// closeAlert closes alert id as market regulation would, with a note.
// The handling loop (issue 8) replaces the lifecycle's Resolve(id, user,
// note) by Close(id, actor, note); asking for either keeps these tests
// compiling on both sides of that change.
func closeAlert(t *testing.T, m *lifecycle.Manager, id string) {
	t.Helper()
	const note = "复核通过 verified"
	var err error
	switch c := any(m).(type) {
	case interface {
		Close(string, alerting.Actor, string) (alerting.Alert, error)
	}:
		_, err = c.Close(id, alerting.Actor{Name: "市场监管 market", Agency: alerting.Market}, note)
	case interface {
		Resolve(string, string, string) (alerting.Alert, error)
	}:
		_, err = c.Resolve(id, "市场监管 market", note)
	default:
		t.Fatal("the lifecycle has neither Close nor Resolve")
	}
	if err != nil {
		t.Fatal(err)
	}
}

// handler is the handling loop's part of the lifecycle (issue 8): the
// school reports the fix, the owner sends it back.
type handler interface {
	Report(id string, who alerting.Actor, note, evidence string) (alerting.Alert, error)
	Return(id string, who alerting.Actor, note string) (alerting.Alert, error)
}

// handling returns m's handling loop, or skips the test on a lifecycle
// without one.
func handling(t *testing.T, m *lifecycle.Manager) handler {
	t.Helper()
	h, ok := any(m).(handler)
	if !ok {
		t.Skip("the lifecycle has no handling loop (Report, Return) yet")
	}
	return h
}
