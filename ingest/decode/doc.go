// Package decode turns one MQTT message from a school security device into a
// validated devices.Event, or rejects it with a *RejectError whose Reason is
// one of a closed set (AllReasons) fit for a metric label.
//
// It enforces the device contract of docs/protocol.md:
//
//   - the topic campus/{region}/{school}/{kind}/{device}/{channel}: region is
//     6 digits, school and device match [a-z0-9-]{1,64}, kind is a
//     devices.Kind, channel is event, heartbeat or status; the device must be
//     in the registry with exactly that school, region and kind, so a device
//     cannot speak for another school;
//   - the payload: at most Options.MaxPayload bytes of UTF-8 holding one JSON
//     object; on the event channel id, ts and a type of the device's kind
//     from the vocabulary (devices.Vocabulary), each type-specific field
//     checked against its FieldSpec (JSON type, required, enum, range, at
//     most devices.MaxStringLen bytes); a guard check-in or check-out names
//     one of the school's posts;
//   - the heartbeat channel: ts required, type optional but "heartbeat" or
//     the kind's own "heartbeat.<kind>" when given (another kind's is
//     wrong_kind), fields per devices.HeartbeatSpec; a heartbeat without id gets
//     the deterministic id "hb-<ts in Unix ms>", so a redelivery keeps it;
//   - the status channel: the plain payload online or offline (the usual MQTT
//     last will), stamped with the receive time and id "st-<Unix ms>", or
//     {"status": "online"|"offline", "ts": ...} where ts and id are
//     optional (a will is composed at connect time, so its ts may be stale);
//   - ts is RFC 3339 with an offset or integer Unix milliseconds, within
//     [now-MaxAge, now+MaxFuture]; Event.TS is UTC. An alarm terminal's
//     message is never dropped for its timestamp: outside the window it
//     gets the receive time as TS, keeps its own in Event.DeviceTS and is
//     counted (Decoder.Collector);
//   - a field with a registry reference (FieldSpec.Ref, e.g. post) holds a
//     value the school registered: such fields may be InfluxDB tags.
//
// Forward compatibility: members the vocabulary does not name are ignored
// (their JSON syntax is still checked), so devices may send more than the
// contract lists. A JSON null counts as absent. A member named twice is
// rejected (bad_json), as are ids with control characters; string field
// values are kept as sent.
//
// Decode is allocation-lean (a hand-written scanner, no reflection): an
// accepted message costs at most two allocations, its Values slice and one
// string that holds its id, vendor_code and string field values (see
// strs); TestDecodeAllocs keeps it so. A Decoder keeps only atomic counters and is safe for
// concurrent use; to reload the registry, hand New a Registry that swaps
// atomically.
//
// This package owns message validation and nothing else: it knows nothing
// of MQTT clients, acknowledgements, deduplication, InfluxDB or alerting,
// and it never modifies the registry.
package decode
