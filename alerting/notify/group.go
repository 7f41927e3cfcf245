package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// Grouping defaults of the people-facing robots (Alertmanager's group_by,
// group_wait and group_interval, tuned for alerts that need action within
// minutes).
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 2 * time.Minute
	DefaultGroupMaxAlerts = 40
)

// GroupLabels are what GroupOptions.By may name.
var GroupLabels = []string{"rule", "region", "severity", "school"}

// GroupOptions gather a receiver's non-P0 notifications into digests: one
// message for the notifications with the same By labels and the same event.
// The first notification of a group waits Wait for others to join it; after
// a digest is sent the group's next one waits until Interval has passed.
// P0 notifications are never grouped. The zero value does not group.
type GroupOptions struct {
	By        []string      // of GroupLabels; default rule, region
	Wait      time.Duration // default 30s
	Interval  time.Duration // default 2m
	MaxAlerts int           // alerts listed in one message (more make more messages); default 40
}

// RobotGroup is the grouping of the WeCom and DingTalk robots.
func RobotGroup() GroupOptions {
	return GroupOptions{By: []string{"rule", "region"}, Wait: DefaultGroupWait, Interval: DefaultGroupInterval, MaxAlerts: DefaultGroupMaxAlerts}
}

func (o *GroupOptions) enabled() bool {
	return o.Wait > 0 || o.Interval > 0 || len(o.By) > 0 || o.MaxAlerts > 0
}

// withDefaults fills the zero fields of an enabled GroupOptions.
func (o GroupOptions) withDefaults() GroupOptions {
	if !o.enabled() {
		return o
	}
	d := RobotGroup()
	if len(o.By) == 0 {
		o.By = d.By
	}
	if o.Wait == 0 {
		o.Wait = d.Wait
	}
	if o.Interval == 0 {
		o.Interval = d.Interval
	}
	if o.MaxAlerts == 0 {
		o.MaxAlerts = d.MaxAlerts
	}
	return o
}

// validate names the first invalid field.
func (o *GroupOptions) validate() error {
	for i, l := range o.By {
		if !slices.Contains(GroupLabels, l) {
			return fmt.Errorf("group.by[%d] must be one of %s: %q", i, strings.Join(GroupLabels, ", "), l)
		}
		if slices.Contains(o.By[:i], l) {
			return fmt.Errorf("group.by[%d]: %q twice", i, l)
		}
	}
	switch {
	case o.Wait < 0:
		return fmt.Errorf("group.wait must be > 0: %s", o.Wait)
	case o.Interval < 0:
		return fmt.Errorf("group.interval must be > 0: %s", o.Interval)
	case o.MaxAlerts < 0:
		return fmt.Errorf("group.max_alerts must be > 0: %d", o.MaxAlerts)
	}
	return nil
}

func (o *GroupOptions) equal(p *GroupOptions) bool {
	return slices.Equal(o.By, p.By) && o.Wait == p.Wait && o.Interval == p.Interval && o.MaxAlerts == p.MaxAlerts
}

// groupKey renders the By labels of n plus its event: notifications with
// the same key share a digest.
func (o *GroupOptions) groupKey(n *Notification) string {
	var b strings.Builder
	b.WriteString(n.Event)
	for _, l := range o.By {
		b.WriteByte(0)
		b.WriteString(groupLabel(&n.Alert, l))
	}
	return b.String()
}

func groupLabel(a *alerting.Alert, label string) string {
	switch label {
	case "rule":
		return string(a.Rule)
	case "region":
		return a.Region
	case "severity":
		return string(a.Severity)
	case "school":
		return a.School
	}
	return ""
}

// group is one aggregation group of a receiver: its open entry (collecting
// notifications until it is due) and when its last digest went out.
type group struct {
	key      string
	open     *entry
	lastSent time.Time
}
