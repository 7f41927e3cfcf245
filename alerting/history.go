package alerting

import (
	"strconv"
	"strings"
	"time"
)

// AppendLineProtocol appends the InfluxDB line protocol of one alert
// change to dst: measurement "alert", low-cardinality tags (region, school,
// rule, severity, state, event) and the alert's ids and texts as fields,
// with the handling loop's (owner, handling, feedback, evidence,
// received_by, reported_by, reviewed_by, review_note, closed_by,
// resolution) when set.
// at is the change's time; its nanosecond part is made unique per alert id
// and event so that two changes of one alert in the same millisecond both
// stay, and a replay overwrites itself.
func (a *Alert) AppendLineProtocol(dst []byte, event string, at time.Time) []byte {
	dst = append(dst, "alert"...)
	dst = appendTag(dst, "event", event)
	dst = appendTag(dst, "region", a.Region)
	dst = appendTag(dst, "rule", string(a.Rule))
	dst = appendTag(dst, "school", a.School)
	dst = appendTag(dst, "severity", string(a.Severity))
	dst = appendTag(dst, "state", string(a.State))
	dst = append(dst, ' ')
	dst = appendStrField(dst, "id", a.ID, true)
	dst = appendStrField(dst, "subject", a.Subject, false)
	dst = appendStrField(dst, "device", a.Device, false)
	dst = appendStrField(dst, "message_zh", a.MessageZH, false)
	dst = appendStrField(dst, "message_en", a.MessageEN, false)
	dst = appendStrField(dst, "acked_by", a.AckedBy, false)
	dst = appendStrField(dst, "note", a.Note, false)
	// The handling loop: who owns it, where the school's report stands,
	// who received, reported, reviewed and closed it.
	dst = appendStrField(dst, "owner", string(a.Owner), false)
	dst = appendStrField(dst, "handling", string(a.Handling), false)
	dst = appendStrField(dst, "feedback", a.Feedback, false)
	dst = appendStrField(dst, "evidence", a.Evidence, false)
	dst = appendStrField(dst, "received_by", a.ReceivedBy, false)
	dst = appendStrField(dst, "reported_by", a.ReportedBy, false)
	dst = appendStrField(dst, "reviewed_by", a.ReviewedBy, false)
	dst = appendStrField(dst, "review_note", a.ReviewNote, false)
	dst = appendStrField(dst, "closed_by", a.ClosedBy, false)
	dst = appendStrField(dst, "resolution", a.Resolution, false)
	dst = append(dst, ",count="...)
	dst = strconv.AppendInt(dst, int64(a.Count), 10)
	dst = append(dst, 'i')
	if a.ResolvedAt != nil {
		dst = append(dst, ",duration_s="...)
		dst = strconv.AppendFloat(dst, a.ResolvedAt.Sub(a.StartedAt).Seconds(), 'f', -1, 64)
	}
	dst = append(dst, ' ')
	ns := at.UnixMilli()*1e6 + int64(fnv32(a.ID+"/"+event)%1e6)
	dst = strconv.AppendInt(dst, ns, 10)
	return append(dst, '\n')
}

var tagEscaper = strings.NewReplacer(",", `\,`, "=", `\=`, " ", `\ `, "\n", " ", "\r", " ")
var fieldEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ", "\r", " ")

func appendTag(dst []byte, k, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, ',')
	dst = append(dst, k...)
	dst = append(dst, '=')
	return append(dst, tagEscaper.Replace(v)...)
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
	dst = append(dst, fieldEscaper.Replace(v)...)
	return append(dst, '"')
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
