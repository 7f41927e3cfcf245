package notify

import (
	"fmt"
	"slices"

	"github.com/campusguard/campusguard/alerting"
)

// Route sends the alerts it matches to one receiver. An alert matches when
// it is for one of Audiences, in one of Regions and at least as severe as
// MinSeverity; an empty field matches every alert.
//
// Several routes may name the same receiver (with the same Notifier): a
// notification that matches more than one of them is still delivered once.
type Route struct {
	// Name is the receiver's name: the queue, the goroutine and the
	// metric label "receiver". Keep it low-cardinality.
	Name string
	// Audiences: the alert matches when its audience list shares one of
	// these. Empty matches every alert, even one without an audience (the
	// MQTT alert topic carries every alert, docs/alerts.md).
	Audiences []alerting.Audience
	// Regions are 6-digit division codes; empty matches every region. A
	// city code (ending in 00, e.g. 130800) matches its districts
	// (1308xx), a province code (ending in 0000) its whole province.
	Regions []string
	// MinSeverity: P1 matches P0 and P1. Empty matches every severity.
	MinSeverity alerting.Severity
	Notifier    Notifier
	// Group gathers the receiver's non-P0 notifications into digests
	// (people-facing robots only: the Notifier must be a DigestNotifier
	// other than a generic webhook). Zero sends one message per
	// notification. Routes naming one receiver must carry the same Group.
	Group GroupOptions
	// Rate paces the receiver's messages (zero: no pacing). Routes naming
	// one receiver must carry the same Rate.
	Rate RateOptions
}

// Matches reports whether the route wants alert a.
func (r *Route) Matches(a *alerting.Alert) bool {
	if r.MinSeverity != "" && a.Severity.Rank() > r.MinSeverity.Rank() {
		return false
	}
	if len(r.Regions) > 0 && !slices.ContainsFunc(r.Regions, func(code string) bool { return regionCovers(code, a.Region) }) {
		return false
	}
	if len(r.Audiences) > 0 && !slices.ContainsFunc(a.Audience, func(au alerting.Audience) bool { return slices.Contains(r.Audiences, au) }) {
		return false
	}
	return true
}

// regionCovers reports whether division code covers region: itself, or a
// district of a city code (xxxx00) or of a province code (xx0000).
func regionCovers(code, region string) bool {
	if code == region {
		return true
	}
	if len(code) != 6 || len(region) != 6 {
		return false
	}
	switch {
	case code[2:] == "0000":
		return region[:2] == code[:2]
	case code[4:] == "00":
		return region[:4] == code[:4]
	}
	return false
}

// validate reports the first invalid field of the route, naming it.
func (r *Route) validate() error {
	if r.Name == "" {
		return fmt.Errorf("name is required")
	}
	if r.Notifier == nil {
		return fmt.Errorf("receiver %q: notifier is required", r.Name)
	}
	for _, a := range r.Audiences {
		if !slices.Contains(alerting.Audiences, a) {
			return fmt.Errorf("receiver %q: audiences: unknown audience %q (want police, education, market or school)", r.Name, a)
		}
	}
	for _, code := range r.Regions {
		if !isDivisionCode(code) {
			return fmt.Errorf("receiver %q: regions: %q is not a 6-digit division code", r.Name, code)
		}
	}
	if r.MinSeverity != "" {
		if _, err := alerting.ParseSeverity(string(r.MinSeverity)); err != nil {
			return fmt.Errorf("receiver %q: min_severity: %w", r.Name, err)
		}
	}
	if err := r.Group.validate(); err != nil {
		return fmt.Errorf("receiver %q: %w", r.Name, err)
	}
	if w, ok := r.Notifier.(*WebhookNotifier); ok && w.format == FormatGeneric && r.Group.enabled() {
		return fmt.Errorf("receiver %q: group: the generic webhook sends one alert per message (only the wecom and dingtalk robots send digests)", r.Name)
	}
	if err := r.Rate.validate(); err != nil {
		return fmt.Errorf("receiver %q: %w", r.Name, err)
	}
	return nil
}

func isDivisionCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
