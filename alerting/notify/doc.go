// Package notify owns the delivery of alert changes to the people and
// systems outside campusguard: the MQTT alert topic that police platforms
// subscribe to (campus/alerts/{region}/{school}, QoS 1, docs/alerts.md "Alerts
// out"), and webhooks (generic JSON, WeCom and DingTalk group robots).
//
// It owns:
//   - the Dispatcher: routing by audience, region and severity; one bounded
//     priority queue and one goroutine per receiver, so a slow or dead
//     receiver never delays another; P0 first, then by severity, in order
//     within a severity; jittered exponential backoff; when a queue is full
//     the oldest of the least severe non-P0 notifications is shed, never a
//     P0; for the people-facing robots, digests per group (group_by, wait,
//     interval as in Alertmanager; P0 never grouped) and pacing under the
//     robot's limit with a reserve for P0; all timing on an injectable
//     Clock; the campusguard_notify_* metrics;
//   - the receivers (MQTTNotifier, WebhookNotifier) and the wire formats:
//     the alert JSON (the alerting.Alert record plus "event") and the
//     bilingual markdown of the group robots;
//   - the notifications config file (receivers and routes, strict YAML,
//     secrets only through environment variables).
//
// Metrics, labelled by the configured receiver name: campusguard_notify_
// sent_total{receiver,result} (ok | error | dropped), dropped_total{severity}
// (queue overflow), failed_attempts_total, digests_total, queue_length and
// delivery_seconds (from Send to delivery).
//
// It must not decide what to send or when: alert state, escalation,
// reminders, silences and inhibition belong to alerting/lifecycle, which
// calls Dispatcher.Send. It never imports ingest, never blocks its caller,
// and keeps nothing on disk: a notification still queued when Run ends is
// lost (the lifecycle's alert store is the record of truth).
package notify
