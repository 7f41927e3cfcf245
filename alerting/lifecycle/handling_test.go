package lifecycle

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// TestSchoolAckOfPanicDoesNotStopEscalation (issue 8): a school that
// acknowledges its own panic only records receipt; alarm_unacked still
// goes to the police after 60 s, and only the police acknowledgement ends
// it.
func TestSchoolAckOfPanicDoesNotStopEscalation(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmPanic, "s1", "alarm-1")
	p := e.one(alerting.AlarmPanic, "s1", "alarm-1")
	e.clock.Add(10 * time.Second)
	got, err := e.m.Ack(p.ID, schoolOf("s1-security"), "收到，正在核实")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != alerting.Firing || got.AckedBy != "" || got.ReceivedBy != "s1-security" ||
		got.ReceivedAt == nil || !got.ReceivedAt.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("after the school's ack: %+v", got)
	}
	if _, err := e.m.Ack(p.ID, schoolOf("s1-security"), ""); !errors.Is(err, ErrAcknowledged) {
		t.Fatalf("second receipt: %v, want ErrAcknowledged", err)
	}
	for _, who := range []alerting.Actor{actor("edu", alerting.Education), marketOf("m")} {
		if _, err := e.m.Ack(p.ID, who, ""); !errors.Is(err, ErrForbidden) {
			t.Fatalf("ack of a P0 by %s: %v, want ErrForbidden", who.Agency, err)
		}
	}
	expectEvents(t, e.rec.take(), "fired alarm_panic", "received alarm_panic")

	e.advance(49 * time.Second) // 59 s after the press
	expectEvents(t, e.rec.take())
	e.advance(time.Second)
	expectEvents(t, e.rec.take(), "escalated alarm_panic", "fired alarm_unacked")
	e.one(alerting.AlarmUnacked, "s1", "alarm-1")

	e.clock.Add(5 * time.Second)
	got, err = e.m.Ack(p.ID, policeOf("110-duty"), "已派警")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != alerting.Acknowledged || got.AckedBy != "110-duty" || got.ReceivedBy != "s1-security" {
		t.Fatalf("after the police ack: %+v", got)
	}
	expectEvents(t, e.rec.take(), "acknowledged alarm_panic", "resolved alarm_unacked")

	// A receipt after the police acknowledgement keeps the police's note.
	e.fire(alerting.AlarmPanic, "s3", "alarm-1")
	p3 := e.one(alerting.AlarmPanic, "s3", "alarm-1")
	if _, err := e.m.Ack(p3.ID, policeOf("110-duty"), "已派警"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.m.Ack(p3.ID, schoolOf("s3-security"), "收到"); err != nil || got.Note != "已派警" ||
		got.ReceivedBy != "s3-security" || got.State != alerting.Acknowledged {
		t.Fatalf("receipt after the police ack: %+v, %v", got, err)
	}
	e.rec.take()

	// The police acknowledging in time: no escalation at all.
	e.fire(alerting.AlarmPanic, "s2", "alarm-1")
	e.clock.Add(30 * time.Second)
	if _, err := e.m.Ack(e.one(alerting.AlarmPanic, "s2", "alarm-1").ID, policeOf("110-duty"), ""); err != nil {
		t.Fatal(err)
	}
	e.advance(5 * time.Minute)
	for _, c := range e.rec.take() {
		if c.Alert.School == "s2" && (c.Event == EventEscalated || c.Alert.Rule == alerting.AlarmUnacked) {
			t.Fatalf("police-acknowledged panic escalated: %s %s", c.Event, c.Alert.Rule)
		}
	}
}

