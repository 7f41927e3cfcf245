package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/campusguard/campusguard/alerting"
)

// TopicPrefix is the first two levels of the MQTT alert topic,
// campus/alerts/{region}/{school} (docs/alerts.md "Alerts out").
const TopicPrefix = "campus/alerts"

// Marshal renders the alert JSON of the MQTT topic and the generic webhook:
// exactly the JSON of alerting.Alert, with "event" added as the last field.
func Marshal(n Notification) ([]byte, error) {
	b, err := json.Marshal(&n.Alert)
	if err != nil {
		return nil, fmt.Errorf("%w: alert %s: %w", ErrInvalid, n.Alert.ID, err)
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("%w: alert %s: not a JSON object", ErrInvalid, n.Alert.ID)
	}
	ev, err := json.Marshal(n.Event)
	if err != nil {
		return nil, fmt.Errorf("%w: event: %w", ErrInvalid, err)
	}
	var out bytes.Buffer
	out.Grow(len(b) + len(ev) + 10)
	out.Write(b[:len(b)-1])
	if len(b) > 2 {
		out.WriteByte(',')
	}
	out.WriteString(`"event":`)
	out.Write(ev)
	out.WriteByte('}')
	return out.Bytes(), nil
}

// CityLevel stands for region and school in the topic of a city-wide alert
// (one with neither, such as calendar_expiring): campus/alerts/city/city.
// Region codes are digits and school ids are registry ids, so it names
// neither; a county reader account (campus/alerts/<region>/#) does not see
// it, a city-wide one (campus/alerts/#) does.
const CityLevel = "city"

// Topic returns the MQTT topic of alert a, campus/alerts/{region}/{school},
// or campus/alerts/city/city for a city-wide alert. Otherwise region and
// school must be non-empty topic levels without wildcards.
func Topic(a *alerting.Alert) (string, error) {
	if a.Region == "" && a.School == "" {
		return TopicPrefix + "/" + CityLevel + "/" + CityLevel, nil
	}
	for _, l := range []struct{ name, v string }{{"region", a.Region}, {"school", a.School}} {
		if l.v == "" || strings.ContainsAny(l.v, "/+#\x00") || !utf8.ValidString(l.v) {
			return "", fmt.Errorf("%w: alert %s: %s %q is not a valid topic level", ErrInvalid, a.ID, l.name, l.v)
		}
	}
	return TopicPrefix + "/" + a.Region + "/" + a.School, nil
}
