// Package alerting will own campusguard's rule engine: per-school state,
// school calendars and windows, the deadline structure, the alert lifecycle
// (firing, acknowledged, resolved), silences, notifications and the
// compliance measures of domain.md. It consumes devices.Event values that
// cmd hands it from ingest; it never imports ingest.
//
// Not built yet: see the alerting issue.
package alerting
