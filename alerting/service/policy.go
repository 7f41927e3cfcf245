package service

import "github.com/campusguard/campusguard/alerting/lifecycle"

// notifiable says which lifecycle events reach people: not repeats
// (updated), and not what a silence or inhibition holds back.
func notifiable(event string) bool {
	switch event {
	case lifecycle.EventFired, lifecycle.EventAcknowledged, lifecycle.EventResolved,
		lifecycle.EventEscalated, lifecycle.EventReminder:
		return true
	}
	return false
}