// TestClearedIsNotClosed (issue 8): a forced gate whose condition ends by
// itself is cleared, not closed; it stays open until the police close it
// with a note, and the school can never close it.
func TestClearedIsNotClosed(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateForced, "s1", "g1")
	id := e.one(alerting.GateForced, "s1", "g1").ID
	e.clock.Add(30 * time.Minute)
	e.clear(alerting.GateForced, "s1", "g1")
	a := e.one(alerting.GateForced, "s1", "g1")
	if a.ID != id || a.State != alerting.Firing || a.ClearedAt == nil || !a.ClearedAt.Equal(t0.Add(30*time.Minute)) ||
		a.Owner != alerting.Police {
		t.Fatalf("after the clear: %+v", a)
	}
	e.clear(alerting.GateForced, "s1", "g1") // the access rule may repeat it: nothing new
	expectEvents(t, e.rec.take(), "fired gate_forced", "cleared gate_forced")

	// Forced again after the police acknowledged it: no longer cleared,
	// one more occurrence, and news again (firing, escalation clock anew).
	if _, err := e.m.Ack(id, policeOf("officer"), "on the way"); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	e.fire(alerting.GateForced, "s1", "g1")
	if a := e.one(alerting.GateForced, "s1", "g1"); a.ClearedAt != nil || a.Count != 2 || a.ID != id || a.State != alerting.Firing {
		t.Fatalf("after a new firing: %+v", a)
	}
	expectEvents(t, e.rec.take(), "acknowledged gate_forced", "repeated gate_forced")
	e.fire(alerting.GateForced, "s1", "g1") // while not cleared: an update as before
	expectEvents(t, e.rec.take(), "updated gate_forced")
	e.clock.Add(time.Hour)
	e.clear(alerting.GateForced, "s1", "g1")
	e.advance(48 * time.Hour)
	if a := e.one(alerting.GateForced, "s1", "g1"); a.ClearedAt == nil || a.Count != 3 {
		t.Fatalf("two days later: %+v", a)
	}
	e.rec.take()

	if _, err := e.m.Close(id, schoolOf("s1-security"), "门已修好"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("school close: %v, want ErrForbidden", err)
	}
	if _, err := e.m.Close(id, policeOf("officer"), " "); !errors.Is(err, ErrNoteRequired) {
		t.Fatalf("close without a note: %v, want ErrNoteRequired", err)
	}
	res, err := e.m.Close(id, policeOf("officer"), "现场核查，门锁已更换 / lock replaced")
	if err != nil {
		t.Fatal(err)
	}
	if res.State != alerting.Resolved || res.Resolution != "manual" || res.ClosedBy != "officer" ||
		res.Note != "现场核查，门锁已更换 / lock replaced" {
		t.Fatalf("closed: %+v", res)
	}
	expectEvents(t, e.rec.take(), "resolved gate_forced")
}

// TestReportReturnVerify walks the whole loop on a kitchen violation: the
// school reports, market regulation sends it back, the school reports
// again, market regulation verifies and closes.
func TestReportReturnVerify(t *testing.T) {
	e := newEnv(t, nil)
	due := t0.Add(24 * time.Hour)
	e.m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, School: "s1", Subject: "cam-1/smoking", Severity: alerting.P2,
		Firing: true, At: t0, DueAt: &due})
	id := e.one(alerting.KitchenViolation, "s1", "cam-1/smoking").ID
	cook, inspector := schoolOf("s1-canteen"), marketOf("inspector")

	for _, bad := range []string{"javascript:alert(1)", "ftp://x.cn/a", "pics/a.jpg", "https://", "https://x.cn/a\nb",
		"https://x.cn/" + string(make([]byte, MaxEvidence))} {
		if _, err := e.m.Report(id, cook, "fixed", bad); !errors.Is(err, ErrEvidence) {
			t.Fatalf("evidence %q: %v, want ErrEvidence", bad, err)
		}
	}
	if _, err := e.m.Report(id, cook, "", ""); !errors.Is(err, ErrNoteRequired) {
		t.Fatalf("report without a note: %v", err)
	}
	if _, err := e.m.Report(id, inspector, "did it myself", ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("report by the owner: %v, want ErrForbidden", err)
	}
	if _, err := e.m.Return(id, inspector, "nothing to return"); !errors.Is(err, ErrNotReported) {
		t.Fatalf("return without a report: %v, want ErrNotReported", err)
	}
	e.clock.Add(time.Hour)
	r, err := e.m.Report(id, cook, "已批评教育当事人 / talked to the cook", "https://pics.example.cn/a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if r.Handling != alerting.Reported || r.ReportedBy != "s1-canteen" || r.ReportedAt == nil || r.Evidence != "https://pics.example.cn/a.jpg" ||
		r.Feedback != "已批评教育当事人 / talked to the cook" || r.State != alerting.Firing {
		t.Fatalf("reported: %+v", r)
	}
	if _, err := e.m.Return(id, cook, "no"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("return by the school: %v, want ErrForbidden", err)
	}
	if _, err := e.m.Close(id, cook, "done"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("close by the school: %v, want ErrForbidden", err)
	}
	if _, err := e.m.Return(id, inspector, ""); !errors.Is(err, ErrNoteRequired) {
		t.Fatalf("return without a note: %v", err)
	}
	ret, err := e.m.Return(id, inspector, "需上传整改照片 / photo of the fix needed")
	if err != nil {
		t.Fatal(err)
	}
	if ret.Handling != alerting.Returned || ret.ReviewedBy != "inspector" || ret.ReviewNote != "需上传整改照片 / photo of the fix needed" {
		t.Fatalf("returned: %+v", ret)
	}
	if _, err := e.m.Return(id, inspector, "again"); !errors.Is(err, ErrNotReported) {
		t.Fatalf("second return: %v, want ErrNotReported", err)
	}
	if _, err := e.m.Report(id, cook, "照片已上传", "https://pics.example.cn/b.jpg"); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	res, err := e.m.Close(id, inspector, "复核通过 / verified")
	if err != nil {
		t.Fatal(err)
	}
	if res.State != alerting.Resolved || res.Resolution != "verified" || res.ClosedBy != "inspector" ||
		res.ReviewedBy != "inspector" || res.ReviewNote != "复核通过 / verified" || res.Feedback != "照片已上传" {
		t.Fatalf("verified: %+v", res)
	}
	expectEvents(t, e.rec.take(), "fired kitchen_violation", "reported kitchen_violation", "returned kitchen_violation",
		"reported kitchen_violation", "verified kitchen_violation", "resolved kitchen_violation")
	if _, err := e.m.Report(id, cook, "late", ""); !errors.Is(err, ErrResolved) {
		t.Fatalf("report on a closed alert: %v, want ErrResolved", err)
	}
}

