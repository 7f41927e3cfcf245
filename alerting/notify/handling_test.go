package notify

import (
	"slices"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
)

// TestHandlingEventsReachTheirSide (issue 8): a school's report goes to the
// owning agency, not back to the school; a report sent back goes to the
// school, not to the agency; the alert topic carries both; other events
// reach the whole audience as before.
func TestHandlingEventsReachTheirSide(t *testing.T) {
	topic, market, school, edu := newFake(nil), newFake(nil), newFake(nil), newFake(nil)
	routes := []Route{
		{Name: "alert-topic", Notifier: topic},
		{Name: "market", Audiences: []alerting.Audience{alerting.Market}, Notifier: market},
		{Name: "school", Audiences: []alerting.Audience{alerting.SchoolAud}, Notifier: school},
		{Name: "education", Audiences: []alerting.Audience{alerting.Education}, Notifier: edu},
	}
	violation := alertWith("k", alerting.P2, "130802", alerting.Market, alerting.SchoolAud)
	violation.Rule, violation.Owner = alerting.KitchenViolation, alerting.Market
	for _, tc := range []struct {
		event string
		want  []string
	}{
		{EventFired, []string{"alert-topic", "market", "school"}},
		{EventReported, []string{"alert-topic", "market"}},
		{EventReturned, []string{"alert-topic", "school"}},
	} {
		t.Run(tc.event, func(t *testing.T) {
			d, _ := newTestDispatcher(t, Options{}, routes)
			d.Send(Notification{Alert: violation, Event: tc.event})
			var got []string
			for _, r := range d.receivers {
				if r.q.len() > 0 {
					got = append(got, r.name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("queued for %v, want %v", got, tc.want)
			}
		})
	}
}

// TestMarkdownShowsTheReport: the robots' message of a returned report
// names the report, its evidence and why it was sent back.
func TestMarkdownShowsTheReport(t *testing.T) {
	a := alertWith("k", alerting.P2, "130802", alerting.Market, alerting.SchoolAud)
	a.Rule, a.Owner, a.Handling = alerting.KitchenViolation, alerting.Market, alerting.Returned
	a.Feedback, a.Evidence, a.ReviewNote = "已盖好垃圾桶", "https://pics.example.cn/a.jpg", "照片看不清"
	md := renderMarkdown(&Notification{Alert: a, Event: EventReturned}, "\n", false)
	for _, want := range []string{"整改反馈被退回", "**整改反馈**：已盖好垃圾桶", "**佐证链接**：https://pics.example.cn/a.jpg",
		"**退回原因**：照片看不清", "report sent back", "**Sent back because**: 照片看不清"} {
		if !strings.Contains(md.text, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.text)
		}
	}
}

// TestRepeatedOfAClearedAlertIsNotAPress: a gate forced again after its
// alert cleared goes out as repeated; the robots must not call it a press.
func TestRepeatedOfAClearedAlertIsNotAPress(t *testing.T) {
	a := alertWith("g", alerting.P1, "130802", alerting.Police, alerting.SchoolAud)
	md := renderMarkdown(&Notification{Alert: a, Event: EventRepeated}, "\n", false)
	if strings.Contains(md.text, "再次按下") || strings.Contains(md.text, "pressed again") ||
		!strings.Contains(md.text, "已消除后再次发生") || !strings.Contains(md.text, "happened again after it had cleared") {
		t.Fatalf("repeated gate_forced:\n%s", md.text)
	}
	p := panicAlert()
	if md := renderMarkdown(&Notification{Alert: p, Event: EventRepeated}, "\n", false); !strings.Contains(md.text, "再次按下报警") {
		t.Fatalf("repeated panic:\n%s", md.text)
	}
}
