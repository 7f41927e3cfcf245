// Package compliance owns the five compliance measures of domain.md
// ("Compliance measures"): closed_campus, guard_staffing, protection_post,
// alarm_link and bright_kitchen, per school and local day (Asia/Shanghai),
// rolled up per region (county) and for the city, and the "four 100%"
// verdict (the first four measures all hold).
//
// A Module (NewModule) runs on the alerting engine beside the rule modules:
// it fires no rules, it only records, per school, when devices were
// present, gates always open, links down, cameras good and people checked
// in at posts. A Store keeps those records (concurrency-safe: the engine
// shards write, the HTTP API and the periodic InfluxDB writer read),
// computes today so far on demand, freezes each day at local midnight and
// keeps the last 31 days in memory. docs/compliance.md explains every
// measure, threshold and rule of applicability.
//
// compliance reads open alerts through an injected function (the lifecycle
// owns alerts); it never imports ingest, touches no storage or network and
// uses only the engine clock on the write path.
package compliance
