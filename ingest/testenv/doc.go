// Package testenv starts the real servers that campusguard's integration tests run against:
// a Mosquitto broker and an InfluxDB 1.8 server, each on free loopback ports, configured in
// the test's temporary directory and stopped when the test ends.
//
// It owns only the lifecycle of those processes (finding the binaries, generating their
// configuration, waiting until they answer, stopping them) and a few helpers to inspect
// InfluxDB through its HTTP API. It must not import campusguard's own packages, so that any
// package's tests can use it; and it never touches a system-wide broker or database.
//
// The binaries are found through CAMPUSGUARD_MOSQUITTO and CAMPUSGUARD_INFLUXD, which
// `make test` sets (after `make deps` installs them); without those variables, testenv looks
// for var/bin/influxd in the module root and for both binaries on PATH. When a binary is
// missing the test is skipped, unless CAMPUSGUARD_REQUIRE_SERVERS=1, when it fails: `make test`
// sets that, so integration tests cannot silently vanish from CI.
package testenv
