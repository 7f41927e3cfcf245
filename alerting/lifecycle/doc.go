// Package lifecycle owns what happens to an alert after a rule reports a
// Condition: the one alert of each (rule, school, subject) going from
// firing to acknowledged to resolved; the handling loop between the school
// and the owning agency (actions.go: Ack, Report, Return, Close, asking
// alerting.Permit and alerting.AckStopsEscalation only, so that a school's
// receipt of a P0 never stops its escalation and a school never closes);
// "cleared is not closed" (a NeedsClose rule's condition that ends only
// sets cleared_at); escalation of unacknowledged P0/P1 alerts (with the
// separate alarm_unacked alert for panic presses), reminders,
// kitchen_overdue when an alert passes its deadline unreported,
// silences (drills, maintenance) and their policy (who may silence which
// rules, for how long: silencepolicy.go), inhibition of device-offline
// alerts by school_offline and by the school module's outage hold
// (Condition.Hold), a new press on an open panic firing it again (event
// repeated), the start-up grace period that stops an offline-alert storm,
// and the persistence of open alerts, acknowledgements and silences across
// restarts (BoltStore, write-through). Notifiable says which changes reach
// people.
//
// Every change reaches the caller through Options.OnChange after it is
// stored, in the order the changes were made; notify, the dashboards' SSE
// stream and the InfluxDB history consume it.
//
// It must not evaluate rules (alerting/engine and alerting/rules do), deliver
// notifications (alerting/notify does), or import ingest. It starts no
// goroutine: Tick is driven by the caller's clock loop.
package lifecycle
