package auth

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// Audit actions.
const (
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLogout      = "logout"
	// The handling loop (issue 8): each step with its alert and note.
	ActionAck    = "ack"    // acknowledge, or a school's receipt of a P0
	ActionReport = "report" // the school's report (detail: note and evidence link)
	ActionClose  = "close"  // the owner's close or verification (also POST …/resolve)
	ActionReturn = "return" // the owner sent the report back
	// ActionHandlingRefused is a handling step the permission matrix
	// refused (403): a school trying to close its own alert, say.
	ActionHandlingRefused = "handling_refused"
	// ActionResolve named a close before issue 8; records written since
	// say close. Kept so that older audit records still read.
	ActionResolve       = "resolve"
	ActionSilenceCreate = "silence_create"
	ActionSilenceExpire = "silence_expire"
	// ActionSilenceRefused is a silence create or expire refused with
	// 400 or 403 (a role, jurisdiction or limit it broke).
	ActionSilenceRefused = "silence_refused"
	ActionExport         = "export"
	// Alarm test windows registered and cancelled (issue 8).
	ActionAlarmTestCreate = "alarm_test_create"
	ActionAlarmTestCancel = "alarm_test_cancel"
)

// AuditEvent is one thing a person or integration did.
type AuditEvent struct {
	Time     time.Time
	Actor    string // user or token name; for login_failed the name tried
	Role     string // "" for a failed login
	Action   string // one of the Action constants
	Target   string // alert id, silence id, export path
	Detail   string // note, reason and matchers, query; at most maxDetail characters
	RemoteIP string
}

// Auditor records audit events. Audit is called on the request's goroutine
// and must not block: one that may (a spool, a network) goes behind an
// AuditQueue.
type Auditor interface {
	Audit(e AuditEvent)
}

// Auditors hands each event to every auditor in turn.
type Auditors []Auditor

// Audit implements Auditor.
func (as Auditors) Audit(e AuditEvent) {
	for _, a := range as {
		a.Audit(e)
	}
}

// LogAuditor writes audit events to a zerolog logger, at info level with
// message "audit".
type LogAuditor struct {
	Logger zerolog.Logger
}

// Audit implements Auditor.
func (l LogAuditor) Audit(e AuditEvent) {
	ev := l.Logger.Info().Str("component", "dashboards.auth").Time("at", e.Time).
		Str("action", e.Action).Str("actor", e.Actor)
	for _, f := range [][2]string{{"role", e.Role}, {"target", e.Target}, {"detail", e.Detail}, {"ip", e.RemoteIP}} {
		if f[1] != "" {
			ev = ev.Str(f[0], f[1])
		}
	}
	ev.Msg("audit")
}

// LineProtocolAuditor turns audit events into InfluxDB line protocol points
// of measurement "audit" and hands each to Append (the InfluxDB writer's
// queue): tags action and role (low cardinality), string fields actor,
// target, detail and ip. The timestamp is the event's millisecond plus a
// hash of the event below it, so that two events in one millisecond both
// stay and a replay overwrites itself. Append may block (a full spool):
// put the auditor behind an AuditQueue.
type LineProtocolAuditor struct {
	Append func(ctx context.Context, rec []byte)
}

// Audit implements Auditor.
func (l LineProtocolAuditor) Audit(e AuditEvent) { l.AuditContext(context.Background(), e) }

// AuditContext implements ContextAuditor.
func (l LineProtocolAuditor) AuditContext(ctx context.Context, e AuditEvent) {
	l.Append(ctx, AppendLineProtocol(nil, e))
}

// AppendLineProtocol appends the line protocol point of e to dst, ending
// in '\n'.
func AppendLineProtocol(dst []byte, e AuditEvent) []byte {
	dst = append(dst, "audit"...)
	dst = appendTag(dst, "action", e.Action)
	dst = appendTag(dst, "role", e.Role)
	dst = append(dst, ' ')
	dst = appendStrField(dst, "actor", e.Actor, true)
	dst = appendStrField(dst, "target", e.Target, false)
	dst = appendStrField(dst, "detail", e.Detail, false)
	dst = appendStrField(dst, "ip", e.RemoteIP, false)
	dst = append(dst, ' ')
	h := fnv32(e.Action + "\x00" + e.Actor + "\x00" + e.Target + "\x00" + e.Detail + "\x00" + e.RemoteIP + "\x00" + strconv.Itoa(e.Time.Nanosecond()))
	dst = strconv.AppendInt(dst, e.Time.UnixMilli()*1e6+int64(h%1e6), 10)
	return append(dst, '\n')
}

// Line protocol escaping: tag values escape comma, equals and space; string
// fields escape double quote and backslash; line breaks and other control
// characters become spaces, so a point stays one line.
var (
	tagEscaper   = strings.NewReplacer(`\`, `\\`, ",", `\,`, "=", `\=`, " ", `\ `, "\n", `\ `, "\r", `\ `, "\t", `\ `)
	fieldEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ", "\r", " ")
)

func appendTag(dst []byte, k, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, ',')
	dst = append(dst, k...)
	dst = append(dst, '=')
	return append(dst, tagEscaper.Replace(stripControl(v))...)
}

func appendStrField(dst []byte, k, v string, first bool) []byte {
	if v == "" && !first {
		return dst
	}
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, k...)
	dst = append(dst, `="`...)
	dst = append(dst, fieldEscaper.Replace(stripControl(v))...)
	return append(dst, '"')
}

// stripControl turns ASCII control characters other than tab and line
// breaks (which the escapers handle) into spaces.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// maxDetail bounds an audit detail and an attempted login name, in
// characters.
const (
	maxDetail    = 500
	maxActorName = 64
)

// truncate cuts s to n characters, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
