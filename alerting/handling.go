package alerting

// Actor is who acts on an alert: a person and the agency they act for.
type Actor struct {
	Name   string
	Agency Audience // police, education, market or school
	Admin  bool     // a system administrator: may do what the owner may
}

// Action is one step of the handling loop.
type Action string

// Actions on an alert.
const (
	ActAck    Action = "ack"    // acknowledge (确认); by the school: acknowledge receipt (签收)
	ActReport Action = "report" // the school reports what it did (整改反馈)
	ActClose  Action = "close"  // the owner verifies and closes (复核通过 / 关闭)
	ActReturn Action = "return" // the owner sends the report back (退回)
)

// Permit reports whether who may take act on a, by the rule-owner matrix
// (the one place it is decided; the lifecycle and the API both ask here):
//
//   - ack: the owner or an administrator acknowledges; on a P0 nobody else
//     may, except the school, whose acknowledgement only records receipt
//     (AckStopsEscalation); on other alerts anyone in the audience may.
//   - report: the school (or an administrator) while the alert is open.
//   - close: the owner or an administrator, never the school.
//   - return: the owner or an administrator, while a report waits.
//
// Jurisdiction (which schools a person sees) is the caller's to check.
func Permit(a *Alert, who Actor, act Action) bool {
	owner := who.Admin || (who.Agency != "" && who.Agency == a.Owner)
	switch act {
	case ActAck:
		if owner {
			return true
		}
		if who.Agency == SchoolAud {
			return inAudience(a, SchoolAud)
		}
		return a.Severity != P0 && inAudience(a, who.Agency)
	case ActReport:
		return who.Admin || (who.Agency == SchoolAud && inAudience(a, SchoolAud))
	case ActClose:
		return owner
	case ActReturn:
		return owner && a.Handling == Reported
	}
	return false
}

// AckStopsEscalation reports whether who's acknowledgement of a moves it to
// Acknowledged (stopping reminders and, for a panic, the escalation to
// alarm_unacked). A school's acknowledgement of a P0 records receipt only:
// only the police stop a P0 escalation.
func AckStopsEscalation(a *Alert, who Actor) bool {
	if a.Severity != P0 {
		return true
	}
	return who.Admin || who.Agency == a.Owner
}

func inAudience(a *Alert, x Audience) bool {
	for _, v := range a.Audience {
		if v == x {
			return true
		}
	}
	return false
}
