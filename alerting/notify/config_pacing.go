package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// GroupConfig is a robot receiver's grouping (webhook.group): its non-P0
// notifications go out as digests. The wecom and dingtalk formats group by
// default; the generic webhook and the MQTT alert topic never do (machines
// there need each alert).
type GroupConfig struct {
	Disabled  bool          `yaml:"disabled"`   // one message per notification
	By        []string      `yaml:"by"`         // default [rule, region]; of rule, region, severity, school
	Wait      time.Duration `yaml:"wait"`       // default 30s
	Interval  time.Duration `yaml:"interval"`   // default 2m
	MaxAlerts int           `yaml:"max_alerts"` // alerts listed in one message; default 40
}

// RateConfig paces a webhook (webhook.rate): at most limit messages in any
// window of per, reserve of them kept for P0. The wecom and dingtalk formats
// default to 20 a minute with 5 reserved; a generic webhook is not paced
// unless it has a rate with a limit.
type RateConfig struct {
	Disabled bool          `yaml:"disabled"`
	Limit    int           `yaml:"limit"`   // default 20 (robots)
	Per      time.Duration `yaml:"per"`     // default 1m
	Reserve  *int          `yaml:"reserve"` // default limit/4
}

func (w *WebhookConfig) robot() bool { return w.Format == FormatWeCom || w.Format == FormatDingTalk }

// validatePacing checks group and rate; p is the webhook's field path.
func (w *WebhookConfig) validatePacing(p string, bad func(string, string, ...any)) {
	if g := w.Group; g != nil {
		gp := p + ".group"
		if !w.robot() && w.Format != "" {
			bad(gp, "only the wecom and dingtalk formats send digests, not %s", w.Format)
		}
		for i, l := range g.By {
			if !slices.Contains(GroupLabels, l) {
				bad(fmt.Sprintf("%s.by[%d]", gp, i), "must be one of %s: %q", strings.Join(GroupLabels, ", "), l)
			} else if slices.Contains(g.By[:i], l) {
				bad(fmt.Sprintf("%s.by[%d]", gp, i), "%q is listed twice", l)
			}
		}
		if g.Wait < 0 {
			bad(gp+".wait", "must be > 0: %s", g.Wait)
		}
		if g.Interval < 0 {
			bad(gp+".interval", "must be > 0: %s", g.Interval)
		}
		if g.MaxAlerts < 0 {
			bad(gp+".max_alerts", "must be > 0: %d", g.MaxAlerts)
		}
		if g.Disabled && (len(g.By) > 0 || g.Wait != 0 || g.Interval != 0 || g.MaxAlerts != 0) {
			bad(gp+".disabled", "leave the other group options out when grouping is disabled")
		}
	}
	if r := w.Rate; r != nil {
		rp := p + ".rate"
		switch {
		case r.Limit < 0:
			bad(rp+".limit", "must be > 0: %d", r.Limit)
		case r.Limit == 0 && !r.Disabled && !w.robot() && w.Format != "":
			bad(rp+".limit", "is required for the %s format (the robots default to %d)", w.Format, RobotRateLimit)
		}
		if r.Per < 0 {
			bad(rp+".per", "must be > 0: %s", r.Per)
		}
		if r.Reserve != nil {
			if limit := w.rateOptions().Limit; *r.Reserve < 0 || (limit > 0 && *r.Reserve >= limit) {
				bad(rp+".reserve", "must be at least 0 and below the limit %d: %d", limit, *r.Reserve)
			}
		}
		if r.Disabled && (r.Limit != 0 || r.Per != 0 || r.Reserve != nil) {
			bad(rp+".disabled", "leave the other rate options out when pacing is disabled")
		}
	}
}

// groupOptions are the GroupOptions of the webhook (zero: no grouping).
func (w *WebhookConfig) groupOptions() GroupOptions {
	g := w.Group
	if !w.robot() || (g != nil && g.Disabled) {
		return GroupOptions{}
	}
	o := RobotGroup()
	if g != nil {
		if len(g.By) > 0 {
			o.By = slices.Clone(g.By)
		}
		for _, d := range []struct{ dst, src *time.Duration }{{&o.Wait, &g.Wait}, {&o.Interval, &g.Interval}} {
			if *d.src > 0 {
				*d.dst = *d.src
			}
		}
		if g.MaxAlerts > 0 {
			o.MaxAlerts = g.MaxAlerts
		}
	}
	return o
}

// rateOptions are the RateOptions of the webhook (zero: not paced).
func (w *WebhookConfig) rateOptions() RateOptions {
	r := w.Rate
	if r != nil && r.Disabled {
		return RateOptions{}
	}
	var o RateOptions
	if w.robot() {
		o = RobotRate()
	}
	if r == nil {
		return o
	}
	if r.Limit > 0 {
		o.Limit, o.Reserve = r.Limit, r.Limit/4
	}
	if o.Limit == 0 {
		return RateOptions{}
	}
	o.Per = RobotRatePer
	if r.Per > 0 {
		o.Per = r.Per
	}
	if r.Reserve != nil {
		o.Reserve = *r.Reserve
	}
	return o
}
