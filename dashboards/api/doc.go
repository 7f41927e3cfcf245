// Package api owns campusguard's HTTP API under /api/v1/: alerts (list,
// get, acknowledge, resolve), silences, compliance, a school's page data
// and the live alert stream (server-sent events). Every answer is cut to
// what the asking Viewer may see: their regions and schools, and the
// alert audiences of their role. docs/api.md describes each route.
//
// Authentication is not its job: a middleware in front of Handler puts
// the Viewer into the request context with WithViewer. Until that
// middleware exists, Options.DefaultViewer stands in.
//
// It reads alerting state through the small Alerts and Compliance
// interfaces (a *lifecycle.Manager and a *compliance.Store satisfy them)
// and the registry through a function; it starts no goroutine of its own
// (each stream runs on its request's goroutine) and never touches MQTT,
// InfluxDB or the spool.
package api
