// Package influxhistory reads the compliance day rows that the alerting
// service writes to InfluxDB (measurement "compliance", see
// compliance.Store.LineProtocol) back into compliance.DayRecords, so that a
// restarted service has its past days again (compliance.Store.Restore).
//
// It owns only the query (Flux, through influxdb-client-go's query API:
// InfluxDB 1.8 with flux-enabled, and 2.x) and the mapping of rows to
// records; it writes nothing (the service writes through the ingest spool)
// and knows nothing of how verdicts are computed.
package influxhistory
