package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"testing"

	"github.com/campusguard/campusguard/alerting"
)

// TestMarshal: the payload is exactly the Alert's JSON plus "event".
func TestMarshal(t *testing.T) {
	for _, a := range []alerting.Alert{panicAlert(), resolvedAlert(), {}} {
		n := Notification{Alert: a, Event: EventResolved}
		got, err := Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		alertJSON, _ := json.Marshal(a)
		if !bytes.HasPrefix(got, alertJSON[:len(alertJSON)-1]) || !bytes.HasSuffix(got, []byte(`"event":"resolved"}`)) {
			t.Errorf("payload %s\ndoes not extend the alert's JSON %s", got, alertJSON)
		}
		var gotMap, wantMap map[string]any
		if err := json.Unmarshal(got, &gotMap); err != nil {
			t.Fatalf("payload is not JSON: %v\n%s", err, got)
		}
		_ = json.Unmarshal(alertJSON, &wantMap)
		wantMap["event"] = "resolved"
		if !maps.EqualFunc(gotMap, wantMap, func(x, y any) bool { bx, _ := json.Marshal(x); by, _ := json.Marshal(y); return bytes.Equal(bx, by) }) {
			t.Errorf("payload %v, want %v", gotMap, wantMap)
		}
	}
}

func TestTopic(t *testing.T) {
	tests := []struct {
		region, school, want string
	}{
		{"130802", "cd-shuangqiao-no1", "campus/alerts/130802/cd-shuangqiao-no1"},
		{"", "s1", ""},
		{"", "", "campus/alerts/city/city"}, // a city-wide alert (calendar_expiring)
		{"130802", "", ""},
		{"130802", "a/b", ""},
		{"130802", "+", ""},
		{"13080#", "s1", ""},
		{"130802", "s\x00", ""},
	}
	for _, tc := range tests {
		got, err := Topic(&alerting.Alert{Region: tc.region, School: tc.school})
		if got != tc.want || (tc.want == "") != errors.Is(err, ErrInvalid) {
			t.Errorf("Topic(%q, %q) = %q, %v; want %q", tc.region, tc.school, got, err, tc.want)
		}
	}
}
