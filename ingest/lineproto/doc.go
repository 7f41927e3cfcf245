// Package lineproto encodes a validated devices.Event as one InfluxDB line
// protocol point, following docs/protocol.md "InfluxDB".
//
// Shape of a point:
//
//   - measurement: the vocabulary entry's Measurement (heartbeat, alarm,
//     access, guard, kitchen);
//   - tags, sorted by key: region, school, kind, device; the entry's
//     low-cardinality enum fields marked Tag (direction, method, role, code,
//     state, category, status, ...) when present; type (the event type) on
//     every measurement but heartbeat, which instead has source=heartbeat or
//     source=status; tier (1, 2 or 3) on kitchen.violation;
//   - fields: every other vocabulary field present, typed by its FieldSpec
//     (strings quoted, integers with the i suffix, floats, booleans), plus
//     id (string, always, so a point is never empty), seq (integer, when
//     given), vendor_code (string, when given), lag_ms (integer
//     Received - TS, only on a late or early point: |lag| ≥ LateAfter, 10 s) and device_ts (integer Unix ms, only when decode
//     replaced a skewed alarm ts by the receive time: the device's own time). A field name has one type per measurement across all
//     event types; the tests walk the vocabulary to keep it so;
//   - timestamp in nanoseconds: TS in whole milliseconds times 1e6, plus
//     fnv1a32(id) mod 1e6.
//
// The timestamp rule makes writes idempotent: InfluxDB identifies a point by
// measurement, tag set and timestamp, so a replayed spool segment or an MQTT
// redelivery of an event (same device, same id, same ts) overwrites itself
// instead of counting twice, while two distinct events of one device in the
// same millisecond land on different nanoseconds instead of overwriting
// each other (unless their ids collide modulo 1e6, about one pair in a
// million). Sub-millisecond precision of TS is given up for this.
//
// Append writes exactly one line ending in '\n', so records concatenate into
// a write body. ASCII control characters become spaces (a tab survives in
// string fields): line protocol cannot carry a newline, and this keeps every
// point one line that every InfluxDB parser accepts (see escape.go). Append
// allocates nothing when dst has room.
//
// This package owns the mapping from the event vocabulary to InfluxDB
// points. It knows nothing of networks, clients, batching or retries (that is
// ingest/influx) and does not validate events (that is ingest/decode): it
// trusts an Event that decode produced.
package lineproto
