// Package influx owns the storage end of ingest: it drains the on-disk spool
// into InfluxDB, in batches, through influxdb-client-go's blocking v2 write
// API (/api/v2/write), so the same code serves InfluxDB 2.x/3.x and 1.8+
// (bucket "database/retention").
//
// The guarantee is at least once. A spool batch is committed only after
// InfluxDB has accepted each of its records, or has rejected a record for
// good and that record is fsynced into the dead-letter file. Nothing is ever
// dropped: while InfluxDB is down, slow, or refusing the credentials, the
// Writer retries the same batch with jittered backoff, forever, and the
// spool grows on disk until it can replay. A record written twice (after a
// crash, a timeout that hid a success, or a split batch) overwrites itself:
// InfluxDB identifies a point by measurement, tag set and timestamp.
//
// Failures are told apart by the client's error type and HTTP status, never
// by message text: no answer, 5xx, 429, 401, 403 and 404 are transient; any
// other 4xx (bad line protocol, field type conflict, "partial write") means
// some record of the request is at fault, and the request is split in halves
// until the rejected records stand alone. A request InfluxDB does not answer
// within Options.Timeout is sent again in halves, and requests stay that
// small until they succeed (limit.go).
//
// A batch InfluxDB accepted is never written again because the spool
// could not commit it: the commit itself is retried (a full disk once made
// the writer rewrite one batch millions of times).
//
// It must not touch MQTT (acknowledging messages is the ingest pipeline's
// job once the spool has them), decoding, or alerting: it sees only line
// protocol. The async WriteAPI of the client is not used, as it drops
// batches on overflow and retries in memory.
package influx
