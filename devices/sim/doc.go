// Package sim generates realistic MQTT traffic for a devices.Registry: the
// heartbeats and status of every device, and a school day's events on
// virtual time (gate arrivals and dismissals, guard shifts, protection posts
// and patrols, kitchen camera status and violations, monthly alarm tests),
// with injectable faults and scripted fault plans (Plan; DemoPlan is what
// `make run` shows). With Options.Rate it is also campusguard's load
// generator, adding uniform traffic on top of the realistic pattern.
//
// Messages follow docs/protocol.md's contract: topic
// campus/{region}/{school}/{kind}/{device}/{channel}, QoS 1, JSON payloads
// with id, ts, type and the device's seq. Heartbeats carry type
// "heartbeat.<kind>" and the status channel (retained) carries
// {"type":"status","status":"online"|"offline"}, the vocabulary's names
// for them. Payloads are rendered with strconv and append into a reused
// buffer, without encoding/json.
//
// It owns the simulation (scheduling, payload rendering, faults), the
// Publisher interface through which messages leave, and an MQTT Publisher
// that spreads messages over several paho connections. Step generates
// deterministically without a broker, for tests and benchmarks.
//
// It reads the registry and the event vocabulary of package devices but must
// not change them, and it must not import ingest, alerting or dashboards:
// its messages reach campusguard only through a broker, as real devices do.
// (Its tests start a real Mosquitto with ingest/testenv, which imports
// nothing of campusguard.)
package sim
