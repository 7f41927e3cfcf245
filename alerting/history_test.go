package alerting

import (
	"strings"
	"testing"
	"time"
)

func TestAlertLineProtocol(t *testing.T) {
	start := time.Date(2026, 11, 30, 7, 12, 3, 0, time.UTC)
	end := start.Add(90 * time.Second)
	a := Alert{ID: "al-1", Rule: AlarmPanic, Severity: P0, State: Resolved, Region: "130802", School: "cd-0001",
		Subject: "cd-0001-alarm-1", Device: "cd-0001-alarm-1", StartedAt: start, ResolvedAt: &end,
		MessageZH: "一键报警：承德市第一中学 传达室", MessageEN: `panic "button", pressed`, AckedBy: "police 110", Note: "drill\nover", Count: 2}
	got := string(a.AppendLineProtocol(nil, "resolved", end))
	want := `alert,event=resolved,region=130802,rule=alarm_panic,school=cd-0001,severity=P0,state=resolved ` +
		`id="al-1",subject="cd-0001-alarm-1",device="cd-0001-alarm-1",message_zh="一键报警：承德市第一中学 传达室",` +
		`message_en="panic \"button\", pressed",acked_by="police 110",note="drill over",count=2i,duration_s=90 `
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\n") {
		t.Fatalf("got  %q\nwant %q…", got, want)
	}
	// Same alert and event: same timestamp (idempotent); other event: another.
	again := string(a.AppendLineProtocol(nil, "resolved", end))
	other := string(a.AppendLineProtocol(nil, "acknowledged", end))
	if again != got || other[strings.LastIndexByte(other[:len(other)-1], ' '):] == got[strings.LastIndexByte(got[:len(got)-1], ' '):] {
		t.Errorf("timestamps: replay must repeat, another event must differ:\n%s%s", got, other)
	}
}

// TestAlertLineProtocolHandling: every step of the handling loop is in the
// alert's history.
func TestAlertLineProtocolHandling(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a := Alert{ID: "al-2", Rule: KitchenViolation, Severity: P2, State: Resolved, Region: "130802", School: "cd-0001",
		Owner: Market, Handling: Reported, Feedback: "已整改, \"盖好\"", Evidence: "https://pics.example.cn/a b.jpg",
		ReceivedBy: "canteen", ReportedBy: "canteen", ReviewedBy: "inspector", ReviewNote: "复核通过", ClosedBy: "inspector",
		Resolution: "verified", StartedAt: at, ResolvedAt: &at}
	got := string(a.AppendLineProtocol(nil, EventVerified, at))
	want := `,owner="market",handling="reported",feedback="已整改, \"盖好\"",evidence="https://pics.example.cn/a b.jpg",` +
		`received_by="canteen",reported_by="canteen",reviewed_by="inspector",review_note="复核通过",closed_by="inspector",` +
		`resolution="verified",count=0i`
	if !strings.Contains(got, want) || !strings.HasPrefix(got, "alert,event=verified,") {
		t.Fatalf("got  %q\nwant …%q…", got, want)
	}
}
