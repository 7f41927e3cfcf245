// Package dashboards groups what people and other systems see of
// campusguard: the HTTP API and live event stream (dashboards/api), access
// control (dashboards/auth), the web pages (dashboards/web) and the Grafana
// dashboards (dashboards/grafana). They read alerting state and the
// registry; they never touch MQTT, the spool or the rule engine's state
// directly.
package dashboards
