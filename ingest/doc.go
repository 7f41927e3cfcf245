// Package ingest owns the path of a device message from the MQTT
// subscription to durable storage: decode and validate against the
// registry, drop duplicates, encode as line protocol, append to the on-disk
// spool, and only then acknowledge to the broker. The InfluxDB writer
// (ingest/influx) drains the spool on its own schedule, so storage batching
// and retries never hold up acceptance or the alerting fast path.
//
// Sub-packages: mqtt (subscription), decode (payload contract), dedup
// (duplicate ids and sequence gaps), lineproto (InfluxDB encoding), spool
// (durable queue), influx (writer), broker (embedded MQTT broker), testenv
// (real servers for integration tests).
//
// ingest never imports alerting or dashboards; cmd wires them together
// through the Sink interface.
package ingest
