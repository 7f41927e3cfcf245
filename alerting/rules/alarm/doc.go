// Package alarm owns the rules of the one-button emergency alarm terminals
// (一键报警, device kind "alarm", docs/rules.md "One-button alarm"):
// alarm_panic, alarm_offline, alarm_link_down, alarm_trouble and
// alarm_test_overdue. alarm_unacked is not here: the lifecycle escalates an
// unacknowledged panic.
//
// The package holds per-school state in plain structs and reports
// Conditions through engine.Ctx; it never reads the wall clock, starts a
// goroutine or touches storage.
package alarm
