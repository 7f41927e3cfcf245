package decode

import (
	"errors"
	"strconv"
)

// Reason is why a message was rejected. The set is closed: every rejection
// carries one of the constants below, so callers may use it as a metric
// label (campusguard_ingest_rejected_total{reason="..."}).
type Reason string

// Rejection reasons, roughly in the order Decode checks them.
const (
	ReasonBadTopic      Reason = "bad_topic"       // not campus/{region}/{school}/{kind}/{device}/{channel}, or a malformed level
	ReasonBadChannel    Reason = "bad_channel"     // last level is not event, heartbeat or status
	ReasonUnknownKind   Reason = "unknown_kind"    // kind level is not a devices.Kind
	ReasonUnknownDevice Reason = "unknown_device"  // device not in the registry
	ReasonTopicMismatch Reason = "topic_mismatch"  // region, school or kind disagree with the registry
	ReasonOversize      Reason = "oversize"        // payload larger than Options.MaxPayload
	ReasonBadUTF8       Reason = "bad_utf8"        // payload is not valid UTF-8
	ReasonBadJSON       Reason = "bad_json"        // not one JSON object (syntax, trailing data, duplicate key, too deep)
	ReasonMissingID     Reason = "missing_id"      // event without id
	ReasonBadID         Reason = "bad_id"          // id not a string, empty, too long or with control characters
	ReasonMissingType   Reason = "missing_type"    // event without type
	ReasonUnknownType   Reason = "unknown_type"    // type not in the vocabulary (or not "heartbeat" on the heartbeat channel)
	ReasonWrongKind     Reason = "wrong_kind"      // type belongs to another device kind
	ReasonMissingField  Reason = "missing_field"   // a required type-specific field is absent
	ReasonBadFieldType  Reason = "bad_field_type"  // a field has the wrong JSON type
	ReasonBadFieldValue Reason = "bad_field_value" // a field is outside its enum, range or length
	ReasonMissingTS     Reason = "missing_ts"      // no ts
	ReasonBadTS         Reason = "bad_ts"          // ts neither RFC 3339 with offset nor integer Unix milliseconds
	ReasonTSFuture      Reason = "ts_future"       // ts more than Options.MaxFuture ahead of now
	ReasonTSPast        Reason = "ts_past"         // ts more than Options.MaxAge behind now
	ReasonBadSeq        Reason = "bad_seq"         // seq not a non-negative integer
	ReasonBadStatus     Reason = "bad_status"      // status payload neither online nor offline
	ReasonUnknownPost   Reason = "unknown_post"    // guard check-in/out at a post the school does not have

	// ReasonOther is what ReasonOf reports for an error that is not a
	// *RejectError. Decode never returns one; it keeps the label set closed.
	ReasonOther Reason = "other"
)

// AllReasons lists every Reason, so metrics can pre-create their label
// values.
var AllReasons = []Reason{
	ReasonBadTopic, ReasonBadChannel, ReasonUnknownKind, ReasonUnknownDevice, ReasonTopicMismatch,
	ReasonOversize, ReasonBadUTF8, ReasonBadJSON,
	ReasonMissingID, ReasonBadID, ReasonMissingType, ReasonUnknownType, ReasonWrongKind,
	ReasonMissingField, ReasonBadFieldType, ReasonBadFieldValue,
	ReasonMissingTS, ReasonBadTS, ReasonTSFuture, ReasonTSPast,
	ReasonBadSeq, ReasonBadStatus, ReasonUnknownPost, ReasonOther,
}

// RejectError is the error Decode returns for every message it refuses.
// Detail is for logs: it quotes at most a short prefix of offending input.
type RejectError struct {
	Reason Reason
	Detail string
}

// Error returns "decode: <reason>: <detail>".
func (e *RejectError) Error() string {
	return "decode: " + string(e.Reason) + ": " + e.Detail
}

// ReasonOf returns the Reason of err when it is (or wraps) a *RejectError,
// "" when err is nil, and ReasonOther otherwise.
func ReasonOf(err error) Reason {
	if err == nil {
		return ""
	}
	var re *RejectError
	if errors.As(err, &re) {
		return re.Reason
	}
	return ReasonOther
}

func reject(r Reason, detail string) *RejectError {
	return &RejectError{Reason: r, Detail: detail}
}

// maxQuoted bounds how much of a device's input a Detail repeats.
const maxQuoted = 64

// quote returns s as a Go-quoted string, cut to maxQuoted bytes, safe to log.
func quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "..."
	}
	return strconv.Quote(s)
}
