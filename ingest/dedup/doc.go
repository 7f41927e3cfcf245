// Package dedup remembers which events ingest has already stored, so that
// an MQTT redelivery (QoS 1 is at-least-once) or a device's retransmission
// is not counted twice, and counts per-device sequence gaps (messages a
// device sent that never arrived).
//
// A Tracker holds (device, id) pairs for a time window in two generations
// of hash sets that rotate every window, so an entry is remembered for at
// least one window and at most two. Memory is bounded twice over: by the
// rotation, and by a hard cap on entries past which the older generation is
// dropped early (counted in Stats.Dropped). Pairs are stored as 128-bit
// keyed hashes, not strings, so an entry costs about 20-40 bytes and holds
// no payload memory; a false "seen" would need a 128-bit collision.
//
// The window is a trade-off: redeliveries arrive within seconds to minutes
// (reconnects, broker restarts), and InfluxDB writes are idempotent anyway
// (see ingest/lineproto), so dedup mainly protects the alerting engine
// from acting on one event twice.
//
// This package owns only that memory. It knows nothing of MQTT, decoding,
// storage or metrics registries (the caller exports Stats); its clock is
// injected.
package dedup
