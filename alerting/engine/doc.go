// Package engine owns rule evaluation: per-school state sharded across
// workers by school (one school's events and deadlines are handled in
// order on one goroutine, without locks), the deadline structure, and the
// injectable clock. Rule logic lives in Modules (alerting/rules); the
// engine reports their Conditions to a sink and never waits on storage,
// spool or notification delivery. Reload swaps the registry: each shard
// takes its schools' new entries through its own queue (so ordering with
// events holds) and re-Starts every module on them. Per-device deadlines
// (DeviceTimers, devtimers.go) are numbered handles, not keyed timers;
// they follow a device to its new place in a reloaded school.
package engine
