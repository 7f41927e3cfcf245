package decode_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/decode"
)

// TestHeartbeatTypeMatchesProtocolDoc pins the heartbeat channel's type
// rule and checks docs/protocol.md says the same: "heartbeat" and the
// kind's own "heartbeat.<kind>" are accepted (commit 5c2552b: the
// simulator and vendors name heartbeats by the vocabulary), another kind's
// heartbeat type is wrong_kind, anything else unknown_type. The doc used to
// say "heartbeat.alarm" was rejected as unknown_type.
func TestHeartbeatTypeMatchesProtocolDoc(t *testing.T) {
	d := newDecoder()
	for _, k := range devices.Kinds {
		topic := topicOf(k, deviceOf(k), devices.ChannelHeartbeat)
		for _, typ := range []string{"heartbeat", "heartbeat." + string(k)} {
			e, err := d.Decode(topic, []byte(`{"ts":"`+tsText+`","type":"`+typ+`"}`), received)
			if err != nil || e.Type != "heartbeat."+string(k) {
				t.Errorf("%s heartbeat type %q: %v, type %q", k, typ, err, e.Type)
			}
		}
		for _, other := range devices.Kinds {
			if other == k {
				continue
			}
			_, err := d.Decode(topic, []byte(`{"ts":"`+tsText+`","type":"heartbeat.`+string(other)+`"}`), received)
			if got := decode.ReasonOf(err); got != decode.ReasonWrongKind {
				t.Errorf("%s heartbeat with type heartbeat.%s: reason %q, want wrong_kind", k, other, got)
			}
		}
	}

	doc, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	// No line may present a kind's own heartbeat type as unknown_type.
	own := regexp.MustCompile(`"heartbeat\.(alarm|access|guard|kitchencam)"`)
	for i, line := range strings.Split(string(doc), "\n") {
		if strings.Contains(line, "unknown_type") && own.MatchString(line) && !strings.Contains(line, "wrong_kind") {
			t.Errorf("docs/protocol.md:%d says a vocabulary heartbeat type is unknown_type: %s", i+1, line)
		}
	}
	if !strings.Contains(string(doc), "`\"heartbeat.<kind>\"`") {
		t.Error(`docs/protocol.md does not document the accepted heartbeat type "heartbeat.<kind>"`)
	}
}
