package alarmtest

import (
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Outcome is what an alarm terminal's event says about testing.
type Outcome string

// Outcomes, the values of the metric label "outcome".
const (
	None     Outcome = ""         // not a test (a real panic, or another event)
	InWindow Outcome = "window"   // a panic press inside a registered or scheduled test window
	Manual   Outcome = "manual"   // alarm.test, manual (E601): someone pressed the test button
	Periodic Outcome = "periodic" // alarm.test, periodic (E602): the panel's self-test, link alive only
	Failed   Outcome = "failed"   // alarm.test with ok=false
)

// Outcomes lists every outcome but None (metric label values).
var Outcomes = []Outcome{InWindow, Manual, Periodic, Failed}

// Tested reports whether o counts as a successful test for
// alarm_test_overdue and compliance's alarm_link: a person pressed a
// button and it worked. A periodic self-test does not count.
func (o Outcome) Tested() bool { return o == InWindow || o == Manual }

// Covers reports whether a test window covers device of school at t.
type Covers func(school, device string, t time.Time) bool

// Classify says what ev (an alarm terminal's live event) is as a test.
// A panic press is a test only when a window covers both its timestamp and
// now (its arrival): a terminal with a wrong clock cannot turn a real
// panic into a test, nor can a press delivered late. covers may be nil (no
// windows). An alarm.test without a mode (decode always sets one; events
// built elsewhere may not) takes it from its vendor_code, else manual.
func Classify(ev *devices.Event, now time.Time, covers Covers) Outcome {
	if ev.Kind != devices.KindAlarm || ev.Channel != devices.ChannelEvent || ev.Retained {
		return None
	}
	switch ev.Type {
	case "alarm.panic":
		if covers != nil && covers(ev.School, ev.Device, ev.TS) && covers(ev.School, ev.Device, now) {
			return InWindow
		}
	case "alarm.test":
		if ok, given := ev.Bool("ok"); given && !ok {
			return Failed
		}
		mode := ev.Str("mode")
		if mode == "" {
			mode, _ = devices.ContactIDTestMode(ev.VendorCode)
		}
		if mode == devices.TestPeriodic {
			return Periodic
		}
		return Manual
	}
	return None
}