// TestOverdueFollowsTheReport (issue 8): kitchen_overdue fires at the
// deadline unless the school reported a fix; a report sent back after the
// deadline makes it fire then; it resolves when the violation is closed.
// Any rule and tier with a deadline goes overdue.
func TestOverdueFollowsTheReport(t *testing.T) {
	e := newEnv(t, nil)
	overdue := func() []string {
		var out []string
		for _, c := range e.rec.take() {
			if c.Alert.Rule == alerting.KitchenOverdue && c.Event != EventReminder {
				out = append(out, c.Event+" "+c.Alert.Subject)
			}
		}
		return out
	}
	fire := func(subject string, sev alerting.Severity, due time.Duration) string {
		d := e.clock.Now().Add(due)
		e.m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, School: "s1", Subject: subject, Severity: sev,
			Firing: true, At: e.clock.Now(), DueAt: &d})
		return e.one(alerting.KitchenViolation, "s1", subject).ID
	}
	reported := fire("cam-1/smoking", alerting.P2, 24*time.Hour)
	silent := fire("cam-1/rodent", alerting.P1, 2*time.Hour) // tier 1: a shorter deadline
	if _, err := e.m.Report(reported, schoolOf("canteen"), "bin lid fixed", ""); err != nil {
		t.Fatal(err)
	}
	e.advance(2 * time.Hour)
	if got := overdue(); !slices.Equal(got, []string{"fired cam-1/rodent"}) {
		t.Fatalf("at 2 h: %q", got)
	}
	e.advance(22 * time.Hour)
	if got := overdue(); len(got) != 0 {
		t.Fatalf("at 24 h, the reported one went overdue: %q", got)
	}
	e.clock.Add(time.Hour)
	if _, err := e.m.Return(reported, marketOf("inspector"), "no photo"); err != nil {
		t.Fatal(err)
	}
	o := e.one(alerting.KitchenOverdue, "s1", "cam-1/smoking")
	if !o.StartedAt.Equal(t0.Add(25 * time.Hour)) {
		t.Fatalf("overdue after the return started at %v", o.StartedAt)
	}
	if got := overdue(); !slices.Equal(got, []string{"fired cam-1/smoking"}) {
		t.Fatalf("after the return: %q", got)
	}
	// A report after the deadline does not end it; the close does.
	if _, err := e.m.Report(reported, schoolOf("canteen"), "photo attached", "https://pics.example.cn/c.jpg"); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Minute)
	e.one(alerting.KitchenOverdue, "s1", "cam-1/smoking")
	e.m.Apply(alerting.Condition{Rule: alerting.KitchenViolation, School: "s1", Subject: "cam-1/rodent", At: e.clock.Now()})
	e.one(alerting.KitchenOverdue, "s1", "cam-1/rodent") // cleared, not closed: still overdue
	for _, id := range []string{reported, silent} {
		if _, err := e.m.Close(id, marketOf("inspector"), "verified on site"); err != nil {
			t.Fatal(err)
		}
	}
	if got := overdue(); !slices.Equal(got, []string{"resolved cam-1/smoking", "resolved cam-1/rodent"}) {
		t.Fatalf("after the closes: %q", got)
	}
}

