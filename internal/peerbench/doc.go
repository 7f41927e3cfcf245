// Package peerbench owns the side-by-side benchmark of campusguard against
// its peer, Telegraf (`make bench-peer`): the same burst of QoS 1 device
// messages through one real Mosquitto into one real InfluxDB 1.8, consumed
// by campusguard or by a Telegraf built with only mqtt_consumer, json_v2
// and influxdb_v2, on fresh servers for every run, runs alternating. It
// also runs campusguard alone at the demo city's steady rate and idle.
//
// The package holds what the runs need and what can be tested without
// servers: reading a process's CPU time and peak RSS from /proc, the burst's
// topics and payloads, Telegraf's configuration, and the statistics and
// report (medians, ratios, the acceptance verdict). The runs themselves are
// benchmarks in peer_test.go, skipped unless CAMPUSGUARD_PEER=1 (set by
// `make bench-peer`), because they take minutes.
//
// What the figures cover: whole processes (every goroutine, the kernel time
// of their syscalls, GC), measured from outside through /proc, not
// micro-benchmarks. Publishers run in the benchmark's own process and are
// not counted; InfluxDB's CPU is counted separately.
package peerbench
