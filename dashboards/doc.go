// Package dashboards will own campusguard's web UI, HTTP API, access
// control and the Grafana dashboards. It reads alerting state and the
// registry; it never touches MQTT or the spool.
//
// Not built yet: see the dashboards issue.
package dashboards