// TestHandlingMatrix: for every catalogue rule, agency and step, the
// lifecycle accepts exactly what alerting.Permit allows (the one matrix),
// Allowed lists it, and a school never closes.
func TestHandlingMatrix(t *testing.T) {
	actors := []alerting.Actor{adminOf("admin"), policeOf("police"), actor("edu", alerting.Education),
		marketOf("market"), schoolOf("school")}
	for _, info := range alerting.Catalogue {
		for _, who := range actors {
			for _, act := range []alerting.Action{alerting.ActAck, alerting.ActReport, alerting.ActClose, alerting.ActReturn} {
				name := string(info.ID) + "/" + string(who.Agency) + "/" + string(act)
				if who.Admin {
					name = string(info.ID) + "/admin/" + string(act)
				}
				t.Run(name, func(t *testing.T) {
					e := newEnv(t, nil)
					e.fire(info.ID, "s1", "x")
					a := e.one(info.ID, "s1", "x")
					if act == alerting.ActReturn { // something to send back
						if _, err := e.m.Report(a.ID, adminOf("a"), "done", ""); err != nil { // admin: some rules have no school audience
							t.Fatal(err)
						}
						a, _ = e.m.Get(a.ID)
					}
					want := alerting.Permit(&a, who, act)
					if who.Agency == alerting.SchoolAud && act == alerting.ActClose && want {
						t.Fatal("the matrix lets a school close")
					}
					if slices.Contains(Allowed(&a, who), act) != want {
						t.Fatalf("Allowed %v, Permit %v", Allowed(&a, who), want)
					}
					var err error
					switch act {
					case alerting.ActAck:
						_, err = e.m.Ack(a.ID, who, "")
					case alerting.ActReport:
						_, err = e.m.Report(a.ID, who, "fixed", "")
					case alerting.ActClose:
						_, err = e.m.Close(a.ID, who, "checked")
					case alerting.ActReturn:
						_, err = e.m.Return(a.ID, who, "again")
					}
					if want != (err == nil) || (!want && !errors.Is(err, ErrForbidden)) {
						t.Fatalf("Permit %v, lifecycle %v", want, err)
					}
				})
			}
		}
	}
}

// TestAllowedFollowsState: what a viewer is offered narrows with the
// alert's state.
func TestAllowedFollowsState(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmPanic, "s1", "a1")
	p := e.one(alerting.AlarmPanic, "s1", "a1")
	acts := func(who alerting.Actor) []alerting.Action {
		a, _ := e.m.Get(p.ID)
		return Allowed(&a, who)
	}
	sch, pol := schoolOf("s"), policeOf("p")
	if got := acts(sch); !slices.Equal(got, []alerting.Action{alerting.ActAck, alerting.ActReport}) {
		t.Fatalf("school, firing: %v", got)
	}
	if got := acts(pol); !slices.Equal(got, []alerting.Action{alerting.ActAck, alerting.ActClose}) {
		t.Fatalf("police, firing: %v", got)
	}
	if _, err := e.m.Ack(p.ID, sch, ""); err != nil {
		t.Fatal(err)
	}
	if got := acts(sch); !slices.Equal(got, []alerting.Action{alerting.ActReport}) {
		t.Fatalf("school, received: %v", got)
	}
	if _, err := e.m.Report(p.ID, sch, "误触 / pressed by a child", ""); err != nil {
		t.Fatal(err)
	}
	if got := acts(pol); !slices.Equal(got, []alerting.Action{alerting.ActAck, alerting.ActClose, alerting.ActReturn}) {
		t.Fatalf("police, reported: %v", got)
	}
	if _, err := e.m.Close(p.ID, pol, "核实为误触"); err != nil {
		t.Fatal(err)
	}
	if got := acts(pol); len(got) != 0 {
		t.Fatalf("police, closed: %v", got)
	}
}

// TestHandlingEventsNotifiable: a report and a return reach people; a
// clear, a receipt and a verification (a resolved follows) are recorded
// and streamed only.
func TestHandlingEventsNotifiable(t *testing.T) {
	for ev, want := range map[string]bool{EventReported: true, EventReturned: true,
		EventCleared: false, EventReceived: false, EventVerified: false} {
		if got := Notifiable(Change{Event: ev}); got != want {
			t.Errorf("Notifiable(%s) = %v, want %v", ev, got, want)
		}
	}
}
