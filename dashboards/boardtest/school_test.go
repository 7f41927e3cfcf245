package boardtest

import (
	"fmt"
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// TestSchoolBoardManyAlerts: a school with hundreds of open alerts (a
// storm of gate events) keeps a bounded page: the open-alert table draws
// only the rows in sight, the to-do list its first 30 with how many more;
// an alert that changes redraws without rebuilding the lists. The old
// board drew every row of both lists again on every event.
func TestSchoolBoardManyAlerts(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 40})
	const n = 400
	for i := range n {
		subject := fmt.Sprintf("storm-gate-%d", i)
		c.Fire(alerting.GateHeldOpen, c.School.ID, subject, subject)
	}
	c.Settle()
	tab := c.open(startBrowser(t), "school", browsertest.Wall)
	tab.WaitJS("the school's alerts counted", fmt.Sprintf(`Number(document.querySelector('#school-alerts').dataset.total) >= %d`, n))
	drawn := browsertest.Eval[int](tab, `document.querySelectorAll('#school-alerts tr[data-alert-id]').length`)
	todo := browsertest.Eval[int](tab, `document.querySelectorAll('#school-todo tr[data-alert-id]').length`)
	more := browsertest.Eval[string](tab, `(() => { const m = document.querySelector('#school-todo-more'); return m && !m.hidden ? m.textContent : ''; })()`)
	t.Logf("%d open alerts: %d rows drawn in the open-alert table, %d in the to-do list, %q", n, drawn, todo, more)
	if drawn == 0 || drawn >= 200 {
		t.Errorf("open-alert table draws %d rows of %d, want a few screens' worth", drawn, n)
	}
	if todo == 0 || todo > 30 || more == "" {
		t.Errorf("to-do list draws %d rows (more: %q), want at most 30 and how many more", todo, more)
	}
	// A change to one alert reaches the page.
	c.Fire(alerting.GateHeldOpen, c.School.ID, "storm-gate-late", "storm-gate-late")
	c.Settle()
	tab.WaitJS("a new alert is counted", fmt.Sprintf(`Number(document.querySelector('#school-alerts').dataset.total) >= %d`, n+1))
}
