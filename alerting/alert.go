package alerting

import (
	"fmt"
	"time"
)

// Severity orders how fast someone must act.
type Severity string

// Severities of docs/rules.md.
const (
	P0 Severity = "P0" // critical: seconds
	P1 Severity = "P1" // urgent: minutes
	P2 Severity = "P2" // same day
	P3 Severity = "P3" // daily report
)

// Rank returns 0 for P0 … 3 for P3 (lower is more severe), 4 if unknown.
func (s Severity) Rank() int {
	switch s {
	case P0:
		return 0
	case P1:
		return 1
	case P2:
		return 2
	case P3:
		return 3
	}
	return 4
}

// ParseSeverity checks s.
func ParseSeverity(s string) (Severity, error) {
	if v := Severity(s); v.Rank() < 4 {
		return v, nil
	}
	return "", fmt.Errorf("severity must be P0, P1, P2 or P3: %q", s)
}

// Audience is who is told about an alert.
type Audience string

// Audiences of docs/rules.md.
const (
	Police    Audience = "police"    // 公安
	Education Audience = "education" // 教育局
	Market    Audience = "market"    // 市场监管 / 卫健委
	SchoolAud Audience = "school"    // 学校保卫处
)

// Audiences lists every audience.
var Audiences = []Audience{Police, Education, Market, SchoolAud}

// State is where an alert is in its lifecycle.
type State string

// Alert states.
const (
	Firing       State = "firing"
	Acknowledged State = "acknowledged"
	Resolved     State = "resolved"
)

// Alert is the record every component exchanges: the JSON of the MQTT
// alert topic and the HTTP API (docs/alerts.md "Alerts out"). One alert exists
// per (Rule, School, Subject); a repeat updates it.
type Alert struct {
	ID         string     `json:"id"`
	Rule       RuleID     `json:"rule"`
	Severity   Severity   `json:"severity"`
	State      State      `json:"state"`
	Region     string     `json:"region"`
	School     string     `json:"school"`
	Subject    string     `json:"subject,omitempty"` // what the alert is about: a device, post, window, category
	Device     string     `json:"device"`
	Audience   []Audience `json:"audience"`
	StartedAt  time.Time  `json:"started_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	MessageZH  string     `json:"message_zh"`
	MessageEN  string     `json:"message_en"`
	AckedBy    string     `json:"acked_by"`
	AckedAt    *time.Time `json:"acked_at,omitempty"`
	Note       string     `json:"note"`
	Count      int        `json:"count"`                // how many times the condition fired while open
	Escalated  bool       `json:"escalated,omitempty"`  // not acknowledged in time
	Silenced   bool       `json:"silenced,omitempty"`   // a silence matched when it fired
	DueAt      *time.Time `json:"due_at,omitempty"`     // rectification deadline (kitchen violations; kitchen_overdue: the one it missed)
	Snapshot   string     `json:"snapshot,omitempty"`   // the device's evidence reference (kitchen.violation "snapshot": URL or object key), latest detection
	Resolution string     `json:"resolution,omitempty"` // auto | manual | verified

	// The handling loop (派单 → 处置 → 反馈 → 复核): the owning agency
	// closes; the school acknowledges receipt and reports what it did.
	Owner      Audience   `json:"owner"`                 // the agency that closes it (catalogue RuleInfo.Owner)
	ClearedAt  *time.Time `json:"cleared_at,omitempty"`  // the condition ended by itself; a NeedsClose alert stays open
	ReceivedBy string     `json:"received_by,omitempty"` // the school's acknowledgement of receipt (签收)
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	Handling   Handling   `json:"handling,omitempty"`    // where the school's report stands
	Feedback   string     `json:"feedback,omitempty"`    // the school's last report (整改反馈)
	Evidence   string     `json:"evidence,omitempty"`    // optional http(s) link the report gave (photo, document)
	ReportedBy string     `json:"reported_by,omitempty"` // who reported last
	ReportedAt *time.Time `json:"reported_at,omitempty"`
	ReviewedBy string     `json:"reviewed_by,omitempty"` // the owner who last verified or sent back
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
	ReviewNote string     `json:"review_note,omitempty"` // why it was sent back, or the verification note
	ClosedBy   string     `json:"closed_by,omitempty"`   // who closed it by hand
}

// Handling is where the school's report on an alert stands.
type Handling string

// Handling states. "" means nobody has reported yet.
const (
	Reported Handling = "reported" // the school reported what it did; the owner has to verify (待复核)
	Returned Handling = "returned" // the owner sent the report back (退回); the school must report again
)

// Key identifies the one alert of a (rule, school, subject).
type Key struct {
	Rule    RuleID
	School  string
	Subject string
}

// Key returns the alert's identity.
func (a *Alert) Key() Key { return Key{a.Rule, a.School, a.Subject} }

// String renders a key for logs and ids.
func (k Key) String() string { return string(k.Rule) + "/" + k.School + "/" + k.Subject }

// Open reports whether the alert still needs someone.
func (a *Alert) Open() bool { return a.State != Resolved }

// Condition is what a rule reports: a lapse that holds (Firing) or has
// cleared (!Firing) for a (rule, school, subject) at a time.
type Condition struct {
	Rule      RuleID
	Region    string
	School    string
	Subject   string
	Device    string
	Severity  Severity // the rule's severity for this occurrence (may depend on school hours)
	Firing    bool
	At        time.Time
	MessageZH string
	MessageEN string
	DueAt     *time.Time
	Snapshot  string // evidence reference from the event (kitchen.violation "snapshot"); "" for none
	// Hold is set on the school_offline conditions that say whether the
	// school's outage is pending rather than whether the alert fires: every
	// device is offline or has missed a heartbeat, or the school has just
	// come back and some devices have not yet. Firing then means hold on,
	// !Firing hold off. While held, the lifecycle inhibits the school's
	// device-offline alerts as it does while school_offline is open. Such a
	// condition creates or resolves no alert.
	Hold bool
}

// Key returns the alert identity the condition is about.
func (c *Condition) Key() Key { return Key{c.Rule, c.School, c.Subject} }

// Events of an alert change: what the lifecycle records, the alert topic,
// the webhooks and the live stream carry (field "event").
const (
	EventFired        = "fired"        // a new alert people must be told about
	EventUpdated      = "updated"      // a repeat, a severity rise, or the end of a silence or inhibition
	EventAcknowledged = "acknowledged" // someone took it on
	EventResolved     = "resolved"     // closed, automatically or by hand
	EventEscalated    = "escalated"    // not acknowledged in time
	EventReminder     = "reminder"     // still open and unacknowledged
	EventSilenced     = "silenced"     // recorded, but a silence matches: do not notify
	EventInhibited    = "inhibited"    // recorded, but the school is offline as a whole: do not notify
	EventRepeated     = "repeated"     // a new panic press on an open panic alert, or a cleared alert's condition back: it fires again
	EventCleared      = "cleared"      // the condition ended by itself; the alert waits for its owner to close it
	EventReceived     = "received"     // the school acknowledged receipt (签收); does not stop an escalation
	EventReported     = "reported"     // the school reported what it did (整改反馈)
	EventReturned     = "returned"     // the owner sent the report back (退回)
	EventVerified     = "verified"     // the owner verified and closed it (复核通过); followed by resolved
)
