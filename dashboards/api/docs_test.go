package api_test

import (
	"os"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// TestDocsNameEveryStreamEvent: the stream's event lists in docs/api.md
// (Chinese and English) name every lifecycle event, so a new one (such as
// repeated) cannot be left out of what clients are told to expect.
func TestDocsNameEveryStreamEvent(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, line := range strings.Split(string(doc), "\n") {
		for _, marker := range []string{"（`event` 为 ", "(`event` is "} {
			if i := strings.Index(line, marker); i >= 0 {
				rest := line[i+len(marker):]
				if j := strings.IndexAny(rest, "）)"); j >= 0 {
					rest = rest[:j]
				}
				lists = append(lists, rest)
			}
		}
	}
	if len(lists) != 2 {
		t.Fatalf("docs/api.md: %d stream event lists found, want 2 (Chinese and English)", len(lists))
	}
	for _, l := range lists {
		for _, ev := range lifecycle.Events {
			if !strings.Contains(l, ev) {
				t.Errorf("docs/api.md stream event list %q does not name %q", l, ev)
			}
		}
	}
}
