package notify

import "github.com/campusguard/campusguard/alerting"

// The handling loop's events reach fewer people than the alert's whole
// audience (lifecycle.Notifiable decides which events are sent at all):
//
//	reported  the school reported what it did: the owning agency, who must verify (待复核)
//	returned  the owner sent the report back: the school, who must act again (退回)
//
// cleared, received and verified are recorded and streamed, not notified
// (an alert that is only cleared stays open; a receipt changes nothing the
// owner acts on; a verification is followed by its resolved). Routes
// without audiences (the MQTT alert topic) still carry every notified
// event: platforms keep their copy of the alert whole.

// recipients returns the audiences n is for, when its event narrows them;
// nil means the alert's own audience.
func recipients(n *Notification) []alerting.Audience {
	switch n.Event {
	case EventReported:
		if n.Alert.Owner != "" {
			return []alerting.Audience{n.Alert.Owner}
		}
	case EventReturned:
		return []alerting.Audience{alerting.SchoolAud}
	}
	return nil
}
