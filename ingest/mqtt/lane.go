package mqtt

import (
	"strings"

	"github.com/campusguard/campusguard/devices"
)

// AlarmEventTopic is the alarm lane's subscription: the events of every
// one-button alarm terminal (alarm.panic, alarm.test, alarm.trouble,
// alarm.link). Their heartbeats and status stay on the main session.
const AlarmEventTopic = "campus/+/+/alarm/+/event"

// alarmEventLevels is AlarmEventTopic split into levels.
var alarmEventLevels = strings.Split(AlarmEventTopic, "/")

// Topic levels of campus/{region}/{school}/{kind}/{device}/{channel}.
const (
	levelKind    = 3
	levelChannel = 5
)

// SplitAlarmLane divides device topic filters between two sessions: alarm
// holds, for every filter that can match an alarm event, that filter
// narrowed to alarm events (campus/130802/+/+/+/+ gives
// campus/130802/+/alarm/+/event); main holds the rest of what the filters
// match, spelled per kind and channel because MQTT filters cannot exclude
// (campus/+/+/+/+/+ gives campus/+/+/access/+/+, .../guard/..., ...,
// campus/+/+/alarm/+/heartbeat and campus/+/+/alarm/+/status). A filter
// that cannot match an alarm event goes to main unchanged. A filter with #
// cannot be narrowed: it goes to main unchanged and its alarm part to
// alarm as well, so alarm events reach both sessions (the pipeline's
// dedup evaluates and stores each once). Both results are free of
// duplicates and keep the input's order.
func SplitAlarmLane(filters []string) (main, alarm []string) {
	seen := map[string]bool{}
	add := func(dst *[]string, f string) {
		if !seen[f] {
			seen[f] = true
			*dst = append(*dst, f)
		}
	}
	for _, f := range filters {
		levels := strings.Split(f, "/")
		narrowed, ok := narrowToAlarm(levels)
		if !ok {
			add(&main, f)
			continue
		}
		add(&alarm, narrowed)
		if levels[len(levels)-1] == "#" {
			add(&main, f)
			continue
		}
		for _, rest := range withoutAlarmEvents(levels) {
			add(&main, rest)
		}
	}
	return main, alarm
}

// narrowToAlarm returns the filter matching what levels and
// AlarmEventTopic both match, if they overlap.
func narrowToAlarm(levels []string) (string, bool) {
	out := make([]string, len(alarmEventLevels))
	for i, t := range alarmEventLevels {
		if i >= len(levels) {
			return "", false
		}
		l := levels[i]
		if l == "#" {
			copy(out[i:], alarmEventLevels[i:])
			return strings.Join(out, "/"), true
		}
		switch {
		case l == "+":
			out[i] = t
		case t == "+" || l == t:
			out[i] = l
		default:
			return "", false
		}
	}
	if len(levels) != len(alarmEventLevels) {
		return "", false
	}
	return strings.Join(out, "/"), true
}

// withoutAlarmEvents spells a six-level filter that overlaps the alarm
// events as the filters for everything else it matches.
func withoutAlarmEvents(levels []string) []string {
	with := func(kind, channel string) string {
		l := append([]string(nil), levels...)
		l[levelKind], l[levelChannel] = kind, channel
		return strings.Join(l, "/")
	}
	var out []string
	if levels[levelKind] == "+" {
		for _, k := range devices.Kinds {
			if k != devices.KindAlarm {
				out = append(out, with(string(k), levels[levelChannel]))
			}
		}
	}
	if levels[levelChannel] == "+" {
		for _, ch := range []devices.Channel{devices.ChannelHeartbeat, devices.ChannelStatus} {
			out = append(out, with(string(devices.KindAlarm), string(ch)))
		}
	}
	return out
}
