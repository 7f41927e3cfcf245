// Package mqtt owns campusguard's MQTT subscription: one persistent-session,
// fixed-client-id, QoS 1 connection to the broker that re-subscribes on every
// reconnect and hands each message to a Handler together with an explicit
// acknowledgement. Automatic acknowledgement is off: the broker's copy of a
// message is released only when the handler calls Ack, which the ingest
// pipeline does once the event is durable in the spool (at-least-once).
//
// It hides paho behind the narrow Client interface so tests can drive the
// handler without a broker. It knows nothing of payloads, the registry or
// InfluxDB.
package mqtt
