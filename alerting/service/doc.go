// Package service owns the running alerting pipeline: the engine's
// conditions queue into the lifecycle, and every lifecycle change fans out
// to notifications (through the notification policy), the live stream
// (dashboards) and the alert history, each on its own lane; a ticker drives
// escalation, reminders and the compliance rows; Reload swaps the
// registry everywhere alerting reads it.
//
// History goes through a bounded queue to its own goroutine, so a full or
// failing store (the ingest spool) never holds up a notification or the
// live stream: when the queue is full a history record is dropped and
// counted (campusguard_alerting_history_dropped_total).
//
// The package never imports ingest: history goes to a HistoryAppender
// that cmd supplies (the spool).
package service
