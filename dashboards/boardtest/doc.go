// Package boardtest holds the browser tests of the boards: real Chromium
// (internal/browsertest) against the real pages, API, login and alerting
// service, served in-process on a loopback port. The city is the
// generated demo city (1,594 schools, as `make run` shows it); time is a
// fake clock the tests move, and events enter through the alerting
// engine (no MQTT broker and no InfluxDB: those paths have their own
// integration tests in cmd/campusguard and ingest).
//
// The package has no code of its own beyond this comment; its tests live
// here rather than in cmd/campusguard so that the slowest package of the
// suite does not grow with every board.
package boardtest
