package decode

import (
	"strings"

	"github.com/campusguard/campusguard/devices"
)

// topicPrefix is the first level of every device topic.
const topicPrefix = "campus/"

// maxIDLevel bounds the school and device levels ([a-z0-9-]{1,64}).
const maxIDLevel = 64

// topic is a parsed device topic. Its strings are substrings of the topic.
type topic struct {
	region  string
	school  string
	kind    devices.Kind
	device  string
	channel devices.Channel
}

// parseTopic splits campus/{region}/{school}/{kind}/{device}/{channel} and
// checks the syntax of every level; it consults no registry.
func parseTopic(s string) (topic, *RejectError) {
	var t topic
	rest, ok := strings.CutPrefix(s, topicPrefix)
	if !ok {
		return t, reject(ReasonBadTopic, "want campus/{region}/{school}/{kind}/{device}/{channel}, got "+quote(s))
	}
	var lv [5]string
	for i := range lv {
		if i == len(lv)-1 {
			lv[i] = rest
			break
		}
		var found bool
		lv[i], rest, found = strings.Cut(rest, "/")
		if !found {
			return t, reject(ReasonBadTopic, "want 6 levels, got "+quote(s))
		}
	}
	t.region, t.school, t.device = lv[0], lv[1], lv[3]
	if !isRegion(t.region) {
		return t, reject(ReasonBadTopic, "region must be 6 digits, got "+quote(t.region))
	}
	if !isIDLevel(t.school) {
		return t, reject(ReasonBadTopic, "school must match [a-z0-9-]{1,64}, got "+quote(t.school))
	}
	if !isIDLevel(t.device) {
		return t, reject(ReasonBadTopic, "device must match [a-z0-9-]{1,64}, got "+quote(t.device))
	}
	if strings.IndexByte(lv[4], '/') >= 0 {
		return t, reject(ReasonBadTopic, "want 6 levels, got "+quote(s))
	}
	kind, ok := parseKind(lv[2])
	if !ok {
		return t, reject(ReasonUnknownKind, "kind "+quote(lv[2])+" is not alarm, access, guard or kitchencam")
	}
	t.kind = kind
	switch ch := devices.Channel(lv[4]); ch {
	case devices.ChannelEvent, devices.ChannelHeartbeat, devices.ChannelStatus:
		t.channel = ch
	default:
		return t, reject(ReasonBadChannel, "channel "+quote(lv[4])+" is not event, heartbeat or status")
	}
	return t, nil
}

// parseKind is devices.ParseKind without the error allocation.
func parseKind(s string) (devices.Kind, bool) {
	for _, k := range devices.Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

func isRegion(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isIDLevel(s string) bool {
	if len(s) == 0 || len(s) > maxIDLevel {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
