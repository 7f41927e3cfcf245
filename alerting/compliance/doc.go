// Package compliance owns the five compliance measures of docs/compliance.md
// ("Compliance measures"): closed_campus, guard_staffing, protection_post,
// alarm_link and bright_kitchen, per school and local day (Asia/Shanghai),
// with a verdict each — met, not met, not applicable, not judged —, rolled
// up per region (county) and for the city over every school in scope, over
// a day, an ISO week, a month or a term of the school calendar, and the
// "four 100%" verdict (the first four measures).
//
// A Module (NewModule) runs on the alerting engine beside the rule modules:
// it fires no rules, it only records, per school, when devices were
// present, gates always open, links down, cameras good and people checked
// in at posts. A Store keeps those records (concurrency-safe: the engine
// shards write, the HTTP API and the periodic InfluxDB writer read),
// computes today so far on demand, freezes each day at local midnight,
// keeps the last Retention days in full and HistoryDays of verdicts, and
// takes the verdicts stored in InfluxDB back at start-up (Restore, through
// a HistorySource: package influxhistory). docs/compliance.md explains
// every measure, verdict, threshold and period.
//
// compliance reads open alerts through an injected function (the lifecycle
// owns alerts) and history through an injected HistorySource; it never
// imports ingest, touches no storage or network itself and uses only the
// engine clock on the write path.
package compliance
