// Package config owns the rules file: every rule parameter of docs/rules.md
// with its default (Defaults), and per-region and per-school overrides,
// loaded from strict YAML (unknown rule ids or keys fail start-up) and
// resolved into one Params per school.
//
// Parse and Load read the file strictly: unknown or duplicate keys, unknown
// rule ids, bad severities and non-positive durations or counts are errors
// naming file:line: path, all of them collected. CheckRegistry then checks
// every region and school it names against the devices registry, and
// Resolve hands the engine one merged Params per school (school over region
// over the file's defaults over Defaults), computed once and shared.
//
// It reads the devices registry but never changes it, and knows nothing of
// rule evaluation, MQTT or storage.
package config
