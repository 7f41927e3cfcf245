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
// campus/130802/+/alarm/+/event). main holds what else the filters match.
// MQTT filters cannot exclude, so a filter whose kind level is a wildcard
// (+ or #) goes to main unchanged: main then also receives the alarm
// events (the pipeline's dedup evaluates and stores each once, whichever
// session brings it first), and it still receives messages under kinds
// the registry does not know, so they are rejected and counted
// (unknown_kind) instead of never being seen. A filter naming the alarm
// kind with a wildcard channel is spelled per channel on main
// (campus/+/+/alarm/+/+ gives campus/+/+/alarm/+/heartbeat and
// .../status). A filter that cannot match an alarm event goes to main
// unchanged. Both results are free of duplicates and keep the input's order.
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
		if len(levels) <= levelKind || levels[levelKind] == "+" || levels[levelKind] == "#" {
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

// withoutAlarmEvents spells a six-level filter naming the alarm kind as
// the filters for its other channels.
func withoutAlarmEvents(levels []string) []string {
	var out []string
	if levels[levelChannel] == "+" {
		for _, ch := range []devices.Channel{devices.ChannelHeartbeat, devices.ChannelStatus} {
			l := append([]string(nil), levels...)
			l[levelChannel] = string(ch)
			out = append(out, strings.Join(l, "/"))
		}
	}
	return out
}
