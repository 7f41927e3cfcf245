// Package alerting owns campusguard's alerts: the rule catalogue of
// docs/rules.md (ids, default severities, audiences, bilingual titles), the
// Alert record every other component exchanges, and the Condition a rule
// reports. Sub-packages own the parts of the pipeline:
//
//   - deadline: the timer structure holding every device's and window's
//     next deadline (a million of them);
//   - config: the strict rules file with per-region and per-school overrides;
//   - engine: per-school state sharded across workers, evaluating rules on
//     events and deadlines with an injectable clock;
//   - lifecycle: firing → acknowledged → resolved, escalation, reminders,
//     silences, inhibition, start-up grace, persistence;
//   - notify: the MQTT alert topic and webhooks;
//   - compliance: the five measures per school, region and city;
//   - alarmtest: alarm test windows (registered and scheduled) and the one
//     answer to "was this a successful alarm test?" that the alarm rules
//     and compliance share;
//   - service: the running pipeline that ties them together (queues,
//     fan-out to notifications, the live stream and the history,
//     the periodic ticker, the notification policy, registry reload).
//
// alerting consumes devices.Event values that cmd hands it; it never
// imports ingest, and never waits on storage or notification delivery:
// the engine's conditions and the lifecycle's changes only queue, and the
// history (written through the ingest spool, which blocks while full) has
// a bounded lane of its own that drops and counts rather than waits.
package alerting
