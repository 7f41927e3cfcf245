// Package grafana holds campusguard's Grafana dashboards (*.json) and
// provisioning files (provisioning/), and a test that runs every dashboard
// query on a real InfluxDB 1.8 loaded with simulated data. It has no code
// of its own; docs/grafana.md explains the dashboards.
package grafana
