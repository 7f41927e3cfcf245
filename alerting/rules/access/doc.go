// Package access owns the closed-campus rules of the gate and turnstile
// controllers (门禁, device kind "access", docs/rules.md "Closed campus /
// access control"): gate_forced, gate_intrusion, gate_blacklist,
// gate_denied_burst, gate_held_open, gate_open_after_hours and
// access_offline.
//
// The package holds per-school state in plain structs and reports
// Conditions through engine.Ctx; it never reads the wall clock, starts a
// goroutine or touches storage.
package access
